"""The fusion network: a spiking MLP over the concatenated branch spikes.

At every step the audio and visual feature spikes are concatenated
``(T, B, 2F)``, pass a linear layer and a layer of Leaky neurons
``(T, B, H)``; a linear read-out averaged over time gives the fused embedding
``(B, D)``.
"""

from __future__ import annotations

import torch
from torch import nn

from snnviz.config import ModelConfig
from snnviz.models.layers import fold, unfold
from snnviz.models.visual import lif_from_config

__all__ = ["FusionSMLP"]


class FusionSMLP(nn.Module):
    """Spiking MLP: ``fc1 → BN → LIF → fc2``, read out as the time-average of ``fc2``.

    Shapes: audio spikes ``(T, B, F)`` and visual spikes ``(T, B, F)`` → embedding ``(B, D)``.
    """

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2 * cfg.feature_dim, cfg.fusion_hidden)
        self.bn1 = nn.BatchNorm1d(cfg.fusion_hidden)
        self.lif1 = lif_from_config(cfg)
        self.dropout = nn.Dropout(cfg.dropout)
        self.fc2 = nn.Linear(cfg.fusion_hidden, cfg.embed_dim)

    def forward(self, audio_spikes: torch.Tensor, visual_spikes: torch.Tensor) -> torch.Tensor:
        steps = audio_spikes.shape[0]
        x = torch.cat([audio_spikes, visual_spikes], dim=-1)  # (T, B, 2F)
        spikes = self.lif1(unfold(self.bn1(self.fc1(fold(x))), steps))  # (T, B, H)
        return self.fc2(self.dropout(spikes.mean(0)))  # (B, D): the time-averaged read-out
