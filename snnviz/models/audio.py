"""The audio branch: a compact conv SNN over a log-mel spectrogram.

Input: the spectrogram sequence ``(T, B, 1, n_mels, frames)``; output: spiking
features ``(T, B, feature_dim)``. Conv → BN → LIF blocks (widths from
``cfg.audio_channels``; the first conv has stride 2), each followed by 2×2 max
pooling of spikes, an adaptive max pool to a 5×8 (mel × time) grid, and a
spiking fc layer. For the default 40×63 spectrogram the neuron maps are 16×20×32
and 32×10×16: the stride keeps the elementwise neuron updates, which dominate
the cost of training an SNN on a CPU, small.
"""

from __future__ import annotations

from snnviz.config import ModelConfig
from snnviz.models.visual import ConvSpikeStack

__all__ = ["AudioBranch"]


class AudioBranch(ConvSpikeStack):
    """Compact spiking CNN over ``(1, n_mels, frames)`` spectrograms (see module docstring)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__(cfg, in_channels=1, channels=cfg.audio_channels, grid=(5, 8), pool_from=1, first_stride=2)
