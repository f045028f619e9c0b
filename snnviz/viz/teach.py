"""Figures for the Learn page: one neuron, spike encodings, surrogate gradients, margins on the circle.

Pure functions: objects from :mod:`snnviz.teach` in, ``plotly.graph_objects.Figure`` out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from snnviz.viz._style import apply_layout, class_colors

__all__ = [
    "lif_figure",
    "surrogate_figure",
    "encoding_frames_figure",
    "raster_figure",
    "margin_regions_figure",
    "margin_loss_figure",
    "toy_training_figure",
    "toy_metrics_figure",
]

_SPIKE = "#222222"
_THRESHOLD = "#e15759"
_GAP = "rgba(200, 200, 200, 0.35)"


def _row_of_axes(fig: go.Figure, titles: Sequence[str], *, gap: float = 0.03, square: bool = False) -> list[dict]:
    """Lay out ``len(titles)`` side-by-side panels (a light ``make_subplots``); return each panel's axis refs.

    ``make_subplots`` costs ~0.1 s on a busy 2-core machine; these figures rebuild on every slider move.
    """
    n = len(titles)
    width = (1.0 - gap * (n - 1)) / n
    layout: dict = {"annotations": []}
    refs = []
    for i, title in enumerate(titles):
        suffix = "" if i == 0 else str(i + 1)
        lo = i * (width + gap)
        layout[f"xaxis{suffix}"] = {"domain": [lo, lo + width], "anchor": f"y{suffix}"}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", **({"scaleanchor": f"x{suffix}"} if square else {})}
        layout["annotations"].append({"text": title, "x": lo + width / 2, "y": 1.0, "xref": "paper", "yref": "paper",
                                      "xanchor": "center", "yanchor": "bottom", "showarrow": False})
        refs.append({"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
    fig.update_layout(**layout)
    return refs


def _rgba(hex_color: str, alpha: float) -> str:
    if not hex_color.startswith("#"):
        return hex_color
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def lif_figure(trace) -> go.Figure:
    """Input current, membrane potential with the threshold, and output spikes on one time axis.

    Parameters
    ----------
    trace : snnviz.teach.lif.LIFTrace

    Returns
    -------
    go.Figure
        Three stacked panels sharing the time axis; the title gives the spike
        count and firing rate.
    """
    t = np.arange(trace.num_steps)
    fired = t[trace.spikes > 0]
    layout = {  # three stacked panels on one time axis (bottom to top: spikes, membrane, input)
        "xaxis": {"anchor": "y", "title": {"text": "time step t"}},
        "yaxis": {"domain": [0.0, 0.18], "title": {"text": "S"}, "range": [0.5, 1.5], "showticklabels": False},
        "yaxis2": {"domain": [0.23, 0.70], "title": {"text": "U"}, "anchor": "x"},
        "yaxis3": {"domain": [0.75, 1.0], "title": {"text": "I"}, "anchor": "x"},
    }
    fig = go.Figure([
        go.Scatter(x=t, y=trace.current, name="input current I[t]", line={"shape": "hv", "color": "#f28e2b"},
                   yaxis="y3"),
        go.Scatter(x=t, y=trace.membrane, name="membrane U[t]", line={"color": "#4e79a7"}, yaxis="y2"),
        go.Scatter(x=[0, max(trace.num_steps - 1, 1)], y=[trace.threshold] * 2, name="threshold U_thr", mode="lines",
                   line={"color": _THRESHOLD, "dash": "dash"}, yaxis="y2"),
        go.Scatter(x=fired, y=np.ones_like(fired, dtype=float), name="output spikes S[t]", mode="markers", yaxis="y",
                   marker={"symbol": "line-ns-open", "size": 18, "color": _SPIKE, "line": {"width": 2}}),
    ], layout=layout)
    title = (f"{trace.spike_count} spikes in {trace.num_steps} steps<br><sup>β={trace.beta:g}, "
             f"U_thr={trace.threshold:g}, reset={trace.reset_mechanism}</sup>")
    return apply_layout(fig, title, height=460, legend={"orientation": "h", "y": -0.15})


def surrogate_figure(curves: Sequence) -> go.Figure:
    """The Heaviside spike (forward) and each surrogate's derivative (backward).

    Parameters
    ----------
    curves : sequence of snnviz.teach.surrogates.SurrogateCurve

    Returns
    -------
    go.Figure
        Left: the forward pass ``S = Θ(U − U_thr)``, the same for every
        surrogate; right: ``dS/dU`` as autograd computes it for each.
    """
    if not curves:
        raise ValueError("The 'curves' parameter must hold at least one SurrogateCurve. Got an empty sequence.")
    fig = go.Figure()
    left, right = _row_of_axes(fig, ["forward: Heaviside step", "backward: surrogate dS/dU"], gap=0.08)
    first = curves[0]
    traces = [go.Scatter(x=first.x, y=first.spike, name="Θ(U − U_thr)", line={"color": _SPIKE, "shape": "hv"}, **left)]
    colors = class_colors(max(len(curves), 1))
    for curve, color in zip(curves, colors):
        label = curve.name if curve.name == "straight_through" else f"{curve.name} ({curve.slope:g})"
        traces.append(go.Scatter(x=curve.x, y=curve.gradient, name=label, line={"color": color}, **right))
    fig.add_traces(traces)
    fig.update_xaxes(title_text="U − U_thr")
    return apply_layout(fig, "", height=380, legend={"orientation": "h", "y": -0.25, "x": 0.0},
                        margin={"l": 50, "r": 10, "t": 40, "b": 40})


def _animation_controls(labels: Sequence[str], duration: int = 200) -> dict:
    steps = [{"args": [[lab], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}], "label": lab,
              "method": "animate"} for lab in labels]
    play = {"type": "buttons", "direction": "left", "showactive": False, "x": 0.0, "y": 0.0, "xanchor": "left",
            "yanchor": "top", "pad": {"t": 100},
            "buttons": [{"label": "▶", "method": "animate",
                         "args": [None, {"frame": {"duration": duration, "redraw": True}, "fromcurrent": True}]},
                        {"label": "❚❚", "method": "animate",
                         "args": [[None], {"frame": {"duration": 0}, "mode": "immediate"}]}]}
    slider = {"active": 0, "steps": steps, "x": 0.0, "len": 1.0, "y": 0.0, "yanchor": "top", "pad": {"t": 30},
              "currentvalue": {"prefix": "step ", "font": {"size": 12}}, "font": {"size": 10}}
    return {"updatemenus": [play], "sliders": [slider]}


def encoding_frames_figure(encoding, title: str = "", *, image: bool = True) -> go.Figure:
    """Animate an encoding step by step (rate, latency, direct) or show delta's event map.

    Parameters
    ----------
    encoding : snnviz.teach.encodings.Encoding
    title : str
    image : bool
        True for an image (row 0 at the top), False for a spectrogram (low bands at the bottom).

    Returns
    -------
    go.Figure
        For ``(T, H, W)`` encodings, a heatmap of step 0 with one animation frame
        per step (play button and slider). For delta, a heatmap of the on (+1) and
        off (−1) events with the consumed axis as x.
    """
    spikes = encoding.spikes
    if encoding.method == "delta":
        fig = go.Figure(go.Heatmap(z=spikes.T, zmin=-1, zmax=1, colorscale=[[0, "#4e79a7"], [0.5, "white"],
                                   [1, "#e15759"]], colorbar={"title": "event"}))
        fig.update_xaxes(title_text=f"time = input {encoding.time_axis}")
        fig.update_yaxes(title_text="image row" if image else "mel band", autorange="reversed" if image else True)
        return apply_layout(fig, title or f"delta: {encoding.spike_count} events", height=400)
    analog = encoding.method == "direct"
    zmax = float(max(spikes.max(), 1e-6)) if analog else 1.0
    scale = "Viridis" if analog else [[0, "white"], [1, _SPIKE]]
    fig = go.Figure(go.Heatmap(z=spikes[0], zmin=0.0, zmax=zmax, colorscale=scale, showscale=analog),
                    frames=[go.Frame(data=[go.Heatmap(z=frame)], name=str(t)) for t, frame in enumerate(spikes)])
    if image:
        fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain")
        fig.update_xaxes(constrain="domain")
    else:
        fig.update_xaxes(title_text="frame")
        fig.update_yaxes(title_text="mel band")
    fig.update_layout(**_animation_controls([str(t) for t in range(len(spikes))]))
    return apply_layout(fig, title or f"{encoding.method}: frame by frame", height=440,
                        margin={"l": 50, "r": 10, "t": 50, "b": 150})


def raster_figure(encoding, title: str = "", max_neurons: int = 4096) -> go.Figure:
    """A ``(neurons × time)`` raster of an encoding, every input value one neuron.

    Parameters
    ----------
    encoding : snnviz.teach.encodings.Encoding
    title : str
    max_neurons : int
        At most this many rows are drawn (evenly strided); the figure says so.
    """
    raster = encoding.raster.T  # (N, T)
    stride = max(1, math.ceil(raster.shape[0] / max_neurons))
    shown = raster[::stride]
    analog = encoding.method == "direct"
    if analog:
        scale, zmin = "Viridis", 0.0
    elif encoding.method == "delta":
        scale, zmin = [[0, "#4e79a7"], [0.5, "white"], [1, "#e15759"]], -1.0
    else:
        scale, zmin = [[0, "white"], [1, _SPIKE]], 0.0
    fig = go.Figure(go.Heatmap(z=shown, zmin=zmin, zmax=float(max(raster.max(), 1e-6)) if analog else 1.0,
                               colorscale=scale, showscale=analog))
    fig.update_xaxes(title_text="time step")
    fig.update_yaxes(title_text="neuron (input value)", autorange="reversed")
    note = f"every {stride}th of {raster.shape[0]:,} neurons" if stride > 1 else f"{raster.shape[0]:,} neurons"
    what = "input current" if analog else f"{encoding.spike_count:,} spikes"
    return apply_layout(fig, title or f"raster: {what}<br><sup>{note}</sup>", height=400)


def _sector(start: float, end: float, radius: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    arc = np.linspace(start, end, max(3, int(abs(end - start) / 0.02)))
    return np.concatenate(([0.0], radius * np.cos(arc), [0.0])), np.concatenate(([0.0], radius * np.sin(arc), [0.0]))


def margin_regions_figure(regions: Sequence, titles: Sequence[str] | None = None) -> go.Figure:
    """Each loss's decision regions on the unit circle, side by side.

    Parameters
    ----------
    regions : sequence of snnviz.teach.margins.RegionMap
    titles : sequence of str, optional
        One subplot title per map (default: the loss names).

    Returns
    -------
    go.Figure
        Shaded sectors where each class wins with its margin (class colours),
        grey sectors where no class does (the margin gaps), and the class weight
        vectors as arrows. Each panel has one trace per class and one named
        "gap"; its ``meta`` lists the ``[start, end]`` angles (radians) of its sectors.
    """
    if not regions:
        raise ValueError("The 'regions' parameter must hold at least one RegionMap. Got an empty sequence.")
    titles = list(titles) if titles is not None else [r.loss for r in regions]
    fig = go.Figure()
    refs = _row_of_axes(fig, titles, gap=0.01, square=True)
    colors = class_colors(len(regions[0].angles))
    circle = np.linspace(0, 2 * math.pi, 181)
    traces = []
    for col, (region, ref) in enumerate(zip(regions, refs)):
        arcs: dict[int, list[tuple[float, float]]] = {}
        for owner, start, end in region.arcs():
            arcs.setdefault(owner, []).append((start, end))
        for owner, spans in sorted(arcs.items()):  # one trace per class (and one for the gaps), sectors split by None
            xs, ys = [], []
            for start, end in spans:
                sx, sy = _sector(start, end)
                xs += [*sx, None]
                ys += [*sy, None]
            gap = owner < 0
            widths = ", ".join(f"{math.degrees(b - a):.1f}°" for a, b in spans)
            traces.append(go.Scatter(x=xs, y=ys, fill="toself", mode="lines", line={"width": 0.5, "color": "white"},
                                     fillcolor=_GAP if gap else _rgba(colors[owner], 0.45), hoverinfo="text",
                                     text=f"margin gaps {widths}" if gap else f"class {owner}",
                                     name="gap" if gap else f"class {owner}", showlegend=False,
                                     meta=[list(span) for span in spans], **ref))
        traces.append(go.Scatter(x=np.cos(circle), y=np.sin(circle), mode="lines", line={"color": "#999", "width": 1},
                                 hoverinfo="skip", showlegend=False, **ref))
        for k, angle in enumerate(region.angles):
            traces.append(go.Scatter(x=[0, math.cos(angle)], y=[0, math.sin(angle)], mode="lines+markers",
                                     line={"color": colors[k], "width": 3}, marker={"size": [0, 9], "color": colors[k]},
                                     name=f"w{k}", showlegend=col == 0, legendgroup=f"w{k}", **ref))
    fig.add_traces(traces)
    fig.update_xaxes(visible=False, range=[-1.15, 1.15])
    fig.update_yaxes(visible=False, range=[-1.15, 1.15])
    return apply_layout(fig, "", height=300, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                        legend={"orientation": "h", "y": 0.0, "x": 0.5, "xanchor": "center", "yanchor": "top"})


def margin_loss_figure(phi: np.ndarray, curves: dict[str, np.ndarray], angles: np.ndarray, target: int = 0
                       ) -> go.Figure:
    """Loss paid by a sample of class ``target`` as its embedding sweeps around the circle.

    Parameters
    ----------
    phi : np.ndarray
        Embedding angles ``(N,)``.
    curves : dict of str to np.ndarray
        Loss name -> loss values ``(N,)``.
    angles : np.ndarray
        Class weight angles ``(C,)``; dotted lines mark the other classes.
    target : int
    """
    rel = np.degrees(np.mod(phi - angles[target] + math.pi, 2 * math.pi) - math.pi)
    order = np.argsort(rel)
    fig = go.Figure()
    dashes = ("solid", "dot", "dash", "longdash", "dashdot")  # softmax with |x| = s and NormFace coincide
    for k, (name, values) in enumerate(curves.items()):
        fig.add_trace(go.Scatter(x=rel[order], y=values[order], name=name,
                                 line={"color": class_colors(10)[k + 5], "dash": dashes[k % 5], "width": 2.5}))
    for k, angle in enumerate(angles):
        if k != target:
            x = math.degrees((angle - angles[target] + math.pi) % (2 * math.pi) - math.pi)
            fig.add_vline(x=x, line={"dash": "dot", "color": class_colors(len(angles))[k]})
    fig.update_xaxes(title_text=f"angle from w{target} (degrees)")
    fig.update_yaxes(title_text="loss (nats)")
    return apply_layout(fig, f"loss of a class-{target} sample around the circle", height=320)


def toy_training_figure(runs: Sequence, max_frames: int = 61) -> go.Figure:
    """Animate toy training runs side by side: normalised embeddings and class weights on the circle.

    Parameters
    ----------
    runs : sequence of snnviz.teach.toy.ToyRun
        Runs with the same snapshots (same data, steps and ``record_every``).
    max_frames : int
        At most this many frames are kept (evenly strided).

    Returns
    -------
    go.Figure
        One subplot per run; each class's points sit on their own ring (radius
        1 + 0.06 k) so overlapping classes stay visible. Play and slider step
        through training.
    """
    if not runs:
        raise ValueError("The 'runs' parameter must hold at least one ToyRun. Got an empty sequence.")
    num_classes = int(runs[0].weights.shape[1])
    colors = class_colors(num_classes)
    fig = go.Figure()
    refs = _row_of_axes(fig, [r.loss for r in runs], square=True)
    keep = np.unique(np.linspace(0, len(runs[0].steps) - 1, min(max_frames, len(runs[0].steps))).astype(int))
    circle = np.linspace(0, 2 * math.pi, 181)

    def traces(frame: int) -> list[go.Scatter]:
        out = []
        for run, ref in zip(runs, refs):
            radius = 1.0 + 0.06 * run.labels
            pts = run.points[frame]
            for k in range(num_classes):
                sel = run.labels == k
                out.append(go.Scatter(x=pts[sel, 0] * radius[sel], y=pts[sel, 1] * radius[sel], mode="markers",
                                      marker={"size": 5, "color": colors[k]}, name=f"class {k}", **ref))
            w = run.weights[frame]
            for k in range(num_classes):
                out.append(go.Scatter(x=[0, w[k, 0]], y=[0, w[k, 1]], mode="lines", line={"color": colors[k],
                                      "width": 3}, name=f"w{k}", **ref))
        return out

    first = traces(int(keep[0]))
    for i, tr in enumerate(first):
        tr.update(showlegend=i < num_classes, legendgroup=tr.name)
    fig.add_traces(first + [go.Scatter(x=np.cos(circle), y=np.sin(circle), mode="lines", hoverinfo="skip",
                                       line={"color": "#bbb", "width": 1}, showlegend=False, **ref) for ref in refs])
    labels = [str(int(runs[0].steps[f])) for f in keep]
    fig.frames = [go.Frame(data=traces(int(f)), traces=list(range(len(first))), name=lab)
                  for f, lab in zip(keep, labels)]
    fig.update_xaxes(visible=False, range=[-1.5, 1.5])
    fig.update_yaxes(visible=False, range=[-1.5, 1.5])
    fig.update_layout(**_animation_controls(labels, duration=120))
    note = f" (every {len(runs[0].steps) // len(keep)}th snapshot)" if len(keep) < len(runs[0].steps) else ""
    return apply_layout(fig, f"training step by step{note}", height=500, margin={"l": 10, "r": 10, "t": 80, "b": 140})


def toy_metrics_figure(runs: Sequence) -> go.Figure:
    """Intra-class spread and the smallest angle between class means (degrees) over training, one line per run."""
    fig = go.Figure()
    left, right = _row_of_axes(fig, ["mean intra-class angle (°)", "min inter-class angle (°)"], gap=0.12)
    traces = []
    for k, run in enumerate(runs):
        color = class_colors(10)[k + 5]
        traces.append(go.Scatter(x=run.steps, y=np.degrees(run.intra), name=run.loss, line={"color": color},
                                 legendgroup=run.loss, **left))
        traces.append(go.Scatter(x=run.steps, y=np.degrees(run.inter), name=run.loss, line={"color": color},
                                 legendgroup=run.loss, showlegend=False, **right))
    fig.add_traces(traces)
    fig.update_xaxes(title_text="step")
    return apply_layout(fig, "", height=300, legend={"orientation": "h", "y": -0.3, "x": 0.0},
                        margin={"l": 40, "r": 10, "t": 40, "b": 40})
