"""Browsing a split sample by sample: filters, a random misclassified pick, top-k classes, probabilities.

Pure functions over arrays (the labels and per-head predictions of an
:class:`~snnviz.analysis.embeddings.EmbeddingSet`), shared by the app's Samples
page and anything else that lists samples.

A cosine head outputs cosines ``cos θ_j`` in [-1, 1], not logits: margin losses
train ``softmax(s · cos θ)`` with a scale ``s`` (16 by default), so
:func:`head_probabilities` multiplies by the training scale before the softmax.
A linear head's outputs are ordinary logits.

Examples
--------
>>> import numpy as np
>>> labels = np.array([0, 1, 1, 2])
>>> preds = {"audio": np.array([0, 1, 2, 2]), "visual": np.array([0, 1, 1, 1]), "fused": np.array([0, 1, 1, 1])}
>>> filter_gallery(labels, preds, correctness="incorrect").tolist()
[3]
>>> filter_gallery(labels, preds, disagree=True).tolist()
[2, 3]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "CORRECTNESS",
    "DEFAULT_SCALE",
    "filter_gallery",
    "disagreement",
    "misclassified",
    "random_misclassified",
    "softmax",
    "head_probabilities",
    "probability_note",
    "training_scale",
    "top_k",
    "gallery_rows",
    "table_selection",
]

CORRECTNESS = ("all", "correct", "incorrect")
DEFAULT_SCALE = 16.0  # TrainConfig.scale's default


def _labels(labels: Any) -> np.ndarray:
    arr = np.asarray(labels)
    if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"The 'labels' parameter must be a 1-D array of ints. Got shape {arr.shape}, "
                         f"dtype {arr.dtype}.")
    return arr.astype(np.int64)


def _predictions(predictions: Mapping[str, Any], n: int) -> dict[str, np.ndarray]:
    if not predictions:
        raise ValueError("The 'predictions' parameter must hold at least one head. Got none.")
    out = {}
    for head, values in predictions.items():
        arr = np.asarray(values).astype(np.int64)
        if arr.shape != (n,):
            raise ValueError(f"The predictions of head {head!r} must have shape ({n},) like the labels. "
                             f"Got {arr.shape}.")
        out[str(head)] = arr
    return out


def _head(preds: Mapping[str, np.ndarray], modality: str) -> np.ndarray:
    if modality not in preds:
        raise ValueError(f"The 'modality' parameter must be one of {', '.join(preds)}. Got {modality!r}.")
    return preds[modality]


def disagreement(predictions: Mapping[str, Any], heads: Sequence[str] = ("audio", "visual")) -> np.ndarray:
    """Where the given heads predict different classes.

    Parameters
    ----------
    predictions : mapping of str to array-like (N,)
        Predicted class per head.
    heads : sequence of str
        Heads to compare; those absent from ``predictions`` are ignored. With
        fewer than two present, nothing disagrees.

    Returns
    -------
    ndarray of bool, shape (N,)
    """
    present = [np.asarray(predictions[h]) for h in heads if h in predictions]
    n = len(next(iter(predictions.values()))) if predictions else 0
    if len(present) < 2:
        return np.zeros(n, dtype=bool)
    first = present[0]
    return np.any([p != first for p in present[1:]], axis=0)


def filter_gallery(
    labels: Any,
    predictions: Mapping[str, Any],
    *,
    classes: Sequence[int] | None = None,
    correctness: str = "all",
    disagree: bool = False,
    modality: str = "fused",
) -> np.ndarray:
    """Indices of the samples that pass every filter, in increasing order.

    Parameters
    ----------
    labels : array-like of int, shape (N,)
        True class of every sample.
    predictions : mapping of str to array-like of int, shape (N,)
        Predicted class per head (``audio``, ``visual``, ``fused``).
    classes : sequence of int, optional
        Keep samples whose true class is one of these (None or empty: all classes).
    correctness : {"all", "correct", "incorrect"}
        Keep samples that ``modality`` classifies correctly / wrongly.
    disagree : bool
        Keep only samples on which the audio and visual heads predict different classes.
    modality : str
        The head ``correctness`` refers to.

    Returns
    -------
    ndarray of int64
        Sample indices.

    Raises
    ------
    ValueError
        For an unknown ``correctness`` or ``modality``, or predictions of the wrong length.
    """
    y = _labels(labels)
    preds = _predictions(predictions, y.size)
    if correctness not in CORRECTNESS:
        raise ValueError(f"The 'correctness' parameter must be one of {', '.join(CORRECTNESS)}. Got {correctness!r}.")
    keep = np.ones(y.size, dtype=bool)
    if classes:
        keep &= np.isin(y, np.asarray(list(classes), dtype=np.int64))
    if correctness != "all":
        right = _head(preds, modality) == y
        keep &= right if correctness == "correct" else ~right
    if disagree:
        keep &= disagreement(preds)
    return np.flatnonzero(keep).astype(np.int64)


def misclassified(labels: Any, predictions: Mapping[str, Any], modality: str = "fused") -> np.ndarray:
    """Indices of the samples that head ``modality`` gets wrong."""
    return filter_gallery(labels, predictions, correctness="incorrect", modality=modality)


def random_misclassified(
    labels: Any,
    predictions: Mapping[str, Any],
    *,
    modality: str = "fused",
    seed: int = 0,
    exclude: int | None = None,
) -> int | None:
    """A misclassified sample drawn at random, reproducibly.

    Parameters
    ----------
    labels, predictions
        As in :func:`filter_gallery`.
    modality : str
        The head whose mistakes are drawn from.
    seed : int
        Seed of the draw: the same seed gives the same sample.
    exclude : int, optional
        A sample not to return (the one shown now), unless it is the only mistake.

    Returns
    -------
    int or None
        A sample index, or None when the head makes no mistake.

    Examples
    --------
    >>> random_misclassified([0, 1, 2], {"fused": [0, 2, 1]}, seed=3) in (1, 2)
    True
    >>> random_misclassified([0, 1], {"fused": [0, 1]}) is None
    True
    """
    wrong = misclassified(labels, predictions, modality)
    if exclude is not None and wrong.size > 1:
        wrong = wrong[wrong != int(exclude)]
    if wrong.size == 0:
        return None
    return int(wrong[np.random.default_rng(seed).integers(wrong.size)])


def softmax(logits: Any, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax along ``axis`` (float64)."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def training_scale(meta: Mapping[str, Any] | None) -> float | None:
    """The margin-loss scale ``s`` a checkpoint was trained with (``meta["train_config"]["scale"]``), or None."""
    train = (meta or {}).get("train_config") or {}
    value = train.get("scale")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
        return None
    return float(value)


def head_probabilities(logits: Any, head: str, scale: float | None = None) -> np.ndarray:
    """Class probabilities from a head's outputs.

    Parameters
    ----------
    logits : array-like, shape (..., K)
        Cosines for a cosine head, logits for a linear head.
    head : {"cosine", "linear"}
    scale : float, optional
        The training scale ``s`` of a cosine head (:func:`training_scale`);
        :data:`DEFAULT_SCALE` when None. Ignored for a linear head.

    Returns
    -------
    ndarray of float64, shape (..., K)
        ``softmax(s · cos θ)`` for a cosine head, ``softmax(logits)`` for a linear one.

    Examples
    --------
    >>> head_probabilities([1.0, 0.0], "cosine", scale=16.0).round(6).tolist()
    [1.0, 0.0]
    >>> head_probabilities([1.0, 0.0], "linear").round(3).tolist()
    [0.731, 0.269]
    """
    if head == "cosine":
        s = DEFAULT_SCALE if scale is None else float(scale)
        if not np.isfinite(s) or s <= 0:
            raise ValueError(f"The 'scale' parameter must be a positive float. Got {scale!r}.")
        return softmax(s * np.asarray(logits, dtype=np.float64))
    if head == "linear":
        return softmax(logits)
    raise ValueError(f"The 'head' parameter must be 'cosine' or 'linear'. Got {head!r}.")


def probability_note(head: str, scale: float | None = None) -> str:
    """One sentence saying how :func:`head_probabilities` turned the head's outputs into probabilities."""
    if head == "cosine":
        s = DEFAULT_SCALE if scale is None else float(scale)
        origin = "the training scale" if scale is not None else "the default scale (the checkpoint has none)"
        return (f"Cosine head: probabilities are softmax(s · cos θ) with s = {s:g}, {origin}; "
                "the cosines themselves lie in [-1, 1].")
    return "Linear head: probabilities are the softmax of the logits."


def top_k(probabilities: Any, k: int = 3, classes: Sequence[str] | None = None) -> list[tuple[int, str, float]]:
    """The ``k`` most probable classes, best first (ties by class index).

    Parameters
    ----------
    probabilities : array-like, shape (K,)
    k : int
        How many; capped at ``K``.
    classes : sequence of str, optional
        Class names (default: the indices as strings).

    Returns
    -------
    list of (int, str, float)
        ``(class index, class name, probability)``.

    Examples
    --------
    >>> top_k([0.1, 0.6, 0.3], 2, ["a", "b", "c"])
    [(1, 'b', 0.6), (2, 'c', 0.3)]
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"The 'probabilities' parameter must be a non-empty 1-D array. Got shape {p.shape}.")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"The 'k' parameter must be an int >= 1. Got {k!r}.")
    names = [str(i) for i in range(p.size)] if classes is None else [str(c) for c in classes]
    if len(names) != p.size:
        raise ValueError(f"The 'classes' parameter must name all {p.size} classes. Got {len(names)}.")
    order = np.lexsort((np.arange(p.size), -p))[: int(k)]
    return [(int(i), names[i], float(p[i])) for i in order]


def gallery_rows(
    indices: Any,
    sample_ids: Sequence[str],
    labels: Any,
    predictions: Mapping[str, Any],
    classes: Sequence[str],
    *,
    modality: str = "fused",
) -> dict[str, list[Any]]:
    """Columns of the gallery table for the samples at ``indices``.

    Returns
    -------
    dict of str to list
        ``id``, ``class``, one ``<head> →`` column per head (predicted class
        name) and ``correct`` (whether ``modality`` is right), all of length
        ``len(indices)``, in the order of ``indices``.
    """
    idx = np.asarray(indices, dtype=np.int64).reshape(-1)
    y = _labels(labels)
    preds = _predictions(predictions, y.size)
    names = np.asarray([str(c) for c in classes], dtype=object)
    columns: dict[str, list[Any]] = {
        "id": [str(sample_ids[i]) for i in idx],
        "class": names[y[idx]].tolist(),
    }
    for head, p in preds.items():
        columns[f"{head} →"] = names[p[idx]].tolist()
    columns["correct"] = (_head(preds, modality)[idx] == y[idx]).tolist()
    return columns


def table_selection(rows: Sequence[int] | None, visible: Any, previous: Sequence[int] | None = None) -> int | None:
    """The sample a gallery-table selection newly points to, or None.

    A table keeps its selected row across reruns, also when the filters change
    the rows under it; only a selection that differs from the one applied last
    time (``previous``) chooses a sample, so changing a filter or picking a sample
    elsewhere is not undone by a stale selection.

    Parameters
    ----------
    rows : sequence of int or None
        Selected row positions in the table as drawn.
    visible : array-like of int
        Sample index of each row (:func:`filter_gallery`).
    previous : sequence of int, optional
        The rows applied last time.

    Returns
    -------
    int or None
        The sample index of the first selected row, when the selection is new
        and points to a row of the table.

    Examples
    --------
    >>> table_selection([1], [10, 20, 30]), table_selection([1], [10, 20, 30], previous=[1])
    (20, None)
    """
    rows = [int(r) for r in (rows or [])]
    if not rows or rows == [int(r) for r in (previous or [])]:
        return None
    vis = np.asarray(visible, dtype=np.int64).reshape(-1)
    return int(vis[rows[0]]) if 0 <= rows[0] < vis.size else None
