"""Visual branches: a small conv SNN for digits and a spiking ResNet-18.

Both take an image sequence ``(T, B, C, H, W)`` and return spiking features
``(T, B, feature_dim)``. The ResNet-18 follows the seed paper's "L2-ActSpikeNet":
residual blocks of conv → BatchNorm → Leaky neurons, global average pooling,
a spiking feature layer, and (in :class:`~snnviz.models.avnet.AVSpikeNet`) an
L2-normalised embedding on top.
"""

from __future__ import annotations

import torch
from torch import nn

from snnviz.config import ModelConfig
from snnviz.models.layers import SeqWrap, fold, unfold
from snnviz.models.neurons import LIFLayer

__all__ = ["ConvSpikeStack", "SpikingResNet18", "build_visual_branch", "lif_from_config"]


def lif_from_config(cfg: ModelConfig) -> LIFLayer:
    """A :class:`LIFLayer` with the neuron settings of ``cfg``."""
    return LIFLayer(cfg.beta, cfg.threshold, cfg.reset_mechanism, cfg.surrogate, cfg.surrogate_slope, cfg.learn_beta)


class ConvSpikeStack(nn.Module):
    """conv → BN → (2×2 max pool) → LIF blocks, then a spiking fc layer.

    Used for the ``digits`` visual variant and for the audio branch. As in the
    snnTorch tutorials, the input *currents* are max-pooled before the neurons
    (from block ``pool_from`` on), which keeps the neuron maps — whose elementwise
    updates dominate the cost of an SNN on a CPU — small. An adaptive max pool of
    the last spikes to ``grid`` makes the fc layer independent of the input size.

    Shapes: ``(T, B, C_in, H, W)`` → ``(T, B, feature_dim)``.
    """

    def __init__(
        self,
        cfg: ModelConfig,
        in_channels: int,
        channels: tuple[int, ...],
        grid: tuple[int, int],
        pool_from: int = 2,
        first_stride: int = 1,
    ) -> None:
        super().__init__()
        self.num_blocks = len(channels)
        self.pool_from = pool_from
        prev = in_channels
        for i, width in enumerate(channels, start=1):
            stride = first_stride if i == 1 else 1
            self.add_module(f"conv{i}", nn.Conv2d(prev, width, 3, stride=stride, padding=1, bias=False))
            self.add_module(f"bn{i}", nn.BatchNorm2d(width))
            self.add_module(f"lif{i}", lif_from_config(cfg))
            prev = width
        self.pool = nn.MaxPool2d(2)
        self.grid_pool = nn.AdaptiveMaxPool2d(grid)
        self.fc = nn.Linear(prev * grid[0] * grid[1], cfg.feature_dim)
        self.dropout = nn.Dropout(cfg.dropout)
        self.lif_fc = lif_from_config(cfg)

    def forward(self, x: torch.Tensor, *, constant_input: bool = False) -> torch.Tensor:
        steps = x.shape[0]
        for i in range(1, self.num_blocks + 1):
            conv, bn, lif = getattr(self, f"conv{i}"), getattr(self, f"bn{i}"), getattr(self, f"lif{i}")
            pool = self.pool if i >= self.pool_from else nn.Identity()
            if i == 1 and constant_input:
                # direct encoding: the current is the same at every step, compute it once
                cur = pool(bn(conv(x[0]))).unsqueeze(0).expand(steps, -1, -1, -1, -1)
            else:
                cur = unfold(pool(bn(conv(fold(x)))), steps)
            x = lif(cur)  # (T, B, C, H, W) spikes
        x = unfold(self.grid_pool(fold(x)), steps).flatten(2)
        return self.lif_fc(unfold(self.dropout(self.fc(fold(x))), steps))  # (T, B, F)


class SpikingBasicBlock(nn.Module):
    """ResNet basic block with Leaky neurons: ``lif2(bn2(conv2(lif1(bn1(conv1(x))))) + shortcut(x))``."""

    def __init__(self, cfg: ModelConfig, in_planes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = SeqWrap(nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False))
        self.bn1 = SeqWrap(nn.BatchNorm2d(planes))
        self.lif1 = lif_from_config(cfg)
        self.conv2 = SeqWrap(nn.Conv2d(planes, planes, 3, padding=1, bias=False))
        self.bn2 = SeqWrap(nn.BatchNorm2d(planes))
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_planes != planes:
            self.shortcut = SeqWrap(
                nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))
            )
        self.lif2 = lif_from_config(cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (T, B, C, H, W)
        out = self.lif1(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.lif2(out + self.shortcut(x))


class SpikingResNet18(nn.Module):
    """Spiking ResNet-18 for 32×32 or 64×64 RGB images.

    Stem: 3×3 conv (stride 1 up to 32 px, stride 2 above) → BN → LIF; four stages
    of two :class:`SpikingBasicBlock` each with widths ``w, 2w, 4w, 8w``
    (``w = cfg.resnet_width``, 64 in the paper); global average pooling; a spiking
    fc layer of ``feature_dim`` neurons.

    Shapes: ``(T, B, C, H, W)`` → ``(T, B, feature_dim)``.
    """

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        w = cfg.resnet_width
        stride = 1 if cfg.image_size <= 32 else 2
        self.conv1 = nn.Conv2d(cfg.image_channels, w, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(w)
        self.lif1 = lif_from_config(cfg)
        widths, in_planes = (w, 2 * w, 4 * w, 8 * w), w
        for i, planes in enumerate(widths, start=1):
            first_stride = 1 if i == 1 else 2
            blocks = [SpikingBasicBlock(cfg, in_planes, planes, first_stride), SpikingBasicBlock(cfg, planes, planes)]
            self.add_module(f"layer{i}", nn.Sequential(*blocks))
            in_planes = planes
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(in_planes, cfg.feature_dim)
        self.dropout = nn.Dropout(cfg.dropout)
        self.lif_fc = lif_from_config(cfg)

    def forward(self, x: torch.Tensor, *, constant_input: bool = False) -> torch.Tensor:
        steps = x.shape[0]
        if constant_input:
            cur = self.bn1(self.conv1(x[0])).unsqueeze(0).expand(steps, -1, -1, -1, -1)
        else:
            cur = unfold(self.bn1(self.conv1(fold(x))), steps)
        x = self.lif1(cur)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = unfold(self.avgpool(fold(x)).flatten(1), steps)  # (T, B, 8w) firing rates per step
        return self.lif_fc(unfold(self.dropout(self.fc(fold(x))), steps))


def build_visual_branch(cfg: ModelConfig) -> nn.Module:
    """The visual branch named by ``cfg.visual``."""
    if cfg.visual == "digits":
        return ConvSpikeStack(cfg, cfg.image_channels, cfg.visual_channels, grid=(4, 4))
    return SpikingResNet18(cfg)
