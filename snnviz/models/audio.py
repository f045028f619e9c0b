"""The audio branch: a compact conv SNN over a log-mel spectrogram.

Input: the spectrogram sequence ``(T, B, 1, n_mels, frames)``; output: spiking
features ``(T, B, feature_dim)``. Conv → BN → 2×2 max pool → LIF blocks (widths
from ``cfg.audio_channels``; the first conv has stride 2), an adaptive max pool to
a 5×8 (mel × time) grid, and a spiking fc layer. For the default 40×63
spectrogram the neuron maps are 16×10×16 and 32×5×8: small maps keep the
elementwise neuron updates, which dominate the cost of an SNN on a CPU, cheap.
"""

from __future__ import annotations

from snnviz.config import ModelConfig
from snnviz.models.visual import ConvSpikeStack

__all__ = ["AudioBranch"]


class AudioBranch(ConvSpikeStack):
    """Compact spiking CNN over ``(1, n_mels, frames)`` spectrograms (see module docstring)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__(cfg, in_channels=1, channels=cfg.audio_channels, grid=(5, 8), pool_from=1, first_stride=2)
