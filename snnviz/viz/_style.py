"""Shared look of every snnviz figure: palettes, layout defaults, input checks.

Class ``k`` always gets ``class_colors(K)[k]``, in every figure, so a class has
one colour on the sphere, the map, the bars and the confusion matrix. Branches
and modalities have fixed colours too (visual/audio/fusion).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

__all__ = [
    "CLASS_PALETTE",
    "BRANCH_COLORS",
    "MODALITY_COLORS",
    "class_colors",
    "branch_color",
    "modality_color",
    "subsample_note",
]

# Tableau 10 followed by ten further colours chosen to stay apart from it and
# from each other (darker/lighter variants of other hues), so 20 classes stay
# distinguishable; beyond that colours are generated with the golden angle.
CLASS_PALETTE: tuple[str, ...] = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    "#1f3b73", "#8c564b", "#17becf", "#7f7f00", "#d62728",
    "#9467bd", "#2ca02c", "#bcbd22", "#e377c2", "#393b79",
)  # fmt: skip

BRANCH_COLORS: dict[str, str] = {"visual": "#4e79a7", "audio": "#f28e2b", "fusion": "#59a14f"}
MODALITY_COLORS: dict[str, str] = {"visual": "#4e79a7", "audio": "#f28e2b", "fused": "#59a14f"}
_FALLBACK = "#7f7f7f"
GRID_COLOR = "#d9d9d9"  # solid: 3-D lines ignore the alpha of rgba colours
TEMPLATE = "plotly_white"


def class_colors(num_classes: int) -> list[str]:
    """Return one colour per class, the same for a given index in every figure.

    Parameters
    ----------
    num_classes : int
        Number of classes K (>= 1).

    Returns
    -------
    list of str
        K CSS colours; the first 20 come from :data:`CLASS_PALETTE`, further
        ones are spread around the hue circle by the golden angle.

    Examples
    --------
    >>> class_colors(3)
    ['#4e79a7', '#f28e2b', '#e15759']
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"The 'num_classes' parameter must be an int >= 1. Got {num_classes!r}.")
    out = list(CLASS_PALETTE[:num_classes])
    for k in range(len(CLASS_PALETTE), int(num_classes)):
        hue = (k * 137.508) % 360.0
        lightness = 45 if k % 2 else 60
        out.append(f"hsl({hue:.0f}, 65%, {lightness}%)")
    return out


def branch_color(branch: str) -> str:
    """Colour of a network branch ("visual", "audio", "fusion"); grey otherwise."""
    return BRANCH_COLORS.get(branch, _FALLBACK)


def modality_color(modality: str) -> str:
    """Colour of a modality / head ("visual", "audio", "fused"); grey otherwise."""
    return MODALITY_COLORS.get(modality, _FALLBACK)


def subsample_note(shown: int, total: int, noun: str) -> str:
    """Return the on-figure note for a subsampled plot, or "" when nothing was dropped.

    Examples
    --------
    >>> subsample_note(256, 2048, "neurons")
    'showing 256 of 2,048 neurons'
    >>> subsample_note(10, 10, "neurons")
    ''
    """
    if shown >= total:
        return ""
    return f"showing {shown:,} of {total:,} {noun}"


def with_note(title: str, note: str) -> str:
    """Append a subsampling note to a title (as a smaller second line)."""
    if not note:
        return title
    return f"{title}<br><sup>{note}</sup>" if title else f"<sup>{note}</sup>"


def apply_layout(fig: go.Figure, title: str = "", **layout: Any) -> go.Figure:
    """Apply the shared template, title and margins; extra keywords go to ``update_layout``."""
    defaults: dict[str, Any] = {
        "template": TEMPLATE,
        "title": {"text": title, "x": 0.0, "xanchor": "left"},
        "margin": {"l": 60, "r": 20, "t": 70 if title else 30, "b": 50},
        "legend": {"itemsizing": "constant"},
    }
    defaults.update(layout)
    fig.update_layout(**defaults)
    return fig


def to_numpy(values: Any, name: str, *, ndim: int | None = None, dtype: Any = None) -> np.ndarray:
    """Convert an array-like or torch tensor to numpy and check its number of dimensions."""
    if hasattr(values, "detach"):  # torch.Tensor without importing torch here
        values = values.detach().cpu()
        if str(values.dtype) == "torch.bfloat16":
            values = values.float()
        values = values.numpy()
    arr = np.asarray(values, dtype=dtype)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"The '{name}' parameter must be a {ndim}-D array. Got shape {arr.shape}.")
    return arr


def check_labels(labels: Any, n: int, num_classes: int, name: str = "labels") -> np.ndarray:
    """Return ``labels`` as an int array of length ``n`` with values in ``[0, num_classes)``."""
    arr = to_numpy(labels, name, ndim=1)
    if arr.shape[0] != n:
        raise ValueError(f"The '{name}' parameter must have {n} entries (one per point). Got {arr.shape[0]}.")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.mod(arr, 1) == 0):
            raise ValueError(f"The '{name}' parameter must hold integer class indices. Got dtype {arr.dtype}.")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        raise ValueError(
            f"The '{name}' parameter must hold class indices in [0, {num_classes - 1}]. "
            f"Got values in [{arr.min()}, {arr.max()}]."
        )
    return arr


def class_names(
    classes: Sequence[str] | None, labels: np.ndarray | None = None, num_classes: int | None = None
) -> list[str]:
    """Return class names, defaulting to "0", "1", ... from ``num_classes`` or the labels."""
    if classes is not None:
        names = [str(c) for c in classes]
        if not names:
            raise ValueError("The 'classes' parameter must name at least one class. Got an empty list.")
        return names
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels is not None and labels.size else 1
    return [str(k) for k in range(num_classes)]


def stratified_subsample(labels: np.ndarray, max_points: int, seed: int = 0, keep: Sequence[int] = ()) -> np.ndarray:
    """Return sorted indices of at most ``max_points`` points, keeping class proportions.

    Every class keeps at least one point when ``max_points`` allows it, and the
    indices in ``keep`` (e.g. the selected sample) are always kept.
    """
    n = labels.shape[0]
    if max_points >= n:
        return np.arange(n)
    if max_points < 1:
        raise ValueError(f"The 'max_points' parameter must be an int >= 1. Got {max_points!r}.")
    rng = np.random.default_rng(seed)
    keep_set = {int(i) for i in keep if 0 <= int(i) < n}
    budget = max_points - len(keep_set)
    chosen: list[int] = sorted(keep_set)
    classes, counts = np.unique(labels, return_counts=True)
    quota = np.floor(counts / n * budget).astype(int)
    quota = np.maximum(quota, 1 if budget >= len(classes) else 0)
    while quota.sum() > budget:  # the minimum of one per class can overshoot
        quota[np.argmax(quota)] -= 1
    for cls, q in zip(classes, quota):
        pool = np.setdiff1d(np.flatnonzero(labels == cls), list(keep_set))
        if q > 0 and pool.size:
            chosen.extend(rng.choice(pool, size=min(q, pool.size), replace=False).tolist())
    short = max_points - len(chosen)
    if short > 0:  # rounding the quotas down leaves a few slots: fill them at random
        rest = np.setdiff1d(np.arange(n), chosen)
        chosen.extend(rng.choice(rest, size=min(short, rest.size), replace=False).tolist())
    return np.array(sorted(set(chosen)), dtype=np.int64)
