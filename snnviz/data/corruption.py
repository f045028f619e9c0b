"""Seeded corruptions that make each modality imperfect on its own.

Two corruptions, each a pure function of its inputs and a NumPy generator:

* :func:`add_noise_at_snr` adds white Gaussian noise to a waveform at a given
  signal-to-noise ratio, measured against the power of the speech itself
  (not of the silence around it): ``noise_std = sqrt(P_speech / 10^(snr/10))``.
* :func:`corrupt_image` adds Gaussian pixel noise of standard deviation
  ``noise`` (pixels in [0, 1], result clipped to [0, 1]) and blanks one
  ``occlusion x occlusion`` square at a random position (filled with 0, the
  background of the digit images).

:func:`sample_rng` derives the generator of one sample from
``(seed, split, index)``, so a dataset yields the same corrupted sample every
time it is asked for it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sample_rng", "add_noise_at_snr", "corrupt_image", "place_clip"]

_SPLIT_CODES = {"train": 0, "test": 1, "all": 2}


def sample_rng(seed: int, split: str, index: int, stream: int = 0) -> np.random.Generator:
    """Return the generator of sample ``index`` of ``split`` (independent per ``stream``)."""
    return np.random.default_rng([int(seed), _SPLIT_CODES.get(split, 3), int(index), int(stream)])


def add_noise_at_snr(
    wave: np.ndarray, snr_db: float, rng: np.random.Generator, *, signal_power: float | None = None
) -> np.ndarray:
    """Add white Gaussian noise at ``snr_db`` decibels.

    Parameters
    ----------
    wave : np.ndarray of float32, shape (n,)
    snr_db : float
        Target ratio of speech power to noise power, in dB.
    rng : np.random.Generator
    signal_power : float, optional
        Mean power of the speech; defaults to the mean power of ``wave``
        (pass it when ``wave`` is padded with silence).

    Returns
    -------
    np.ndarray of float32, shape (n,)
        Not clipped; the log-mel features are relative to the clip's peak.
    """
    power = float(np.mean(np.square(wave, dtype=np.float64))) if signal_power is None else float(signal_power)
    std = np.sqrt(power / 10.0 ** (snr_db / 10.0))
    noise = rng.standard_normal(wave.shape[0], dtype=np.float32)
    return (wave + np.float32(std) * noise).astype(np.float32, copy=False)


def corrupt_image(
    image: np.ndarray, noise: float, occlusion: int, rng: np.random.Generator
) -> tuple[np.ndarray, tuple[int, int, int] | None]:
    """Add pixel noise and blank one square patch.

    Parameters
    ----------
    image : np.ndarray of float32 in [0, 1], shape (H, W) or (H, W, C)
    noise : float
        Standard deviation of the Gaussian pixel noise (0 = none).
    occlusion : int
        Side of the blanked square in pixels (0 = none).
    rng : np.random.Generator

    Returns
    -------
    image : np.ndarray of float32 in [0, 1], same shape as ``image``
    box : (top, left, side) of the blanked square, or None
    """
    out = np.array(image, dtype=np.float32, copy=True)
    h, w = out.shape[:2]
    box = None
    if occlusion > 0:
        side = min(int(occlusion), h, w)
        top = int(rng.integers(0, h - side + 1))
        left = int(rng.integers(0, w - side + 1))
        out[top : top + side, left : left + side] = 0.0
        box = (top, left, side)
    if noise > 0:
        out += np.float32(noise) * rng.standard_normal(out.shape, dtype=np.float32)
        np.clip(out, 0.0, 1.0, out=out)
    return out, box


def place_clip(clip: np.ndarray, n: int, offset: str, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """Put ``clip`` into a silent window of ``n`` samples.

    Parameters
    ----------
    clip : np.ndarray, shape (m,)
    n : int
    offset : {"random", "center", "start"}
        Where the clip starts; a clip longer than the window is cropped from
        the same offset into the clip.
    rng : np.random.Generator

    Returns
    -------
    window : np.ndarray of float32, shape (n,)
    start : int
        Sample at which the clip starts (negative when it was cropped).
    """
    m = clip.shape[0]
    slack = n - m
    if offset == "start":
        start = 0
    elif offset == "center":
        start = slack // 2
    else:
        start = int(rng.integers(min(0, slack), max(0, slack) + 1))
    out = np.zeros(n, dtype=np.float32)
    src_lo, dst_lo = max(0, -start), max(0, start)
    length = min(m - src_lo, n - dst_lo)
    out[dst_lo : dst_lo + length] = clip[src_lo : src_lo + length]
    return out, start
