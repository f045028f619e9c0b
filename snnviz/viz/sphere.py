"""Where samples land on the hypersphere: a 3-D globe and a flat equal-area map.

Both take the output of :class:`snnviz.analysis.projection.SphereProjection`
(``xyz_`` for the globe, ``lonlat_`` or ``map_xy_`` for the map) as plain arrays.
The globe is for looking; the map is for lasso selection (Plotly 3-D scatter has
no selection), so each of its points carries ``customdata`` = the sample index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from snnviz.viz._style import (
    GRID_COLOR,
    apply_layout,
    check_labels,
    class_colors,
    class_names,
    stratified_subsample,
    subsample_note,
    to_numpy,
    with_note,
)

__all__ = ["sphere_figure", "map_figure", "MAP_KINDS"]

MAP_KINDS = ("lonlat", "map_xy")
_HIGHLIGHT = {"size": 11, "color": "#111111", "symbol": "diamond", "line": {"color": "#ffffff", "width": 2}}


def _wireframe(step_deg: int = 30, resolution: int = 61) -> go.Scatter3d:
    """One faint line trace with meridians and parallels of the unit sphere."""
    t = np.linspace(0, 2 * np.pi, resolution)
    xs: list[float | None] = []
    ys: list[float | None] = []
    zs: list[float | None] = []
    for lon in np.deg2rad(np.arange(0, 180, step_deg)):  # full great circles through the poles
        xs += list(np.cos(t) * np.cos(lon)) + [None]
        ys += list(np.cos(t) * np.sin(lon)) + [None]
        zs += list(np.sin(t)) + [None]
    for lat in np.deg2rad(np.arange(-90 + step_deg, 90, step_deg)):
        xs += list(np.cos(lat) * np.cos(t)) + [None]
        ys += list(np.cos(lat) * np.sin(t)) + [None]
        zs += list(np.full_like(t, np.sin(lat))) + [None]
    def tidy(values: list[float | None]) -> list[float | None]:
        return [None if v is None else round(float(v), 4) for v in values]

    return go.Scatter3d(
        x=tidy(xs), y=tidy(ys), z=tidy(zs), mode="lines", name="sphere",
        line={"color": GRID_COLOR, "width": 1}, hoverinfo="skip", showlegend=False,
    )  # fmt: skip


def _hover(
    idx: np.ndarray,
    labels: np.ndarray,
    names: list[str],
    predictions: np.ndarray | None,
    sample_ids: Sequence[str] | None,
) -> list[str]:
    out = []
    for i in idx:
        sid = sample_ids[i] if sample_ids is not None else f"#{i}"
        text = f"{sid}<br>class: {names[labels[i]]}"
        if predictions is not None:
            pred = names[predictions[i]]
            text += f"<br>predicted: {pred}" + ("" if predictions[i] == labels[i] else " ✗")
        out.append(text)
    return out


def _prepare(
    points: Any,
    labels: Any,
    classes: Sequence[str] | None,
    predictions: Any,
    sample_ids: Sequence[str] | None,
    width: int,
    name: str,
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray | None]:
    pts = to_numpy(points, name, ndim=2, dtype=np.float64)
    if pts.shape[1] != width:
        raise ValueError(f"The '{name}' parameter must have shape (N, {width}). Got {pts.shape}.")
    lab = to_numpy(labels, "labels", ndim=1)
    names = class_names(classes, lab.astype(np.int64) if lab.size else None)
    lab = check_labels(lab, pts.shape[0], len(names))
    pred = None if predictions is None else check_labels(predictions, pts.shape[0], len(names), "predictions")
    if sample_ids is not None and len(sample_ids) != pts.shape[0]:
        raise ValueError(f"The 'sample_ids' parameter must have {pts.shape[0]} entries. Got {len(sample_ids)}.")
    return pts, lab, names, pred


def sphere_figure(
    xyz: Any,
    labels: Any,
    classes: Sequence[str] | None = None,
    *,
    predictions: Any = None,
    sample_ids: Sequence[str] | None = None,
    highlight: int | Any | None = None,
    highlight_label: str = "selected",
    class_means: Any = None,
    show_means: bool = True,
    max_points: int = 5000,
    seed: int = 0,
    title: str = "Embeddings on the sphere",
) -> go.Figure:
    """Draw points on a 3-D unit globe, one colour per class.

    Parameters
    ----------
    xyz : array-like, shape (N, 3)
        Points on (or near) the unit sphere; they are re-normalised for drawing.
    labels : array-like of int, shape (N,)
        True class index of each point.
    classes : sequence of str, optional
        Class names (index -> name); defaults to "0", "1", ...
    predictions : array-like of int, shape (N,), optional
        Predicted class, shown in the hover text (a wrong one is marked ✗).
    sample_ids : sequence of str, optional
        Sample identifiers shown in the hover text.
    highlight : int or array-like of shape (3,), optional
        A point to emphasise: the index of a sample, or a position on the
        sphere (e.g. an uploaded sample passed through ``transform``).
    highlight_label : str
        Legend name of the highlighted point.
    class_means : array-like, shape (K, 3), optional
        Class mean directions to draw as lines from the origin. By default the
        normalised mean of each class's drawn points is used; pass the
        projection of the true D-dimensional means for the exact ones.
    show_means : bool
        Draw the class mean directions.
    max_points : int
        Draw at most this many points (a class-stratified random subset, seeded
        by ``seed``); the title says so when points were dropped.
    seed : int
        Seed of the subsampling.
    title : str
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: the wireframe, one scatter per class present (``customdata`` =
        sample index), one line per class mean, and the highlight if any.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> pts = rng.normal(size=(30, 3))
    >>> fig = sphere_figure(pts, np.arange(30) % 3)
    >>> sum(t.name == "0" for t in fig.data)
    1
    """
    pts, lab, names, pred = _prepare(xyz, labels, classes, predictions, sample_ids, 3, "xyz")
    norms = np.linalg.norm(pts, axis=1, keepdims=True)
    pts = pts / np.where(norms > 0, norms, 1.0)
    colors = class_colors(len(names))
    keep = [int(highlight)] if isinstance(highlight, (int, np.integer)) else []
    idx = stratified_subsample(lab, max_points, seed, keep)
    fig = go.Figure([_wireframe()])
    for k, name in enumerate(names):
        sel = idx[lab[idx] == k]
        if sel.size == 0:
            continue
        fig.add_trace(go.Scatter3d(
            x=pts[sel, 0].astype(np.float32), y=pts[sel, 1].astype(np.float32), z=pts[sel, 2].astype(np.float32),
            mode="markers", name=name, legendgroup=name, customdata=sel,
            marker={"size": 3, "color": colors[k], "opacity": 0.85},
            hovertext=_hover(sel, lab, names, pred, sample_ids), hoverinfo="text",
        ))  # fmt: skip
    if show_means:
        _add_means(fig, pts, lab, names, colors, class_means)
    if highlight is not None:
        where = pts[int(highlight)] if keep else to_numpy(highlight, "highlight", ndim=1, dtype=np.float64)
        if where.shape != (3,):
            raise ValueError(f"The 'highlight' parameter must be an index or a point of shape (3,). Got {where.shape}.")
        where = where / max(np.linalg.norm(where), 1e-12)
        fig.add_trace(go.Scatter3d(
            x=[where[0]], y=[where[1]], z=[where[2]], mode="markers", name=highlight_label,
            marker=_HIGHLIGHT, hovertext=[highlight_label], hoverinfo="text",
        ))  # fmt: skip
    axis = {"visible": False, "range": [-1.15, 1.15]}
    note = subsample_note(idx.size, lab.size, "points")
    return apply_layout(
        fig, with_note(title, note),
        scene={"xaxis": axis, "yaxis": axis, "zaxis": axis, "aspectmode": "cube",
               "camera": {"eye": {"x": 1.05, "y": 1.05, "z": 0.75}}},
        margin={"l": 0, "r": 0, "t": 60, "b": 0},
    )  # fmt: skip


def _add_means(
    fig: go.Figure, pts: np.ndarray, lab: np.ndarray, names: list[str], colors: list[str], class_means: Any
) -> None:
    if class_means is None:
        means = np.zeros((len(names), 3))
        for k in range(len(names)):
            if np.any(lab == k):
                means[k] = pts[lab == k].mean(axis=0)
    else:
        means = to_numpy(class_means, "class_means", ndim=2, dtype=np.float64)
        if means.shape != (len(names), 3):
            raise ValueError(f"The 'class_means' parameter must have shape ({len(names)}, 3). Got {means.shape}.")
    for k, name in enumerate(names):
        norm = np.linalg.norm(means[k])
        if norm < 1e-12:
            continue  # no points of this class, or directions that cancel out
        tip = means[k] / norm * 1.1
        fig.add_trace(go.Scatter3d(
            x=[0.0, tip[0]], y=[0.0, tip[1]], z=[0.0, tip[2]], mode="lines+markers",
            name=f"{name} mean", legendgroup=name, showlegend=False,
            line={"color": colors[k], "width": 6}, marker={"size": [0, 5], "color": colors[k], "symbol": "diamond"},
            hovertext=["", f"mean direction of {name}"], hoverinfo="text",
        ))  # fmt: skip


def map_figure(
    points: Any,
    labels: Any,
    classes: Sequence[str] | None = None,
    *,
    kind: str = "lonlat",
    predictions: Any = None,
    sample_ids: Sequence[str] | None = None,
    highlight: int | Any | None = None,
    highlight_label: str = "selected",
    max_points: int = 10000,
    seed: int = 0,
    webgl: bool | None = None,
    title: str = "Equal-area map of the sphere",
) -> go.Figure:
    """Draw the sphere as a flat equal-area map for lasso selection.

    Parameters
    ----------
    points : array-like, shape (N, 2)
        Longitude/latitude in degrees (``kind="lonlat"``, e.g.
        ``SphereProjection.lonlat_``), drawn with the Lambert cylindrical
        equal-area projection (x = longitude in radians, y = sin(latitude)), or
        those map coordinates already (``kind="map_xy"``, e.g.
        ``SphereProjection.map_xy_``), drawn as given.
    labels : array-like of int, shape (N,)
        True class index of each point.
    classes : sequence of str, optional
        Class names; defaults to "0", "1", ...
    kind : {"lonlat", "map_xy"}
        What ``points`` holds.
    predictions, sample_ids, highlight, highlight_label, max_points, seed, title
        As in :func:`sphere_figure`; ``highlight`` is an index or a point of
        shape (2,) in the same coordinates as ``points``.
    webgl : bool, optional
        Draw with ``Scattergl`` (fast for thousands of points; selection still
        works). By default WebGL is used above 2,000 drawn points, SVG below.

    Returns
    -------
    plotly.graph_objects.Figure
        One scatter per class with ``customdata`` = sample index (a lasso
        selection maps back to samples through it), plus the highlight if any.
        Drag mode is lasso.

    Examples
    --------
    >>> fig = map_figure([[0, 0], [90, 45]], [0, 1], ["cat", "dog"])
    >>> [t.customdata.tolist() for t in fig.data]
    [[0], [1]]
    """
    if kind not in MAP_KINDS:
        raise ValueError(f"The 'kind' parameter must be one of {', '.join(MAP_KINDS)}. Got {kind!r}.")
    pts, lab, names, pred = _prepare(points, labels, classes, predictions, sample_ids, 2, "points")
    xy = _to_map(pts, kind)
    colors = class_colors(len(names))
    keep = [int(highlight)] if isinstance(highlight, (int, np.integer)) else []
    idx = stratified_subsample(lab, max_points, seed, keep)
    scatter = go.Scattergl if (idx.size > 2000 if webgl is None else webgl) else go.Scatter
    fig = go.Figure()
    for k, name in enumerate(names):
        sel = idx[lab[idx] == k]
        if sel.size == 0:
            continue
        hover = _hover(sel, lab, names, pred, sample_ids)
        lon, lat = np.rad2deg(xy[sel, 0]), np.rad2deg(np.arcsin(np.clip(xy[sel, 1], -1.0, 1.0)))
        hover = [f"{h}<br>lon {a:.1f}°, lat {b:.1f}°" for h, a, b in zip(hover, lon, lat)]
        fig.add_trace(scatter(
            x=xy[sel, 0].astype(np.float32), y=xy[sel, 1].astype(np.float32), mode="markers", name=name,
            customdata=sel, marker={"size": 6, "color": colors[k], "opacity": 0.85},
            hovertext=hover, hoverinfo="text",
        ))  # fmt: skip
    if highlight is not None:
        if keep:
            where = xy[int(highlight)]
        else:
            where = _to_map(to_numpy(highlight, "highlight", dtype=np.float64)[None], kind)[0]
        fig.add_trace(go.Scatter(
            x=[where[0]], y=[where[1]], mode="markers", name=highlight_label, marker=_HIGHLIGHT,
            hovertext=[highlight_label], hoverinfo="text",
        ))  # fmt: skip
    note = subsample_note(idx.size, lab.size, "points")
    ticks, lats = [-180, -90, 0, 90, 180], [-60, -30, 0, 30, 60]
    layout: dict[str, Any] = {
        "dragmode": "lasso", "clickmode": "event+select",
        "xaxis": {"range": [-np.pi, np.pi], "tickvals": np.deg2rad(ticks).tolist(),
                  "ticktext": [f"{t}°" for t in ticks], "title": {"text": "longitude"}, "zeroline": False},
        "yaxis": {"range": [-1, 1], "tickvals": np.sin(np.deg2rad(lats)).tolist(), "ticktext": [f"{t}°" for t in lats],
                  "title": {"text": "latitude (equal-area)"}, "zeroline": False, "scaleanchor": "x", "scaleratio": 1},
    }  # fmt: skip
    return apply_layout(fig, with_note(title, note), **layout)


def _to_map(pts: np.ndarray, kind: str) -> np.ndarray:
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"The 'highlight' parameter must be an index or a point of shape (2,). Got {pts.shape[1:]}.")
    if kind == "map_xy":
        return pts
    lon = np.deg2rad(((pts[:, 0] + 180.0) % 360.0) - 180.0)
    lat = np.deg2rad(np.clip(pts[:, 1], -90.0, 90.0))
    return np.stack([lon, np.sin(lat)], axis=1)
