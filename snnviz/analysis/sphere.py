"""Hypersphere metrics of class embeddings: compactness within, separation between.

Every figure here is computed on the original D-dimensional unit embeddings,
never on a 2-D/3-D projection, and depends only on dot products, so it is
invariant to any rotation of the embedding space.

For class :math:`c` with unit members :math:`x_i`, the resultant
:math:`s_c = \\sum_i x_i`, the mean direction :math:`\\mu_c = s_c / \\lVert s_c\\rVert`
and the mean resultant length :math:`R_c = \\lVert s_c\\rVert / n_c \\in [0, 1]`
(1 = all members identical). The angular deviation of a member is
:math:`\\arccos(x_i \\cdot \\mu_c)`. For :math:`K` classes the best possible
smallest angle between mean directions is the regular-simplex angle
:math:`\\arccos(-1/(K-1))` (reachable when :math:`K \\le D + 1`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["SphereMetrics", "sphere_metrics", "classification_margins", "knn_accuracy", "normalize_rows", "cosine_knn"]

_EPS = 1e-12


def normalize_rows(X: Any, *, name: str = "X") -> np.ndarray:
    """Return ``X`` as a float64 array of unit rows.

    Parameters
    ----------
    X : array-like of shape (N, D)
    name : str
        The argument name used in error messages.

    Returns
    -------
    ndarray of shape (N, D), float64

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, is empty, has non-finite values or zero rows.
    """
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"The '{name}' parameter must be a non-empty 2-D array (N, D). Got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"The '{name}' parameter must contain only finite values. Got {np.sum(~np.isfinite(arr))} "
                         "NaN or infinite entries.")
    norms = np.linalg.norm(arr, axis=1)
    zero = np.flatnonzero(norms <= _EPS)
    if zero.size:
        shown = ", ".join(str(i) for i in zero[:5]) + (", ..." if zero.size > 5 else "")
        raise ValueError(f"The '{name}' parameter has {zero.size} zero row(s) (rows {shown}); a zero vector has no "
                         "direction on the sphere.")
    return arr / norms[:, None]


def cosine_knn(U: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest neighbours of every row of unit ``U`` among the other rows, by cosine similarity.

    Works in row blocks so memory stays bounded (about 32 MiB of similarities at a time).

    Parameters
    ----------
    U : ndarray of shape (N, D)
        Unit rows.
    k : int
        In ``[1, N - 1]``.

    Returns
    -------
    indices : ndarray of shape (N, k), int64
        Most similar first; a row is never its own neighbour.
    similarities : ndarray of shape (N, k), float32
    """
    n = U.shape[0]
    Uf = np.ascontiguousarray(U, dtype=np.float32)
    idx = np.empty((n, k), dtype=np.int64)
    sims = np.empty((n, k), dtype=np.float32)
    step = max(1, (1 << 23) // n)
    for start in range(0, n, step):
        stop = min(n, start + step)
        sim = Uf[start:stop] @ Uf.T
        sim[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        part = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        near = np.take_along_axis(sim, part, axis=1)
        order = np.argsort(-near, axis=1, kind="stable")
        idx[start:stop] = np.take_along_axis(part, order, axis=1)
        sims[start:stop] = np.take_along_axis(near, order, axis=1)
    return idx, sims


def _ratio(num: float, den: float) -> float:
    """``num / den`` with defined values for a zero denominator (inf, or 0 when both are ~0)."""
    if den > 1e-9:
        return float(num / den)
    return float("inf") if num > 1e-9 else 0.0


def _angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle in degrees between unit vectors along the last axis: ``2 atan2(|a - b|, |a + b|)``.

    Unlike ``arccos(a . b)`` this stays exact for nearly identical vectors (identical ones give 0).
    """
    return np.degrees(2.0 * np.arctan2(np.linalg.norm(a - b, axis=-1), np.linalg.norm(a + b, axis=-1)))


@dataclasses.dataclass(frozen=True)
class SphereMetrics:
    """Per-class arrays (length K, in the order of ``classes``) and overall scalars.

    Angles are in degrees. Ratios whose denominator is zero (perfectly compact
    classes) are ``inf``, or ``0.0`` when the numerator is zero too; no field is NaN.
    """

    classes: list[Any]  # label values present, sorted
    class_names: list[str]
    counts: np.ndarray  # (K,)
    mean_directions: np.ndarray  # (K, D) unit mu_c
    resultant_lengths: np.ndarray  # (K,) R_c
    mean_deviation_deg: np.ndarray  # (K,)
    p95_deviation_deg: np.ndarray  # (K,)
    inter_angle_deg: np.ndarray  # (K, K), zero diagonal
    nearest_class: np.ndarray  # (K,) index of the class whose mean direction is closest
    silhouette_per_class: np.ndarray  # (K,)
    knn_accuracy_per_class: np.ndarray  # (K,)
    mean_intra_angle_deg: float  # mean deviation over all samples
    p95_intra_angle_deg: float
    min_inter_angle_deg: float
    simplex_angle_deg: float  # arccos(-1/(K-1))
    simplex_ratio: float  # min_inter_angle / simplex_angle, 1 = optimal
    separability: float  # min_inter_angle / (2 * max_c mean_deviation)
    fisher: float  # tr(S_B) / tr(S_W)
    silhouette: float  # cosine silhouette
    silhouette_n: int  # points it was computed on
    alignment: float  # Wang & Isola, alpha = 2, over same-class pairs
    uniformity: float  # Wang & Isola, t = 2, over all pairs
    knn_accuracy: float  # leave-one-out, cosine
    k: int
    n_samples: int
    dim: int
    notes: list[str]

    def per_class_table(self) -> list[dict[str, Any]]:
        """One dict per class, ready for ``st.dataframe`` or a CSV writer."""
        rows = []
        for i, name in enumerate(self.class_names):
            j = int(self.nearest_class[i])
            rows.append({
                "class": name,
                "n": int(self.counts[i]),
                "R": float(self.resultant_lengths[i]),
                "mean_dev_deg": float(self.mean_deviation_deg[i]),
                "p95_dev_deg": float(self.p95_deviation_deg[i]),
                "nearest_class": self.class_names[j],
                "nearest_angle_deg": float(self.inter_angle_deg[i, j]),
                "silhouette": float(self.silhouette_per_class[i]),
                "knn_accuracy": float(self.knn_accuracy_per_class[i]),
            })
        return rows

    def summary(self) -> dict[str, float]:
        """The headline figures as a flat dict."""
        return {
            "mean_intra_angle_deg": self.mean_intra_angle_deg,
            "min_inter_angle_deg": self.min_inter_angle_deg,
            "simplex_angle_deg": self.simplex_angle_deg,
            "separability": self.separability,
            "fisher": self.fisher,
            "silhouette": self.silhouette,
            "alignment": self.alignment,
            "uniformity": self.uniformity,
            "knn_accuracy": self.knn_accuracy,
        }


def _check_labels(labels: Any, n: int) -> tuple[np.ndarray, list[Any], np.ndarray]:
    y = np.asarray(labels)
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"The 'labels' parameter must have shape ({n},) to match the embeddings. Got {y.shape}.")
    classes, codes = np.unique(y, return_inverse=True)
    return y, [c.item() if hasattr(c, "item") else c for c in classes], codes.reshape(-1)


def _names(classes: list[Any], class_names: Any) -> list[str]:
    if class_names is None:
        return [str(c) for c in classes]
    if isinstance(class_names, dict):
        return [str(class_names.get(c, c)) for c in classes]
    names = list(class_names)
    out = []
    for c in classes:
        if not isinstance(c, (int, np.integer)) or not 0 <= c < len(names):
            raise ValueError(f"The 'class_names' parameter has {len(names)} names, but the labels include {c!r}.")
        out.append(str(names[c]))
    return out


def _knn_votes(U: np.ndarray, codes: np.ndarray, k: int, n_classes: int) -> np.ndarray:
    """Leave-one-out k-NN predictions (cosine)."""
    idx, near = cosine_knn(U, k)
    n = U.shape[0]
    counts = np.zeros((n, n_classes))
    sims = np.zeros((n, n_classes))
    rows = np.repeat(np.arange(n), k)
    np.add.at(counts, (rows, codes[idx].ravel()), 1.0)
    np.add.at(sims, (rows, codes[idx].ravel()), near.astype(np.float64).ravel())
    # majority vote; ties go to the class with the larger summed similarity (that term is < 1)
    return np.argmax(counts + 0.25 * (sims / k + 1.0), axis=1)


def knn_accuracy(embeddings: Any, labels: Any, *, k: int = 10) -> float:
    """Leave-one-out k-NN accuracy with cosine similarity.

    Parameters
    ----------
    embeddings : array-like of shape (N, D)
    labels : array-like of shape (N,)
    k : int, default=10
        Neighbours, in ``[1, N - 1]``. Ties go to the class with the larger summed similarity.

    Returns
    -------
    float in [0, 1]
    """
    U = normalize_rows(embeddings, name="embeddings")
    _, classes, codes = _check_labels(labels, U.shape[0])
    k = _check_k(k, U.shape[0])
    return float(np.mean(_knn_votes(U, codes, k, len(classes)) == codes))


def _check_k(k: Any, n: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n - 1:
        raise ValueError(f"The 'k' parameter must be an int in [1, {n - 1}]. Got {k!r}.")
    return int(k)


def _silhouette(U: np.ndarray, codes: np.ndarray, n_classes: int, seed: int, max_points: int) -> tuple[np.ndarray, int]:
    """Per-sample cosine silhouette on at most ``max_points`` points (every class kept)."""
    from sklearn.metrics import silhouette_samples

    idx = np.arange(U.shape[0])
    if U.shape[0] > max_points:
        rng = np.random.default_rng(seed)
        idx = np.sort(rng.choice(U.shape[0], size=max_points, replace=False))
        missing = np.setdiff1d(np.arange(n_classes), codes[idx])
        if missing.size:
            idx = np.union1d(idx, [np.flatnonzero(codes == c)[0] for c in missing])
    sub = codes[idx]
    if len(np.unique(sub)) >= len(idx):  # every point its own class: singleton silhouettes are 0
        return np.zeros(len(idx)), idx
    return silhouette_samples(U[idx], sub, metric="cosine"), idx


def _uniformity(U: np.ndarray, t: float = 2.0) -> float:
    """log E exp(-t ||x - y||^2) over distinct pairs (Wang & Isola, 2020)."""
    n = U.shape[0]
    if n < 2:
        return 0.0
    total = 0.0
    step = max(1, (1 << 22) // n)
    for start in range(0, n, step):
        sq = np.clip(2.0 - 2.0 * (U[start:start + step] @ U.T), 0.0, 4.0)
        total += np.exp(-t * sq).sum() - sq.shape[0]  # drop the i == j terms (exp(0) = 1)
    return float(np.log(total / (n * (n - 1))))


def sphere_metrics(embeddings: Any, labels: Any, *, class_names: Sequence[str] | dict | None = None, k: int = 10,
                   seed: int = 0, max_silhouette: int = 5000) -> SphereMetrics:
    """Compactness and separation of classes on the unit hypersphere.

    Inputs that are not unit vectors (e.g. softmax-trained features) are
    L2-normalised first, so every model is compared on the sphere.

    Parameters
    ----------
    embeddings : array-like of shape (N, D)
    labels : array-like of shape (N,)
        Class labels (ints index ``class_names`` when it is a sequence).
    class_names : sequence of str or dict, optional
        Names for the table; defaults to ``str(label)``.
    k : int, default=10
        Neighbours of the leave-one-out k-NN accuracy, in ``[1, N - 1]``.
    seed : int, default=0
        Seed of the silhouette/uniformity subsample.
    max_silhouette : int, default=5000
        Above this many points, the silhouette and the uniformity use a seeded
        random subsample of this size (every class kept); ``notes`` says so.

    Returns
    -------
    SphereMetrics

    Raises
    ------
    ValueError
        If the embeddings are not a finite 2-D array, contain zero vectors, the
        labels do not match, fewer than 2 classes are present, or ``k`` is out of range.

    Examples
    --------
    >>> X = np.array([[1.0, 0.1], [1.0, -0.1], [-1.0, 0.1], [-1.0, -0.1]])
    >>> m = sphere_metrics(X, [0, 0, 1, 1], k=1)
    >>> round(m.min_inter_angle_deg), m.knn_accuracy
    (180, 1.0)
    """
    raw = np.asarray(embeddings, dtype=np.float64)
    U = normalize_rows(raw, name="embeddings")
    n, dim = U.shape
    _, classes, codes = _check_labels(labels, n)
    n_classes = len(classes)
    if n_classes < 2:
        raise ValueError(f"sphere_metrics needs at least 2 classes. Got 1 (label {classes[0]!r}).")
    k = _check_k(k, n)
    if isinstance(max_silhouette, bool) or not isinstance(max_silhouette, (int, np.integer)) or max_silhouette < 2:
        raise ValueError(f"The 'max_silhouette' parameter must be an int >= 2. Got {max_silhouette!r}.")
    notes = []
    if not np.allclose(np.linalg.norm(raw, axis=1), 1.0, atol=1e-3):
        notes.append("Embeddings were L2-normalised before the metrics (they were not unit vectors).")

    counts = np.bincount(codes, minlength=n_classes)
    sums = np.zeros((n_classes, dim))
    np.add.at(sums, codes, U)
    lengths = np.linalg.norm(sums, axis=1)
    R = lengths / counts
    first = np.array([np.flatnonzero(codes == c)[0] for c in range(n_classes)])
    mu = np.where(lengths[:, None] > _EPS, sums / np.maximum(lengths, _EPS)[:, None], U[first])
    if np.any(lengths <= _EPS):
        notes.append("Some class has no mean direction (its members cancel out); its first member stands in.")

    dev = _angle_deg(U, mu[codes])
    mean_dev = np.bincount(codes, weights=dev, minlength=n_classes) / counts
    p95 = np.array([np.percentile(dev[codes == c], 95) for c in range(n_classes)])

    inter = _angle_deg(mu[:, None, :], mu[None, :, :])
    np.fill_diagonal(inter, 0.0)
    off = inter + np.diag(np.full(n_classes, np.inf))
    nearest = np.argmin(off, axis=1)
    min_inter = float(off.min())
    simplex = float(np.degrees(np.arccos(-1.0 / (n_classes - 1))))

    # Fisher ratio with Euclidean class means m_c of the unit vectors
    means = sums / counts[:, None]
    grand = U.mean(axis=0)
    tr_sw = float(np.sum((U - means[codes]) ** 2))
    tr_sb = float(np.sum(counts * np.sum((means - grand) ** 2, axis=1)))

    sil, sil_idx = _silhouette(U, codes, n_classes, seed, max_silhouette)
    sil_codes = codes[sil_idx]
    sil_per_class = np.bincount(sil_codes, weights=sil, minlength=n_classes) / np.bincount(sil_codes,
                                                                                           minlength=n_classes)
    if len(sil_idx) < n:
        notes.append(f"Silhouette and uniformity use a random subsample of {len(sil_idx)} of {n} points "
                     f"(seed {seed}).")

    # alignment over ordered same-class pairs i != j: sum ||x_i - x_j||^2 = 2n(n-1) - 2(||s||^2 - n)
    pair_counts = counts * (counts - 1)
    pair_sums = 2.0 * pair_counts - 2.0 * (lengths**2 - counts)
    alignment = float(max(pair_sums.sum(), 0.0) / pair_counts.sum()) if pair_counts.sum() else 0.0
    if not pair_counts.sum():
        notes.append("No class has two samples: alignment is reported as 0.")

    pred = _knn_votes(U, codes, k, n_classes)
    hit = (pred == codes).astype(np.float64)

    return SphereMetrics(
        classes=classes, class_names=_names(classes, class_names), counts=counts, mean_directions=mu,
        resultant_lengths=R, mean_deviation_deg=mean_dev, p95_deviation_deg=p95, inter_angle_deg=inter,
        nearest_class=nearest, silhouette_per_class=sil_per_class,
        knn_accuracy_per_class=np.bincount(codes, weights=hit, minlength=n_classes) / counts,
        mean_intra_angle_deg=float(dev.mean()), p95_intra_angle_deg=float(np.percentile(dev, 95)),
        min_inter_angle_deg=min_inter, simplex_angle_deg=simplex, simplex_ratio=_ratio(min_inter, simplex),
        separability=_ratio(min_inter, 2.0 * float(mean_dev.max())), fisher=_ratio(tr_sb, tr_sw),
        silhouette=float(sil.mean()), silhouette_n=len(sil_idx), alignment=alignment,
        uniformity=_uniformity(U[sil_idx]), knn_accuracy=float(hit.mean()), k=k, n_samples=n, dim=dim,
        notes=notes,
    )


def classification_margins(cosines: Any, labels: Any) -> np.ndarray:
    """Per-sample margin of a cosine head: ``cos(theta_y) - max_{j != y} cos(theta_j)``.

    Positive means correctly classified with room to spare; negative, misclassified.

    Parameters
    ----------
    cosines : array-like of shape (N, C), C >= 2
        Cosines between each embedding and each class weight (unscaled logits of a cosine head).
    labels : array-like of int, shape (N,)
        True classes in ``[0, C)``.

    Returns
    -------
    ndarray of shape (N,)

    Examples
    --------
    >>> classification_margins([[0.9, 0.1, 0.3], [0.2, 0.5, 0.4]], [0, 2]).round(2)
    array([ 0.6, -0.1])
    """
    cos = np.asarray(cosines, dtype=np.float64)
    if cos.ndim != 2 or cos.shape[1] < 2:
        raise ValueError(f"The 'cosines' parameter must be a 2-D array (N, C) with C >= 2. Got shape {cos.shape}.")
    y = np.asarray(labels)
    if y.shape != (cos.shape[0],):
        raise ValueError(f"The 'labels' parameter must have shape ({cos.shape[0]},). Got {y.shape}.")
    if y.size and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= cos.shape[1]):
        raise ValueError(f"The 'labels' parameter must hold ints in [0, {cos.shape[1] - 1}]. Got values "
                         f"{y.min()!r}..{y.max()!r}.")
    rows = np.arange(cos.shape[0])
    own = cos[rows, y]
    others = cos.copy()
    others[rows, y] = -np.inf
    return own - others.max(axis=1)
