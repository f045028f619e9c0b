"""Figures of numbers: per-class metric bars, confusion matrix, margins, per-head predictions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from snnviz.viz._style import (
    apply_layout,
    check_labels,
    class_colors,
    class_names,
    modality_color,
    to_numpy,
)

__all__ = [
    "class_metric_bars",
    "class_angle_figure",
    "confusion_matrix",
    "confusion_figure",
    "margin_histogram",
    "prediction_bars",
]


def _series(values: Any, name: str) -> dict[str, np.ndarray]:
    """Turn one array or a mapping of named arrays into ``{name: 1-D float array}``."""
    if isinstance(values, Mapping):
        if not values:
            raise ValueError(f"The '{name}' parameter must hold at least one series. Got an empty mapping.")
        return {str(k): to_numpy(v, name, ndim=1, dtype=np.float64) for k, v in values.items()}
    return {"": to_numpy(values, name, ndim=1, dtype=np.float64)}


def class_metric_bars(
    values: Any,
    classes: Sequence[str] | None = None,
    *,
    metric: str = "mean angular deviation (°)",
    errors: Any = None,
    reference: float | None = None,
    reference_label: str = "",
    title: str | None = None,
) -> go.Figure:
    """Bar chart of one per-class number, e.g. the mean angular deviation from the class mean.

    Parameters
    ----------
    values : array-like, shape (K,), or mapping of str to array-like (K,)
        One value per class; a mapping (e.g. ``{"audio": ..., "visual": ...,
        "fused": ...}``) gives grouped bars, one group per class, coloured by
        modality. A single array is coloured by class.
    classes : sequence of str, optional
        Class names; defaults to "0", "1", ...
    metric : str
        Y-axis label.
    errors : array-like, shape (K,), or mapping like ``values``, optional
        Error bars (e.g. the 95th percentile minus the mean), drawn upwards.
    reference : float, optional
        A horizontal reference line (e.g. the regular-simplex angle).
    reference_label : str
        Text of the reference line.
    title : str, optional
        Figure title; defaults to ``metric`` per class.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per series.

    Examples
    --------
    >>> fig = class_metric_bars([10.0, 20.0], ["cat", "dog"])
    >>> list(fig.data[0].x)
    ['cat', 'dog']
    """
    series = _series(values, "values")
    sizes = {v.shape[0] for v in series.values()}
    if len(sizes) != 1:
        raise ValueError(f"Every series of 'values' must have one value per class. Got lengths {sorted(sizes)}.")
    k = sizes.pop()
    names = class_names(classes, num_classes=k)
    if len(names) != k:
        raise ValueError(f"The 'values' parameter must have one value per class ({len(names)}). Got {k}.")
    errs = None if errors is None else _series(errors, "errors")
    if errs is not None and set(errs) != set(series):
        raise ValueError(f"The 'errors' parameter must have the same series as 'values' ({', '.join(series)}).")
    fig = go.Figure()
    for key, vals in series.items():
        color: Any = class_colors(k) if key == "" else modality_color(key)
        err = None if errs is None else {"type": "data", "array": errs[key], "symmetric": False,
                                          "arrayminus": np.zeros(k)}
        fig.add_trace(go.Bar(x=names, y=vals, name=key or metric, marker_color=color, error_y=err,
                             showlegend=key != "", hovertemplate="%{x}: %{y:.3g}<extra>" + key + "</extra>"))
    if reference is not None:
        fig.add_hline(y=float(reference), line_dash="dash", line_color="#444444",
                      annotation_text=reference_label, annotation_position="top left")
    return apply_layout(fig, title if title is not None else f"{metric} per class", barmode="group",
                        yaxis_title=metric, xaxis_title="class", xaxis_type="category")


def class_angle_figure(
    angles_deg: Any,
    classes: Sequence[str] | None = None,
    *,
    simplex_angle_deg: float | None = None,
    title: str = "Angles between class mean directions",
) -> go.Figure:
    """Heatmap of the angles (degrees) between class mean directions, closest pair marked.

    Parameters
    ----------
    angles_deg : array-like, shape (K, K)
        Symmetric angle matrix, e.g. ``SphereMetrics.inter_angle_deg``.
    classes : sequence of str, optional
        Class names.
    simplex_angle_deg : float, optional
        The regular-simplex optimum arccos(-1/(K-1)), written in the title.
    title : str
        Figure title; the minimum angle and its pair are appended.

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap (diagonal blank) and, for K >= 2, a marker on the closest pair.
    """
    ang = to_numpy(angles_deg, "angles_deg", ndim=2, dtype=np.float64)
    if ang.shape[0] != ang.shape[1] or ang.shape[0] == 0:
        raise ValueError(f"The 'angles_deg' parameter must be a non-empty square matrix. Got shape {ang.shape}.")
    k = ang.shape[0]
    names = class_names(classes, num_classes=k)
    if len(names) != k:
        raise ValueError(f"The 'classes' parameter must name {k} classes (the matrix size). Got {len(names)}.")
    z = ang.copy()
    np.fill_diagonal(z, np.nan)
    fig = go.Figure(go.Heatmap(
        z=z, x=names, y=names, colorscale="Viridis", zmin=0.0, zmax=180.0, colorbar={"title": {"text": "°"}},
        text=[[f"{v:.0f}" if i != j else "" for j, v in enumerate(row)] for i, row in enumerate(ang)],
        texttemplate="%{text}" if k <= 20 else None,
        hovertemplate="%{y} ↔ %{x}: %{z:.1f}°<extra></extra>",
    ))  # fmt: skip
    head = title
    if k >= 2:
        i, j = np.unravel_index(np.nanargmin(z), z.shape)
        fig.add_trace(go.Scatter(x=[names[j], names[i]], y=[names[i], names[j]], mode="markers", name="closest pair",
                                 marker={"symbol": "square-open", "size": 22, "color": "#d62728", "line": {"width": 3}},
                                 hoverinfo="skip", showlegend=False))
        head += f"<br><sup>min {z[i, j]:.1f}° ({names[i]} ↔ {names[j]})"
        if simplex_angle_deg is not None:
            head += f", simplex optimum {float(simplex_angle_deg):.1f}°"
        head += "</sup>"
    return apply_layout(fig, head, xaxis={"type": "category"},
                        yaxis={"type": "category", "autorange": "reversed", "scaleanchor": "x"})


def confusion_matrix(labels: Any, predictions: Any, num_classes: int) -> np.ndarray:
    """Count matrix ``C[i, j]`` = samples of true class ``i`` predicted as ``j``.

    Examples
    --------
    >>> confusion_matrix([0, 1, 1], [0, 1, 0], 2).tolist()
    [[1, 0], [1, 1]]
    """
    lab = check_labels(labels, len(to_numpy(labels, "labels", ndim=1)), num_classes)
    pred = check_labels(predictions, lab.shape[0], num_classes, "predictions")
    return np.bincount(lab * num_classes + pred, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def confusion_figure(
    confusion: Any,
    classes: Sequence[str] | None = None,
    *,
    normalize: bool = True,
    title: str = "Confusion matrix",
    max_text_classes: int = 30,
) -> go.Figure:
    """Heatmap of a confusion matrix, true class down, predicted class across.

    Parameters
    ----------
    confusion : array-like of int, shape (K, K)
        Counts, e.g. from :func:`confusion_matrix`.
    classes : sequence of str, optional
        Class names; defaults to "0", "1", ...
    normalize : bool
        Colour by the row-normalised fraction (recall per true class) instead of
        the raw count. Each cell's text shows the count, and the percentage when
        normalised.
    title : str
        Figure title; the overall accuracy is appended.
    max_text_classes : int
        Above this many classes the cell text is left out (hover still shows it).

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap trace.
    """
    cm = to_numpy(confusion, "confusion", ndim=2)
    if cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise ValueError(f"The 'confusion' parameter must be a non-empty square matrix. Got shape {cm.shape}.")
    if np.any(cm < 0):
        raise ValueError("The 'confusion' parameter must hold counts >= 0. Got a negative entry.")
    k = cm.shape[0]
    names = class_names(classes, num_classes=k)
    if len(names) != k:
        raise ValueError(f"The 'classes' parameter must name {k} classes (the matrix size). Got {len(names)}.")
    rows = cm.sum(axis=1, keepdims=True)
    frac = np.divide(cm, rows, out=np.zeros(cm.shape, dtype=np.float64), where=rows > 0)
    if normalize:
        z, text = frac, [[f"{int(c)}<br>{100 * f:.0f}%" for c, f in zip(rc, rf)] for rc, rf in zip(cm, frac)]
        bar = {"title": {"text": "row fraction"}}
        zmax = 1.0
    else:
        z, text = cm, [[f"{int(c)}" for c in rc] for rc in cm]
        bar = {"title": {"text": "count"}}
        zmax = float(max(cm.max(), 1))
    show_text = k <= max_text_classes
    fig = go.Figure(go.Heatmap(
        z=z, x=names, y=names, colorscale="Blues", zmin=0.0, zmax=zmax, colorbar=bar,
        customdata=cm, text=text if show_text else None, texttemplate="%{text}" if show_text else None,
        hovertemplate="true %{y} → predicted %{x}<br>%{customdata} samples<extra></extra>",
    ))  # fmt: skip
    total = cm.sum()
    acc = np.trace(cm) / total if total else 0.0
    return apply_layout(
        fig, f"{title} (accuracy {100 * acc:.1f}%, n={int(total):,})",
        xaxis={"title": {"text": "predicted"}, "type": "category", "side": "bottom"},
        yaxis={"title": {"text": "true"}, "type": "category", "autorange": "reversed", "scaleanchor": "x"},
    )  # fmt: skip


def margin_histogram(
    margins: Any,
    labels: Any = None,
    classes: Sequence[str] | None = None,
    *,
    bins: int = 40,
    title: str = "Classification margin cos θ_y − max cos θ_j",
) -> go.Figure:
    """Histogram of per-sample classification margins; negative means misclassified.

    Parameters
    ----------
    margins : array-like, shape (N,)
        Margins, e.g. from ``snnviz.analysis.sphere.classification_margins``.
    labels : array-like of int, shape (N,), optional
        When given, the bars are stacked by true class (class colours).
    classes : sequence of str, optional
        Class names.
    bins : int
        Number of equal-width bins over the range of the margins.
    title : str
        Figure title; the fraction of negative margins is appended.

    Returns
    -------
    plotly.graph_objects.Figure
        Bar traces (pre-binned, so the figure size does not grow with N) and a
        vertical line at zero.
    """
    m = to_numpy(margins, "margins", ndim=1, dtype=np.float64)
    if m.size == 0 or not np.all(np.isfinite(m)):
        raise ValueError(f"The 'margins' parameter must be a non-empty array of finite values. Got {m.size} values.")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"The 'bins' parameter must be an int >= 1. Got {bins!r}.")
    lo, hi = float(m.min()), float(m.max())
    if hi - lo < 1e-9:
        lo, hi = lo - 0.05, hi + 0.05
    edges = np.linspace(lo, hi, bins + 1)
    centers, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    fig = go.Figure()
    if labels is None:
        counts, _ = np.histogram(m, edges)
        fig.add_trace(go.Bar(x=centers, y=counts, width=width, name="samples", marker_color="#4e79a7"))
    else:
        lab = to_numpy(labels, "labels", ndim=1)
        names = class_names(classes, lab.astype(np.int64) if lab.size else None)
        lab = check_labels(lab, m.size, len(names))
        for k, (name, color) in enumerate(zip(names, class_colors(len(names)))):
            if np.any(lab == k):
                counts, _ = np.histogram(m[lab == k], edges)
                fig.add_trace(go.Bar(x=centers, y=counts, width=width, name=name, marker_color=color))
    fig.add_vline(x=0.0, line_dash="dash", line_color="#d62728")
    neg = float(np.mean(m < 0))
    return apply_layout(fig, f"{title}<br><sup>{100 * neg:.1f}% of {m.size:,} samples below 0</sup>",
                        barmode="stack", bargap=0.02, xaxis_title="margin", yaxis_title="samples")


def prediction_bars(
    scores: Mapping[str, Any],
    classes: Sequence[str] | None = None,
    *,
    true_label: int | None = None,
    value_label: str = "probability",
    title: str = "Prediction per head",
) -> go.Figure:
    """Side-by-side bars of each head's per-class scores for one sample.

    Parameters
    ----------
    scores : mapping of str to array-like, shape (K,)
        One vector per head, e.g. ``{"audio": p_a, "visual": p_v, "fused": p_f}``
        (softmax probabilities, or cosines with ``value_label="cosine"``).
    classes : sequence of str, optional
        Class names.
    true_label : int, optional
        The true class: its name is marked with ✓ on the axis, and each head's
        prediction is named in the legend.
    value_label : str
        Y-axis label.
    title : str
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per head, coloured by modality.

    Examples
    --------
    >>> fig = prediction_bars({"audio": [0.9, 0.1], "fused": [0.6, 0.4]}, ["yes", "no"])
    >>> [t.name for t in fig.data]
    ['audio → yes', 'fused → yes']
    """
    series = _series(scores, "scores")
    sizes = {v.shape[0] for v in series.values()}
    if len(sizes) != 1:
        raise ValueError(f"Every head in 'scores' must have one value per class. Got lengths {sorted(sizes)}.")
    k = sizes.pop()
    names = class_names(classes, num_classes=k)
    if len(names) != k:
        raise ValueError(f"The 'scores' parameter must have one value per class ({len(names)}). Got {k}.")
    if true_label is not None and not 0 <= int(true_label) < k:
        raise ValueError(f"The 'true_label' parameter must be a class index in [0, {k - 1}]. Got {true_label!r}.")
    ticks = [f"{n} ✓" if true_label is not None and i == int(true_label) else n for i, n in enumerate(names)]
    fig = go.Figure()
    for head, vals in series.items():
        pred = names[int(np.argmax(vals))]
        fig.add_trace(go.Bar(x=ticks, y=vals, name=f"{head} → {pred}", marker_color=modality_color(head),
                             hovertemplate="%{x}: %{y:.3f}<extra>" + head + "</extra>"))
    yaxis: dict[str, Any] = {"title": {"text": value_label}}
    if value_label == "probability":
        yaxis["range"] = [0, 1]
    return apply_layout(fig, title, barmode="group", yaxis=yaxis, xaxis={"title": {"text": "class"},
                                                                          "type": "category"})
