"""Audio input/output and log-mel features.

This module is the only place in snnviz that talks to ``soundfile``. It reads
files, in-memory bytes and uploads; down-mixes, resamples and pads/crops
waveforms; and turns them into the log-mel spectrogram the audio branch of a
model eats.

The log-mel recipe (parameters in :class:`snnviz.config.AudioConfig`):

1. power spectrogram ``|STFT(x)|^2`` (Hann window, centred frames),
2. mel power ``M = F @ |X|^2`` with ``F = librosa.filters.mel(...)`` (Slaney),
3. decibels relative to the clip's peak, ``dB = 10 log10(M / max M)``,
   clipped at ``-top_db``,
4. scaled to [0, 1] by ``(dB + top_db) / top_db``. A silent clip maps to zeros.

Examples
--------
>>> import numpy as np
>>> from snnviz.config import AudioConfig
>>> cfg = AudioConfig()
>>> t = np.arange(8000) / 16000
>>> feats = waveform_to_features(np.sin(2 * np.pi * 440 * t), 16000, cfg)
>>> tuple(feats.shape)
(1, 40, 63)
"""

from __future__ import annotations

import functools
import io
import math
import os
from pathlib import Path
from typing import IO, Any

import numpy as np
import soundfile as sf
import torch

from snnviz.config import AudioConfig
from snnviz.errors import AudioError

__all__ = [
    "AUDIO_EXTENSIONS",
    "SAMPLE_RATE_RANGE",
    "read_audio",
    "audio_info",
    "write_audio",
    "to_mono",
    "resample",
    "fix_length",
    "log_mel",
    "waveform_to_features",
    "load_audio_for_model",
]

AudioSource = str | os.PathLike | bytes | bytearray | IO[bytes]

#: File extensions (lower case) that :func:`read_audio` is expected to decode.
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".au")

_AMIN = 1e-10  # floor of the mel power before taking logs

#: Sample rates (Hz) accepted from files and arrays; a rate outside is a broken (or hostile) header,
#: and resampling from it could need a filter of billions of taps.
SAMPLE_RATE_RANGE = (1_000, 768_000)
_MAX_POLYPHASE = 1000  # largest up/down factor resample() uses exactly


def _source_name(source: Any, name: str | None) -> str:
    if name:
        return str(name)
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "<in-memory audio>"))


def _open_source(source: AudioSource, label: str) -> Any:
    if isinstance(source, (bytes, bytearray)):
        if len(source) == 0:
            raise AudioError(f"The audio file '{label}' is empty (0 bytes).")
        return io.BytesIO(bytes(source))
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise AudioError(f"The audio file '{label}' does not exist.")
        if path.stat().st_size == 0:
            raise AudioError(f"The audio file '{label}' is empty (0 bytes).")
        return path
    if hasattr(source, "read"):
        return source
    raise AudioError(f"Cannot read audio from a {type(source).__name__}; give a path, bytes or a binary file object.")


def read_audio(source: AudioSource, *, name: str | None = None) -> tuple[np.ndarray, int]:
    """Decode an audio file, bytes or file-like object.

    Parameters
    ----------
    source : path, bytes or binary file-like
        What to decode (WAV, FLAC, OGG, MP3, AIFF... whatever libsndfile reads).
    name : str, optional
        Name used in error messages (e.g. the name of an uploaded file).

    Returns
    -------
    wave : np.ndarray of float32, shape (n,) or (n, channels)
        Samples in [-1, 1] for integer formats.
    sample_rate : int

    Raises
    ------
    AudioError
        If the source is missing, empty, not audio, has no samples, or holds
        NaN/Inf samples. The message names the file.

    Examples
    --------
    >>> import io, numpy as np
    >>> buf = io.BytesIO()
    >>> write_audio(buf, np.zeros(160, dtype=np.float32), 16000, format="WAV")
    >>> wave, sr = read_audio(buf.getvalue(), name="upload.wav")
    >>> wave.shape, sr
    ((160,), 16000)
    """
    wave, sr, _ = _read(source, name, None)
    return wave, sr


def _reason(err: Exception) -> str:
    """libsndfile's reason without its ``Error opening <object at 0x...>:`` preamble."""
    text = str(err).strip()
    if text.startswith("Error opening") and ": " in text:
        text = text.split(": ", 1)[1]
    return text.rstrip(".") or type(err).__name__


def _read(source: AudioSource, name: str | None, max_seconds: float | None) -> tuple[np.ndarray, int, int]:
    """Decode at most ``max_seconds`` (all when None); returns the samples, the rate and the full frame count.

    Reading only what is needed keeps a long (or highly compressed, e.g. hours of
    silence in a small FLAC) file from being decoded in full.
    """
    label = _source_name(source, name)
    handle = _open_source(source, label)
    try:
        with sf.SoundFile(handle) as fh:
            sr, total = int(fh.samplerate), int(fh.frames)
            lo, hi = SAMPLE_RATE_RANGE
            if not lo <= sr <= hi:
                raise AudioError(f"The audio file '{label}' has a sample rate of {sr} Hz; snnviz reads "
                                 f"{lo} to {hi} Hz.")
            limit = -1 if max_seconds is None else int(math.ceil(max_seconds * sr)) + 64
            wave = fh.read(frames=limit, dtype="float32", always_2d=False)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError, EOFError) as err:
        raise AudioError(f"The file '{label}' is not readable audio: {_reason(err)}.") from err
    wave = np.asarray(wave, dtype=np.float32)
    if wave.shape[0] == 0:
        raise AudioError(f"The audio file '{label}' has no samples.")
    if not np.isfinite(wave).all():
        raise AudioError(f"The audio file '{label}' contains NaN or infinite samples.")
    return wave, sr, max(total, wave.shape[0])


def audio_info(source: str | os.PathLike) -> dict[str, Any]:
    """Read an audio file's header only: sample rate, channels, frames, duration.

    Raises
    ------
    AudioError
        If the file cannot be opened as audio.
    """
    label = _source_name(source, None)
    handle = _open_source(source, label)
    try:
        info = sf.info(handle)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as err:
        raise AudioError(f"The file '{label}' is not readable audio: {err}.") from err
    return {
        "sample_rate": int(info.samplerate),
        "channels": int(info.channels),
        "frames": int(info.frames),
        "duration": float(info.frames) / float(info.samplerate) if info.samplerate else 0.0,
        "format": str(info.format),
    }


def write_audio(
    target: str | os.PathLike | IO[bytes],
    wave: np.ndarray,
    sample_rate: int,
    format: str = "FLAC",
    *,
    compression_level: float | None = None,
) -> None:
    """Write a waveform as 16-bit FLAC or WAV.

    Parameters
    ----------
    target : path or binary file-like
    wave : np.ndarray, shape (n,) or (n, channels)
        Float samples; values outside [-1, 1] are clipped.
    sample_rate : int
    format : {"FLAC", "WAV"}
    compression_level : float in [0, 1], optional
        FLAC only: 1 is the smallest file, None uses libsndfile's default.

    Raises
    ------
    AudioError
        If the format is unknown or the waveform is empty or not finite.
    """
    fmt = str(format).upper()
    if fmt not in ("FLAC", "WAV"):
        raise AudioError(f"The 'format' parameter must be one of FLAC, WAV. Got {format!r}.")
    wave = np.asarray(wave, dtype=np.float32)
    if wave.size == 0 or not np.isfinite(wave).all():
        raise AudioError("Cannot write an empty or non-finite waveform.")
    extra = {"compression_level": float(compression_level)} if fmt == "FLAC" and compression_level is not None else {}
    sf.write(target, np.clip(wave, -1.0, 1.0), int(sample_rate), format=fmt, subtype="PCM_16", **extra)


def to_mono(wave: np.ndarray) -> np.ndarray:
    """Average the channels of ``(n, channels)`` audio; ``(n,)`` passes through.

    Returns
    -------
    np.ndarray of float32, shape (n,)
    """
    wave = np.asarray(wave, dtype=np.float32)
    if wave.ndim == 1:
        return wave
    if wave.ndim != 2:
        raise AudioError(f"A waveform must have shape (n,) or (n, channels). Got shape {wave.shape}.")
    return wave.mean(axis=1, dtype=np.float32)


def resample(wave: np.ndarray, sr_from: int, sr_to: int) -> np.ndarray:
    """Resample along the first axis with a polyphase anti-aliasing filter.

    Parameters
    ----------
    wave : np.ndarray, shape (n,) or (n, channels)
    sr_from, sr_to : int
        Sample rates in Hz.

    Returns
    -------
    np.ndarray of float32, ``ceil(n * sr_to / sr_from)`` samples long.

    Notes
    -----
    The filter has about ``20 * max(up, down)`` taps for the reduced ratio
    ``up / down = sr_to / sr_from``. An odd rate (e.g. 767,999 Hz) would need
    millions, so a ratio with terms above 1,000 is replaced by its closest
    fraction with a denominator of at most 1,000 (a pitch error below 1e-6)
    and the result trimmed or padded to the exact length.
    """
    from fractions import Fraction

    from scipy.signal import resample_poly

    if sr_from <= 0 or sr_to <= 0:
        raise AudioError(f"Sample rates must be positive. Got sr_from={sr_from}, sr_to={sr_to}.")
    wave = np.asarray(wave, dtype=np.float32)
    if sr_from == sr_to:
        return wave
    ratio = Fraction(int(sr_to), int(sr_from))
    if max(ratio.numerator, ratio.denominator) <= _MAX_POLYPHASE:
        return np.asarray(resample_poly(wave, ratio.numerator, ratio.denominator, axis=0), dtype=np.float32)
    near = ratio.limit_denominator(_MAX_POLYPHASE)
    out = resample_poly(wave, near.numerator, near.denominator, axis=0)
    n_out = -(-wave.shape[0] * ratio.numerator // ratio.denominator)  # ceil, as resample_poly
    return fix_length(np.asarray(out, dtype=np.float32), n_out)


def fix_length(wave: np.ndarray, n: int, *, align: str = "start") -> np.ndarray:
    """Zero-pad or crop a waveform to exactly ``n`` samples.

    Parameters
    ----------
    wave : np.ndarray, shape (m,) or (m, channels)
    n : int
    align : {"start", "center"}
        ``"start"`` keeps the beginning (pads/crops at the end); ``"center"``
        keeps the middle (pads/crops both ends equally).
    """
    if align not in ("start", "center"):
        raise AudioError(f"The 'align' parameter must be one of start, center. Got {align!r}.")
    wave = np.asarray(wave, dtype=np.float32)
    m = wave.shape[0]
    if m == n:
        return wave
    if m > n:
        start = (m - n) // 2 if align == "center" else 0
        return wave[start : start + n]
    before = (n - m) // 2 if align == "center" else 0
    pad = [(before, n - m - before)] + [(0, 0)] * (wave.ndim - 1)
    return np.pad(wave, pad)


@functools.lru_cache(maxsize=8)
def _mel_filterbank(sample_rate: int, n_fft: int, n_mels: int, f_min: float, f_max: float) -> torch.Tensor:
    import librosa

    fb = librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, fmin=f_min, fmax=f_max)
    return torch.from_numpy(np.ascontiguousarray(fb, dtype=np.float32))  # (n_mels, n_fft // 2 + 1)


@functools.lru_cache(maxsize=8)
def _hann(n_fft: int) -> torch.Tensor:
    return torch.hann_window(n_fft)


def log_mel(wave: torch.Tensor | np.ndarray, cfg: AudioConfig) -> torch.Tensor:
    """Log-mel spectrogram scaled to [0, 1] (see the module docstring).

    Parameters
    ----------
    wave : torch.Tensor or np.ndarray, shape (n,) or (batch, n)
        Mono waveform(s) at ``cfg.sample_rate``; any length works (e.g. for display).
    cfg : AudioConfig

    Returns
    -------
    torch.Tensor of float32, shape (n_mels, frames) or (batch, n_mels, frames)
        ``frames = 1 + n // hop_length``.
    """
    x = torch.as_tensor(wave, dtype=torch.float32)
    if x.ndim not in (1, 2) or x.shape[-1] == 0:
        raise AudioError(f"log_mel needs a waveform of shape (n,) or (batch, n) with n > 0. Got {tuple(x.shape)}.")
    spec = torch.stft(
        x, n_fft=cfg.n_fft, hop_length=cfg.hop_length, window=_hann(cfg.n_fft),
        center=True, pad_mode="constant", return_complex=True,
    )
    power = spec.real.square() + spec.imag.square()  # (..., freq, frames)
    fb = _mel_filterbank(cfg.sample_rate, cfg.n_fft, cfg.n_mels, cfg.f_min, cfg.f_max)
    mel = torch.matmul(fb, power)  # (..., n_mels, frames)
    peak = mel.amax(dim=(-2, -1), keepdim=True)
    db = 10.0 * torch.log10(mel.clamp_min(_AMIN) / peak.clamp_min(_AMIN))
    out = (db.clamp_min(-cfg.top_db) + cfg.top_db) / cfg.top_db
    return torch.where(peak > _AMIN, out, torch.zeros_like(out))


def waveform_to_features(wave: np.ndarray, sample_rate: int, cfg: AudioConfig) -> torch.Tensor:
    """Turn any waveform into the model's audio input.

    Down-mixes to mono, resamples to ``cfg.sample_rate``, pads/crops to
    ``cfg.duration`` (keeping the start) and computes :func:`log_mel`.

    Returns
    -------
    torch.Tensor of float32, shape (1, n_mels, frames)
    """
    features, _, _ = _prepare(np.asarray(wave), int(sample_rate), cfg)
    return features


def _prepare(wave: np.ndarray, sample_rate: int, cfg: AudioConfig,
             total_frames: int | None = None) -> tuple[torch.Tensor, np.ndarray, list[str]]:
    if wave.dtype.kind not in "biuf":
        raise AudioError(f"A waveform must hold real numbers. Got dtype {wave.dtype}.")
    if wave.ndim not in (1, 2) or 0 in wave.shape:
        raise AudioError(f"A waveform must have shape (n,) or (n, channels) with n > 0. Got shape {wave.shape}.")
    lo, hi = SAMPLE_RATE_RANGE
    if not lo <= sample_rate <= hi:
        raise AudioError(f"The 'sample_rate' parameter must be in [{lo}, {hi}] Hz. Got {sample_rate}.")
    if not np.isfinite(wave).all():
        raise AudioError("The waveform contains NaN or infinite samples.")
    notices: list[str] = []
    seconds = (total_frames or wave.shape[0]) / sample_rate
    keep = int(math.ceil(cfg.duration * sample_rate)) + 64  # crop before resampling long clips
    wave = wave[:keep]
    if wave.ndim == 2 and wave.shape[1] > 1:
        notices.append(f"down-mixed {wave.shape[1]} channels")
    mono = to_mono(wave)
    if sample_rate != cfg.sample_rate:
        notices.append(f"resampled {sample_rate} Hz -> {cfg.sample_rate} Hz")
        mono = resample(mono, sample_rate, cfg.sample_rate)
    if seconds > cfg.duration + 0.5 / cfg.sample_rate:
        notices.append(f"cropped from {seconds:.1f} s to {cfg.duration:.1f} s")
    elif seconds < cfg.duration - 0.5 / cfg.sample_rate:
        notices.append(f"padded from {seconds:.2f} s to {cfg.duration:.1f} s")
    mono = fix_length(mono, cfg.num_samples)
    return log_mel(mono, cfg).unsqueeze(0), mono, notices


def load_audio_for_model(
    source: AudioSource, cfg: AudioConfig, *, name: str | None = None
) -> tuple[torch.Tensor, np.ndarray, list[str]]:
    """Read an audio file or upload and prepare it for a model.

    Parameters
    ----------
    source : path, bytes or binary file-like
    cfg : AudioConfig
        The feature settings the model was trained with.
    name : str, optional
        Name used in error messages.

    Returns
    -------
    features : torch.Tensor, shape (1, n_mels, frames)
    waveform : np.ndarray of float32, shape (cfg.num_samples,)
        The mono, resampled, padded/cropped clip the features were computed from.
    notices : list of str
        What was done to the clip, e.g. ``"down-mixed 2 channels"``,
        ``"resampled 44100 Hz -> 16000 Hz"``, ``"cropped from 600.0 s to 1.0 s"``.

    Raises
    ------
    AudioError
        If the source cannot be read (see :func:`read_audio`).
    """
    wave, sr, total = _read(source, name, cfg.duration)
    return _prepare(wave, sr, cfg, total)
