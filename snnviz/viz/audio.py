"""Audio figures: the waveform (decimated for display) and the log-mel spectrogram."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from snnviz.viz._style import apply_layout, to_numpy, with_note

__all__ = ["waveform_figure", "spectrogram_figure", "decimate_envelope"]


def decimate_envelope(samples: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a signal to at most ``max_points`` points that keep its peaks.

    The signal is cut into ``max_points // 2`` equal bins and each bin gives
    its minimum and maximum (in time order), so a drawn line still spans the
    full envelope.

    Returns
    -------
    index : ndarray of int
        Sample index of each kept point, increasing.
    values : ndarray
        The kept sample values.

    Examples
    --------
    >>> idx, vals = decimate_envelope(np.sin(np.linspace(0, 100, 10_000)), 200)
    >>> len(idx) <= 200, round(float(vals.max()), 2)
    (True, 1.0)
    """
    n = samples.shape[0]
    if n <= max_points:
        return np.arange(n), samples
    nbins = max(max_points // 2, 1)
    edges = np.linspace(0, n, nbins + 1).astype(np.int64)
    idx = []
    for a, b in zip(edges[:-1], edges[1:]):
        seg = samples[a:b]
        lo, hi = a + int(np.argmin(seg)), a + int(np.argmax(seg))
        idx.extend(sorted({lo, hi}))
    index = np.array(idx, dtype=np.int64)
    return index, samples[index]


def waveform_figure(
    waveform: Any,
    sample_rate: int,
    *,
    max_points: int = 4000,
    title: str = "Waveform",
) -> go.Figure:
    """Line plot of a mono waveform against time in seconds.

    Parameters
    ----------
    waveform : array-like, shape (S,) or (1, S)
        The samples.
    sample_rate : int
        Samples per second.
    max_points : int
        Long signals are reduced to a min/max envelope of at most this many
        points; the title says so.
    title : str
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One line trace; x in seconds spanning the whole clip.
    """
    wav = to_numpy(waveform, "waveform", dtype=np.float32)
    if wav.ndim == 2 and wav.shape[0] == 1:
        wav = wav[0]
    if wav.ndim != 1 or wav.size == 0:
        raise ValueError(f"The 'waveform' parameter must be a non-empty mono signal (S,) or (1, S). Got {wav.shape}.")
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise ValueError(f"The 'sample_rate' parameter must be a positive int. Got {sample_rate!r}.")
    if max_points < 2:
        raise ValueError(f"The 'max_points' parameter must be an int >= 2. Got {max_points!r}.")
    index, values = decimate_envelope(wav, max_points)
    note = "" if index.size == wav.size else f"decimated for display: {index.size:,} of {wav.size:,} samples"
    fig = go.Figure(go.Scatter(
        x=(index / sample_rate).astype(np.float32), y=values, mode="lines", name="waveform",
        line={"color": "#f28e2b", "width": 1}, hovertemplate="%{x:.3f} s: %{y:.3f}<extra></extra>",
    ))  # fmt: skip
    peak = float(np.max(np.abs(wav))) or 1.0
    return apply_layout(
        fig, with_note(title, note), showlegend=False,
        xaxis={"title": {"text": "time (s)"}, "range": [0.0, (wav.size - 1) / sample_rate]},
        yaxis={"title": {"text": "amplitude"}, "range": [-1.05 * peak, 1.05 * peak]},
    )  # fmt: skip


def spectrogram_figure(
    spectrogram: Any,
    *,
    sample_rate: int | None = None,
    hop_length: int | None = None,
    f_min: float | None = None,
    f_max: float | None = None,
    config: Any = None,
    title: str = "Log-mel spectrogram",
    colorbar_title: str = "dB",
) -> go.Figure:
    """Heatmap of a (log-)mel spectrogram: time across, mel bands up.

    Parameters
    ----------
    spectrogram : array-like, shape (n_mels, frames) or (1, n_mels, frames)
        The features the model sees.
    sample_rate, hop_length : int, optional
        When both are given the x axis is in seconds (frame ``t`` at
        ``t * hop_length / sample_rate``), otherwise in frames.
    f_min, f_max : float, optional
        When both are given (with ``sample_rate``), the hover text shows the
        centre frequency of each mel band in Hz.
    config : AudioConfig, optional
        Supplies ``sample_rate``, ``hop_length``, ``f_min`` and ``f_max`` at once.
    title : str
        Figure title.
    colorbar_title : str
        Colour bar label.

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap trace with ``n_mels`` rows and ``frames`` columns.
    """
    spec = to_numpy(spectrogram, "spectrogram", dtype=np.float32)
    if spec.ndim == 3 and spec.shape[0] == 1:
        spec = spec[0]
    if spec.ndim != 2 or spec.size == 0:
        raise ValueError(f"The 'spectrogram' parameter must have shape (n_mels, frames). Got {spec.shape}.")
    if config is not None:
        sample_rate, hop_length = config.sample_rate, config.hop_length
        f_min, f_max = config.f_min, config.f_max
    n_mels, frames = spec.shape
    if sample_rate and hop_length:
        x = (np.arange(frames) * hop_length / sample_rate).astype(np.float32)
        x_title, x_fmt = "time (s)", "%{x:.3f} s"
    else:
        x, x_title, x_fmt = np.arange(frames), "frame", "frame %{x}"
    hover = f"{x_fmt}<br>mel band %{{y}}<br>%{{z:.1f}} {colorbar_title}<extra></extra>"
    custom = None
    if sample_rate and f_min is not None and f_max is not None:
        import librosa  # only needed for the band frequencies

        centres = librosa.mel_frequencies(n_mels=n_mels + 2, fmin=float(f_min), fmax=float(f_max))[1:-1]
        custom = np.repeat(centres[:, None], frames, axis=1).astype(np.float32)
        hover = f"{x_fmt}<br>mel band %{{y}} (~%{{customdata:.0f}} Hz)<br>%{{z:.1f}} {colorbar_title}<extra></extra>"
    fig = go.Figure(go.Heatmap(
        z=spec, x=x, y=np.arange(n_mels), colorscale="Magma", customdata=custom,
        colorbar={"title": {"text": colorbar_title}}, hovertemplate=hover,
    ))  # fmt: skip
    return apply_layout(fig, title, xaxis={"title": {"text": x_title}}, yaxis={"title": {"text": "mel band"}})
