"""From a chart selection to samples, and which classes need a look: pure logic for the app.

A box or lasso selection on the equal-area map (:func:`snnviz.viz.map_figure`)
arrives as a Plotly selection event: a list of points, each naming its trace
(``curve_number``), its position in that trace (``point_index``) and the
trace's ``customdata`` at that position, which the map sets to the sample index.
:func:`selected_indices` turns such an event into sample indices,
:func:`order_selection` orders and limits them for a list, :func:`selection_rows`
describes them, and :func:`worst_classes` picks the classes to highlight in a
per-class metrics table (:meth:`snnviz.analysis.SphereMetrics.per_class_table`).

Nothing here imports Streamlit or Plotly; a figure, when passed, is only read.

Examples
--------
>>> event = {"selection": {"points": [{"curve_number": 0, "point_index": 1, "customdata": 7},
...                                   {"curve_number": 1, "point_index": 0, "customdata": [3]}]}}
>>> selected_indices(event).tolist()
[7, 3]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["METRIC_DIRECTIONS", "ORDERS", "selected_indices", "order_selection", "selection_rows", "worst_classes"]

#: Per-class metrics of ``SphereMetrics.per_class_table()`` and whether a *higher* value is worse.
METRIC_DIRECTIONS: dict[str, bool] = {
    "mean_dev_deg": True,  # wider spread around the class mean direction
    "p95_dev_deg": True,
    "R": False,  # mean resultant length: 1 = all members identical
    "nearest_angle_deg": False,  # closer to the nearest other class
    "silhouette": False,
    "knn_accuracy": False,
}

#: Orders understood by :func:`order_selection`.
ORDERS = ("index", "margin", "errors first", "class")


def _selection_points(event: Any) -> list[Any]:
    if event is None:
        return []
    if not isinstance(event, Mapping):
        raise TypeError(f"The 'event' parameter must be a mapping (a Plotly selection event). "
                        f"Got {type(event).__name__}.")
    selection = event.get("selection", event)
    if selection is None:
        return []
    if not isinstance(selection, Mapping):
        raise TypeError(f"The 'event' parameter's 'selection' must be a mapping. Got {type(selection).__name__}.")
    points = selection.get("points") or []
    if not isinstance(points, Sequence) or isinstance(points, (str, bytes)):
        raise TypeError(f"The selection's 'points' must be a list of dicts. Got {type(points).__name__}.")
    return list(points)


def _as_index(value: Any) -> int | None:
    """A sample index from a customdata entry (a number or a list whose first item is one), or None."""
    while isinstance(value, (list, tuple, np.ndarray)):
        if len(value) == 0:
            return None
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    if not math.isfinite(value) or value != int(value):
        return None
    return int(value)


def _decode_typed_array(spec: Mapping[str, Any]) -> np.ndarray | None:
    import base64
    import binascii

    try:
        arr = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]))
        shape = spec.get("shape")
        if shape:
            arr = arr.reshape([int(s) for s in str(shape).split(",")])
    except (KeyError, TypeError, ValueError, binascii.Error):
        return None
    return arr


def _from_figure(figure: Any, point: Mapping[str, Any]) -> Any:
    """The customdata of a point looked up in the figure (for events that do not carry it)."""
    if figure is None:
        return None
    data = figure.get("data") if isinstance(figure, Mapping) else getattr(figure, "data", None)
    curve, index = point.get("curve_number"), point.get("point_index", point.get("point_number"))
    if data is None or not isinstance(curve, numbers.Integral) or not isinstance(index, numbers.Integral):
        return None
    if not 0 <= curve < len(data):
        return None
    trace = data[curve]
    custom = trace.get("customdata") if isinstance(trace, Mapping) else getattr(trace, "customdata", None)
    if isinstance(custom, Mapping):  # Plotly's JSON encoding of a typed array: {"dtype", "bdata"[, "shape"]}
        custom = _decode_typed_array(custom)
    if custom is None or not 0 <= index < len(custom):
        return None
    return custom[index]


def selected_indices(event: Any, *, n_samples: int | None = None, figure: Any = None) -> np.ndarray:
    """Sample indices of the points in a Plotly selection event, via their ``customdata``.

    Parameters
    ----------
    event : mapping or None
        What ``st.plotly_chart(..., on_select="rerun")`` returns or stores under its key:
        ``{"selection": {"points": [...], ...}}``, or the inner ``{"points": [...]}``.
        Each point's ``customdata`` is the sample index, as a number or a list whose first
        item is the index. None or an empty selection gives an empty array.
    n_samples : int, optional
        Number of samples; indices outside ``[0, n_samples)`` (e.g. a selection left over
        from another model or split) are dropped.
    figure : plotly Figure or its dict, optional
        When a point carries no ``customdata``, it is looked up as
        ``figure.data[curve_number].customdata[point_index]``. Points without any customdata
        (e.g. the marker of the highlighted sample) are ignored.

    Returns
    -------
    ndarray of int64, shape (M,)
        Unique indices, in the order the points were first listed.

    Raises
    ------
    TypeError
        If ``event`` is not a mapping, or its points are not a list.
    ValueError
        If ``n_samples`` is not an int >= 0.

    Examples
    --------
    >>> selected_indices({"points": [{"customdata": 4}, {"customdata": 4.0}, {"customdata": None}]}).tolist()
    [4]
    >>> selected_indices({"points": [{"customdata": 4}, {"customdata": 12}]}, n_samples=10).tolist()
    [4]
    """
    if n_samples is not None and (isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral)
                                  or n_samples < 0):
        raise ValueError(f"The 'n_samples' parameter must be an int >= 0 or None. Got {n_samples!r}.")
    seen: dict[int, None] = {}
    for point in _selection_points(event):
        if not isinstance(point, Mapping):
            continue
        custom = point.get("customdata")
        index = _as_index(custom) if custom is not None else _as_index(_from_figure(figure, point))
        if index is None or index < 0 or (n_samples is not None and index >= n_samples):
            continue
        seen.setdefault(index, None)
    return np.fromiter(seen, dtype=np.int64, count=len(seen))


def _check_length(values: Any, n: int, name: str) -> np.ndarray | None:
    if values is None:
        return None
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"The '{name}' parameter must have shape ({n},), one value per sample. Got {arr.shape}.")
    return arr


def order_selection(indices: Any, *, order: str = "index", labels: Any = None, predictions: Any = None,
                    margins: Any = None, limit: int | None = 50) -> tuple[np.ndarray, int]:
    """Order selected sample indices for a list and keep the first ``limit``.

    Parameters
    ----------
    indices : array-like of int, shape (M,)
        Selected sample indices (e.g. from :func:`selected_indices`).
    order : {"index", "margin", "errors first", "class"}, default="index"
        ``"index"``: ascending sample index; ``"margin"``: smallest classification margin
        first (the least certain samples; needs ``margins``); ``"errors first"``:
        misclassified samples first, then by index (needs ``labels`` and ``predictions``);
        ``"class"``: by true class, then index (needs ``labels``). Ties keep index order.
    labels, predictions, margins : array-like, shape (N,), optional
        Per-sample values of the whole split, indexed by ``indices``.
    limit : int or None, default=50
        Keep at most this many (None keeps all).

    Returns
    -------
    ordered : ndarray of int64, shape (min(M, limit),)
    dropped : int
        How many selected samples were cut by ``limit``.

    Raises
    ------
    ValueError
        If ``order`` is unknown, a value it needs is missing, ``limit`` is not an int >= 1,
        or an index is outside the per-sample arrays.

    Examples
    --------
    >>> order_selection([5, 2, 9], order="margin", margins=np.linspace(1, 0, 10), limit=2)
    (array([9, 5]), 1)
    """
    if order not in ORDERS:
        raise ValueError(f"The 'order' parameter must be one of {', '.join(map(repr, ORDERS))}. Got {order!r}.")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or limit < 1):
        raise ValueError(f"The 'limit' parameter must be an int >= 1 or None. Got {limit!r}.")
    idx = np.unique(np.asarray(indices, dtype=np.int64).reshape(-1))  # sorted, unique
    needs = {"margin": {"margins": margins}, "errors first": {"labels": labels, "predictions": predictions},
             "class": {"labels": labels}}.get(order, {})
    for name, value in needs.items():
        if value is None:
            raise ValueError(f"order={order!r} needs the '{name}' parameter. Got None.")
    for name, value in (("labels", labels), ("predictions", predictions), ("margins", margins)):
        if value is not None and idx.size and (idx[0] < 0 or idx[-1] >= len(value)):
            raise ValueError(f"The 'indices' parameter must index the {len(value)} values of '{name}'. "
                             f"Got indices {idx[0]}..{idx[-1]}.")
    if order == "margin":
        key = np.asarray(margins, dtype=np.float64)[idx]
        idx = idx[np.argsort(key, kind="stable")]
    elif order == "errors first":
        correct = np.asarray(labels)[idx] == np.asarray(predictions)[idx]
        idx = idx[np.argsort(correct, kind="stable")]
    elif order == "class":
        idx = idx[np.argsort(np.asarray(labels)[idx], kind="stable")]
    if limit is None or idx.size <= limit:
        return idx, 0
    return idx[:limit], int(idx.size - limit)


def selection_rows(indices: Any, *, labels: Any, classes: Sequence[str], predictions: Any = None,
                   sample_ids: Sequence[str] | None = None, margins: Any = None) -> list[dict[str, Any]]:
    """One row per selected sample, ready for a table.

    Parameters
    ----------
    indices : array-like of int, shape (M,)
        Sample indices, in display order.
    labels : array-like of int, shape (N,)
        True classes of the whole split.
    classes : sequence of str
        Class names (index -> name).
    predictions : array-like of int, shape (N,), optional
    sample_ids : sequence of str, optional
    margins : array-like of float, shape (N,), optional

    Returns
    -------
    list of dict
        Keys ``index``, ``sample``, ``class`` and, when given, ``predicted``, ``correct``, ``margin``.

    Examples
    --------
    >>> selection_rows([1], labels=[0, 1], classes=["no", "yes"], predictions=[0, 0])
    [{'index': 1, 'sample': '1', 'class': 'yes', 'predicted': 'no', 'correct': False}]
    """
    lab = np.asarray(labels)
    if lab.ndim != 1:
        raise ValueError(f"The 'labels' parameter must be 1-D. Got shape {lab.shape}.")
    n = lab.shape[0]
    pred = _check_length(predictions, n, "predictions")
    marg = _check_length(margins, n, "margins")
    if sample_ids is not None and len(sample_ids) != n:
        raise ValueError(f"The 'sample_ids' parameter must have {n} entries. Got {len(sample_ids)}.")
    names = list(classes)

    def name(k: Any) -> str:
        k = int(k)
        return names[k] if 0 <= k < len(names) else str(k)

    rows = []
    for i in np.asarray(indices, dtype=np.int64).reshape(-1):
        if not 0 <= i < n:
            raise ValueError(f"The 'indices' parameter must be in [0, {n}). Got {int(i)}.")
        row: dict[str, Any] = {"index": int(i), "sample": str(sample_ids[i]) if sample_ids is not None else str(i),
                               "class": name(lab[i])}
        if pred is not None:
            row["predicted"] = name(pred[i])
            row["correct"] = bool(pred[i] == lab[i])
        if marg is not None:
            row["margin"] = float(marg[i])
        rows.append(row)
    return rows


def worst_classes(rows: Sequence[Mapping[str, Any]], metric: str = "silhouette", n: int = 3) -> list[str]:
    """The ``n`` classes with the worst value of ``metric`` in a per-class table.

    Parameters
    ----------
    rows : sequence of mapping
        One row per class with a ``"class"`` key and the metric, e.g.
        ``SphereMetrics.per_class_table()``.
    metric : str, default="silhouette"
        A key of :data:`METRIC_DIRECTIONS`; it says whether higher or lower is worse.
    n : int, default=3
        How many classes (at most the number of rows).

    Returns
    -------
    list of str
        Class names, worst first; ties keep table order. Rows whose value is not finite
        (a perfectly compact class gives ``inf`` in some ratios) count as best.

    Raises
    ------
    ValueError
        If ``metric`` is unknown or missing from a row, or ``n`` is not an int >= 0.

    Examples
    --------
    >>> table = [{"class": "a", "silhouette": 0.5}, {"class": "b", "silhouette": 0.1},
    ...          {"class": "c", "silhouette": 0.3}]
    >>> worst_classes(table, "silhouette", n=2)
    ['b', 'c']
    """
    if metric not in METRIC_DIRECTIONS:
        raise ValueError(f"The 'metric' parameter must be one of {', '.join(METRIC_DIRECTIONS)}. Got {metric!r}.")
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"The 'n' parameter must be an int >= 0. Got {n!r}.")
    higher_is_worse = METRIC_DIRECTIONS[metric]
    scored = []
    for position, row in enumerate(rows):
        if metric not in row or "class" not in row:
            raise ValueError(f"Every row must have the keys 'class' and {metric!r}. Row {position} has "
                             f"{', '.join(map(str, row)) or 'none'}.")
        value = float(row[metric])
        badness = value if higher_is_worse else -value
        if not math.isfinite(badness):
            badness = -math.inf  # undefined or infinitely good: never among the worst
        scored.append((-badness, position, str(row["class"])))
    scored.sort()
    return [name for _, _, name in scored[:n]]
