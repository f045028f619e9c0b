"""Batch augmentation of log-mel spectrograms for training (SpecAugment-style).

Speaker-independent audio generalises better when the network cannot rely on
exact formant positions or on every time frame: each spectrogram in the batch is
shifted by a few mel bands, and one band of frequencies and one span of frames
are masked (Park et al., 2019). Draws come from torch's seeded generator, so a
seeded run stays reproducible.
"""

from __future__ import annotations

import torch

__all__ = ["spec_augment"]


def spec_augment(audio: torch.Tensor, *, max_shift: int = 2, freq_mask: int = 5, time_mask: int = 8) -> torch.Tensor:
    """Return an augmented copy of ``audio`` ``(B, 1, n_mels, frames)``; the input is not changed.

    Parameters
    ----------
    max_shift : int
        Shift along the mel axis by up to this many bands (edges repeat the border band).
    freq_mask, time_mask : int
        Mask up to this many consecutive mel bands / frames (set to the batch minimum).
    """
    if audio.dim() != 4:
        raise ValueError(f"spec_augment expects (B, 1, n_mels, frames). Got shape {tuple(audio.shape)}.")
    out = audio.clone()
    b, _, mels, frames = out.shape
    floor = audio.amin()
    shifts = torch.randint(-max_shift, max_shift + 1, (b,)).tolist() if max_shift > 0 else [0] * b
    fw = torch.randint(0, freq_mask + 1, (b,)).tolist()
    f0 = torch.randint(0, mels, (b,)).tolist()
    tw = torch.randint(0, time_mask + 1, (b,)).tolist()
    t0 = torch.randint(0, frames, (b,)).tolist()
    for i in range(b):
        s = shifts[i]
        if s > 0:
            out[i, :, s:] = audio[i, :, :-s]
            out[i, :, :s] = audio[i, :, :1]
        elif s < 0:
            out[i, :, :s] = audio[i, :, -s:]
            out[i, :, s:] = audio[i, :, -1:]
        out[i, :, f0[i] : f0[i] + fw[i], :] = floor
        out[i, :, :, t0[i] : t0[i] + tw[i]] = floor
    return out
