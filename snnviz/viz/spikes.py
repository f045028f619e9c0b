"""Spikes over time: an animated raster, membrane traces and animated feature maps.

All three take a :class:`~snnviz.recording.LayerRecord` (``spikes`` ``(T, B, N)``,
``membrane``, ``threshold``, ``shape``, ``neuron_index``) and the index of one
sample in its batch, and share one time axis: x = time step ``0 .. T-1``.
A neuron is named by its index in the layer's flattened feature map, the same
in every figure (hover on the raster, ``neurons=`` of :func:`membrane_figure`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from snnviz.viz._style import apply_layout, branch_color, class_colors, subsample_note, to_numpy, with_note

__all__ = ["raster_figure", "membrane_figure", "feature_map_figure", "animation_controls"]


def _layer_arrays(layer: Any, sample: int) -> dict[str, Any]:
    """Spikes ``(T, N)``, membrane ``(T, N)`` or None, true neuron ids ``(N,)`` and metadata of one sample."""
    spikes = to_numpy(layer.spikes, "spikes", ndim=3).astype(bool)
    steps, batch, n = spikes.shape
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)) or not 0 <= sample < batch:
        raise ValueError(f"The 'sample' parameter must be an index in [0, {batch - 1}]. Got {sample!r}.")
    membrane = None
    if getattr(layer, "membrane", None) is not None:
        membrane = to_numpy(layer.membrane, "membrane", ndim=3, dtype=np.float32)[:, sample]
    index = getattr(layer, "neuron_index", None)
    ids = np.arange(n) if index is None else to_numpy(index, "neuron_index", ndim=1).astype(np.int64)
    shape = tuple(getattr(layer, "shape", (n,)))
    return {
        "spikes": spikes[:, sample], "membrane": membrane, "ids": ids, "steps": steps, "shape": shape,
        "total": int(np.prod(shape)), "name": getattr(layer, "name", "layer"),
        "branch": getattr(layer, "branch", ""), "threshold": float(getattr(layer, "threshold", 1.0)),
    }  # fmt: skip


def animation_controls(frame_names: Sequence[str], *, duration_ms: int = 400, redraw: bool = False,
                       prefix: str = "step ") -> dict[str, Any]:
    """Layout entries (``updatemenus`` and ``sliders``) for play/pause buttons and a step slider.

    Play always runs every frame from the first; the slider starts on the last
    frame, which is what the figure shows before playing.
    """
    names = [str(n) for n in frame_names]
    play = {"frame": {"duration": duration_ms, "redraw": redraw}, "mode": "immediate", "fromcurrent": False,
            "transition": {"duration": 0}}
    pause = {"frame": {"duration": 0, "redraw": redraw}, "mode": "immediate", "transition": {"duration": 0}}
    steps = [{"args": [[nm], {**pause}], "label": nm, "method": "animate"} for nm in names]
    return {
        "updatemenus": [{
            "type": "buttons", "direction": "left", "showactive": False, "x": 0.0, "y": -0.12,
            "xanchor": "left", "yanchor": "top", "pad": {"t": 0, "r": 10},
            "buttons": [{"label": "▶ play", "method": "animate", "args": [names, play]},
                        {"label": "❚❚ pause", "method": "animate", "args": [[None], pause]}],
        }],
        "sliders": [{
            "active": len(names) - 1, "steps": steps, "x": 0.18, "len": 0.82, "y": -0.08, "yanchor": "top",
            "currentvalue": {"prefix": prefix, "visible": True}, "pad": {"t": 10},
        }],
    }  # fmt: skip


def _pick(count: int, limit: int, seed: int) -> np.ndarray:
    if count <= limit:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).choice(count, size=limit, replace=False))


def raster_figure(
    layer: Any,
    sample: int = 0,
    *,
    max_neurons: int = 256,
    seed: int = 0,
    animate: bool = True,
    duration_ms: int = 400,
    title: str | None = None,
) -> go.Figure:
    """Spike raster of one layer for one sample, animated step by step.

    Parameters
    ----------
    layer : LayerRecord
        A recorded layer (``rec.recording["audio.lif1"]``).
    sample : int
        Index of the sample in the recorded batch.
    max_neurons : int
        Show at most this many neurons (a seeded random subset, kept in index
        order); the title says "showing n of N neurons" when some are hidden
        (N counts the whole layer, also when the recording kept fewer).
    seed : int
        Seed of that subset.
    animate : bool
        Add one frame per step (spikes accumulate up to the current step, the
        current step's spikes drawn larger), play/pause buttons and a slider.
        The figure at rest shows every step.
    duration_ms : int
        Milliseconds per frame when playing.
    title : str, optional
        Defaults to the layer name.

    Returns
    -------
    plotly.graph_objects.Figure
        Two scatter traces (earlier spikes, spikes of the current step) with
        x = step, y = row of the neuron (0 .. n-1), ``customdata`` = the neuron's
        index in the layer; ``T`` frames when animated.
    """
    if isinstance(max_neurons, bool) or not isinstance(max_neurons, (int, np.integer)) or max_neurons < 1:
        raise ValueError(f"The 'max_neurons' parameter must be an int >= 1. Got {max_neurons!r}.")
    a = _layer_arrays(layer, sample)
    spikes, steps = a["spikes"], a["steps"]
    rows = _pick(spikes.shape[1], int(max_neurons), seed)
    shown = spikes[:, rows]  # (T, n)
    t_idx, r_idx = np.nonzero(shown)  # sorted by step
    ids = a["ids"][rows]
    color = branch_color(a["branch"])

    def traces(upto: int) -> list[go.Scatter]:
        past, now = t_idx < upto, t_idx == upto
        out = []
        for mask, size, opacity, name in ((past, 5, 0.55, "earlier steps"), (now, 8, 1.0, "this step")):
            out.append(go.Scatter(
                x=t_idx[mask].astype(np.int16), y=r_idx[mask].astype(np.int32), customdata=ids[r_idx[mask]],
                mode="markers", name=name, marker={"symbol": "line-ns-open", "size": size, "color": color,
                                                   "opacity": opacity, "line": {"width": 2}},
                hovertemplate="step %{x}<br>neuron %{customdata}<extra></extra>",
            ))  # fmt: skip
        return out

    fig = go.Figure(traces(steps - 1))
    total_spikes = int(shown.sum())
    note = subsample_note(rows.size, a["total"], "neurons")
    head = title if title is not None else f"{a['name']}: {total_spikes:,} spikes"
    layout: dict[str, Any] = {
        "xaxis": {"title": {"text": "time step"}, "range": [-0.5, steps - 0.5], "dtick": max(1, steps // 16)},
        "yaxis": {"title": {"text": "neuron"}, "range": [-0.5, rows.size - 0.5]},
        "showlegend": False,
    }
    if animate:
        fig.frames = [go.Frame(data=traces(t), name=str(t), traces=[0, 1]) for t in range(steps)]
        layout.update(animation_controls([str(t) for t in range(steps)], duration_ms=duration_ms))
        layout["margin"] = {"l": 60, "r": 20, "t": 70, "b": 110}
    return apply_layout(fig, with_note(head, note), **layout)


def _positions(ids: np.ndarray, neurons: Sequence[int], name: str) -> np.ndarray:
    lookup = {int(v): i for i, v in enumerate(ids)}
    missing = [int(n) for n in neurons if int(n) not in lookup]
    if missing:
        raise ValueError(
            f"The 'neurons' parameter names neuron(s) {missing[:5]} that layer {name!r} did not record "
            f"({len(ids):,} recorded; pick them from the raster)."
        )
    return np.array([lookup[int(n)] for n in neurons], dtype=np.int64)


def membrane_figure(
    layer: Any,
    sample: int = 0,
    *,
    neurons: Sequence[int] | None = None,
    max_traces: int = 8,
    title: str | None = None,
) -> go.Figure:
    """Membrane potential of a few neurons over steps, with the threshold and the spikes.

    Parameters
    ----------
    layer : LayerRecord
        A layer recorded with membranes.
    sample : int
        Index of the sample in the recorded batch.
    neurons : sequence of int, optional
        Neuron indices in the layer (as shown on the raster). By default the
        ``max_traces`` most active neurons of this sample (ties by index).
    max_traces : int
        Most neurons drawn; extra entries of ``neurons`` are dropped and the
        title says so.
    title : str, optional
        Defaults to the layer name.

    Returns
    -------
    plotly.graph_objects.Figure
        Per neuron a line (x = step) and a marker trace at the steps it fired;
        a dashed horizontal line at the threshold.

    Raises
    ------
    ValueError
        If the layer has no membranes or a requested neuron was not recorded.
    """
    a = _layer_arrays(layer, sample)
    if a["membrane"] is None:
        raise ValueError(f"Layer {a['name']!r} was recorded without membranes; record with membrane=True.")
    spikes, mem, ids = a["spikes"], a["membrane"], a["ids"]
    if neurons is None:
        order = np.lexsort((ids, -spikes.sum(axis=0)))  # most spikes first, then lowest index
        pos = np.sort(order[: max_traces])
        requested = pos.size
    else:
        pos = _positions(ids, list(neurons), a["name"])
        requested = pos.size
        pos = pos[:max_traces]
    colors = class_colors(max(pos.size, 1))
    steps = np.arange(a["steps"], dtype=np.int16)
    fig = go.Figure()
    for color, p in zip(colors, pos):
        nid = int(ids[p])
        fired = np.flatnonzero(spikes[:, p])
        fig.add_trace(go.Scatter(x=steps, y=mem[:, p], mode="lines", name=f"neuron {nid}", legendgroup=str(nid),
                                 line={"color": color, "width": 2},
                                 hovertemplate="step %{x}: U = %{y:.3f}<extra>neuron " + str(nid) + "</extra>"))
        fig.add_trace(go.Scatter(x=fired.astype(np.int16), y=mem[fired, p], mode="markers", name=f"spikes {nid}",
                                 legendgroup=str(nid), showlegend=False,
                                 marker={"symbol": "star", "size": 11, "color": color, "line": {"color": "#000000",
                                                                                                  "width": 1}},
                                 hovertemplate="spike at step %{x}<extra>neuron " + str(nid) + "</extra>"))
    fig.add_hline(y=a["threshold"], line_dash="dash", line_color="#444444",
                  annotation_text=f"threshold {a['threshold']:g}", annotation_position="top left")
    note = f"showing {pos.size} of {requested} requested neurons" if pos.size < requested else ""
    return apply_layout(
        fig, with_note(title if title is not None else f"{a['name']}: membrane potential", note),
        xaxis={"title": {"text": "time step"}, "range": [-0.5, a["steps"] - 0.5], "dtick": max(1, a["steps"] // 16)},
        yaxis={"title": {"text": "membrane U"}},
    )  # fmt: skip


def feature_map_figure(
    layer: Any,
    sample: int = 0,
    *,
    value: str = "spikes",
    max_channels: int = 16,
    max_values: int = 600_000,
    animate: bool = True,
    duration_ms: int = 500,
    title: str | None = None,
) -> go.Figure:
    """A grid of small heatmaps, one per channel of a conv layer, animated over steps.

    Parameters
    ----------
    layer : LayerRecord
        A conv layer (``shape`` = ``(C, H, W)``). When the recording kept only
        some neurons, the others are left blank.
    sample : int
        Index of the sample in the recorded batch.
    value : {"spikes", "membrane"}
        What the heatmaps show.
    max_channels : int
        Show at most this many channels: the most active ones for this sample
        (in channel order); the title says so.
    max_values : int
        Cap on ``channels · H · W · T`` values in the figure; fewer channels are
        shown when it is exceeded, to keep the figure light.
    animate : bool
        One frame per step with play/pause and a slider; at rest the figure
        shows the last step.
    duration_ms : int
        Milliseconds per frame when playing.
    title : str, optional
        Defaults to the layer name.

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap per shown channel sharing one colour axis; ``T`` frames
        when animated.
    """
    if value not in ("spikes", "membrane"):
        raise ValueError(f"The 'value' parameter must be one of spikes, membrane. Got {value!r}.")
    a = _layer_arrays(layer, sample)
    if len(a["shape"]) != 3:
        raise ValueError(f"Layer {a['name']!r} is not a conv layer: its shape is {a['shape']}, not (C, H, W).")
    if value == "membrane" and a["membrane"] is None:
        raise ValueError(f"Layer {a['name']!r} was recorded without membranes; record with membrane=True.")
    c, h, w = a["shape"]
    steps = a["steps"]
    src = a["spikes"] if value == "spikes" else a["membrane"]
    full = a["ids"].size == a["total"]
    dtype = np.uint8 if value == "spikes" and full else np.float32
    maps = np.full((steps, c * h * w), np.nan if dtype == np.float32 else 0, dtype=dtype)
    maps[:, a["ids"]] = src
    maps = maps.reshape(steps, c, h, w)
    budget = max(1, min(int(max_channels), max_values // max(h * w * steps, 1)))
    activity = np.zeros(c)
    np.add.at(activity, a["ids"] // (h * w), a["spikes"].sum(axis=0))
    chans = np.sort(np.lexsort((np.arange(c), -activity))[:budget])
    cols = math.ceil(math.sqrt(chans.size))
    nrows = math.ceil(chans.size / cols)
    fig = make_subplots(rows=nrows, cols=cols, subplot_titles=[f"ch {k}" for k in chans],
                        horizontal_spacing=0.02, vertical_spacing=0.06 if nrows > 1 else 0.0)

    def heatmaps(t: int) -> list[go.Heatmap]:
        return [go.Heatmap(z=maps[t, k], coloraxis="coloraxis", name=f"ch {k}",
                           hovertemplate=f"ch {k}" + " (%{y}, %{x}): %{z}<extra></extra>") for k in chans]

    for i, trace in enumerate(heatmaps(steps - 1)):
        fig.add_trace(trace, row=i // cols + 1, col=i % cols + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, autorange="reversed" if a["branch"] != "audio" else True)
    if value == "spikes":
        coloraxis = {"colorscale": [[0, "#f7f7f7"], [1, branch_color(a["branch"])]], "cmin": 0, "cmax": 1,
                     "showscale": False}
    else:
        finite = src[np.isfinite(src)]
        lim = float(np.max(np.abs(finite))) if finite.size else 1.0
        coloraxis = {"colorscale": "RdBu", "reversescale": True, "cmin": -lim, "cmax": lim,
                     "colorbar": {"title": {"text": "U"}}}
    layout: dict[str, Any] = {"coloraxis": coloraxis}
    if animate:
        fig.frames = [go.Frame(data=heatmaps(t), name=str(t), traces=list(range(chans.size))) for t in range(steps)]
        layout.update(animation_controls([str(t) for t in range(steps)], duration_ms=duration_ms, redraw=True))
        layout["margin"] = {"l": 20, "r": 20, "t": 90, "b": 110}
    note = subsample_note(chans.size, c, "channels")
    head = title if title is not None else f"{a['name']}: {value} per channel ({h}×{w})"
    return apply_layout(fig, with_note(head, note), **layout)
