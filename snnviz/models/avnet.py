"""AVSpikeNet: the audio-visual spiking network, read top to bottom.

::

    image (B, C, H, W) ─ encode → (T, B, C, H, W) ─ visual branch → spikes (T, B, F) ─┐
                                                                                      ├ fusion SMLP → e_fused (B, D)
    audio (B, 1, M, N) ─ encode → (T, B, 1, M, N) ─ audio branch  → spikes (T, B, F) ─┘
    e_visual = proj_visual(rate_visual), e_audio = proj_audio(rate_audio)   (B, D)
    every e is L2-normalised when cfg.normalize; heads[m](e_m) → logits (B, C)

Each forward pass starts every neuron from zero state, so one model object can
serve many callers one after another (callers that share a model across threads
must still serialise calls: forward hooks and snnTorch's per-neuron buffers are
per-object).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from snnviz.config import ModelConfig
from snnviz.models.audio import AudioBranch
from snnviz.models.fusion import FusionSMLP
from snnviz.models.heads import make_head
from snnviz.models.layers import encode
from snnviz.models.neurons import LIFLayer
from snnviz.models.visual import build_visual_branch

__all__ = ["AVOutput", "AVSpikeNet", "build_model", "MODALITIES"]

MODALITIES = ("audio", "visual", "fused")


@dataclass
class AVOutput:
    """What :class:`AVSpikeNet` returns.

    Attributes
    ----------
    logits : dict of str to Tensor (B, C)
        Per modality (``audio``, ``visual``, ``fused``); cosines for a cosine head.
    embeddings : dict of str to Tensor (B, D)
        Per modality; L2-normalised when ``config.normalize``.
    spike_counts : dict of str to Tensor (B,)
        Spikes emitted by each branch's feature layer over all steps.
    """

    logits: dict[str, torch.Tensor] = field(default_factory=dict)
    embeddings: dict[str, torch.Tensor] = field(default_factory=dict)
    spike_counts: dict[str, torch.Tensor] = field(default_factory=dict)

    @property
    def modalities(self) -> list[str]:
        return [m for m in MODALITIES if m in self.logits]


class AVSpikeNet(nn.Module):
    """Audio-visual spiking network with per-modality and fused heads.

    Parameters
    ----------
    config : ModelConfig

    Examples
    --------
    >>> import torch
    >>> from snnviz.config import ModelConfig
    >>> model = build_model(ModelConfig()).eval()
    >>> out = model(torch.rand(2, 1, 40, 63), torch.rand(2, 1, 8, 8))
    >>> out.logits["fused"].shape, out.embeddings["fused"].shape
    (torch.Size([2, 10]), torch.Size([2, 64]))
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.visual = build_visual_branch(config)
        self.audio = AudioBranch(config)
        self.fusion = FusionSMLP(config)
        self.proj = nn.ModuleDict(
            {
                "audio": nn.Linear(config.feature_dim, config.embed_dim),
                "visual": nn.Linear(config.feature_dim, config.embed_dim),
            }
        )
        self.heads = nn.ModuleDict(
            {m: make_head(config.head, config.embed_dim, config.num_classes) for m in MODALITIES}
        )

    def _embed(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(x, dim=-1) if self.config.normalize else x

    def forward(self, audio: torch.Tensor | None, image: torch.Tensor | None) -> AVOutput:
        """Run ``T = config.num_steps`` steps from zero state.

        Parameters
        ----------
        audio : Tensor (B, 1, n_mels, frames) or None
        image : Tensor (B, C, H, W) or None
            Either may be None for a unimodal pass; ``fused`` is then absent.
        """
        if audio is None and image is None:
            raise ValueError("AVSpikeNet needs at least one of 'audio' and 'image'; both were None.")
        cfg, out = self.config, AVOutput()
        steps, direct = cfg.num_steps, cfg.encoding == "direct"
        spikes = {}
        if audio is not None:
            spikes["audio"] = self.audio(encode(audio, steps, cfg.encoding), constant_input=direct)
        if image is not None:
            spikes["visual"] = self.visual(encode(image, steps, cfg.encoding, seed=1), constant_input=direct)
        for m, s in spikes.items():  # s: (T, B, F)
            out.spike_counts[m] = s.sum(dim=(0, 2))
            out.embeddings[m] = self._embed(self.proj[m](s.mean(0)))
        if len(spikes) == 2:
            out.embeddings["fused"] = self._embed(self.fusion(spikes["audio"], spikes["visual"]))
        for m in MODALITIES:
            if m in out.embeddings:
                out.logits[m] = self.heads[m](out.embeddings[m])
        return out

    def spiking_layers(self) -> list[tuple[str, LIFLayer]]:
        """Every :class:`LIFLayer` with its dotted name, in forward order (audio, visual, fusion)."""
        layers = [(n, m) for n, m in self.named_modules() if isinstance(m, LIFLayer)]
        order = {"audio": 0, "visual": 1, "fusion": 2}
        return sorted(layers, key=lambda item: order.get(item[0].split(".", 1)[0], 3))

    def num_parameters(self) -> int:
        """Number of trainable parameters."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)


def build_model(config: ModelConfig | None = None) -> AVSpikeNet:
    """Build an :class:`AVSpikeNet` from ``config`` (``ModelConfig()`` when None), in train mode."""
    return AVSpikeNet(config if config is not None else ModelConfig())
