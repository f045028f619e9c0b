"""Projection of unit embeddings onto the 2-sphere, and a flat equal-area map of it.

Embeddings trained with angular-margin losses live on the hypersphere
:math:`S^{D-1}`. To look at them we need :math:`S^2`:

* ``D > 3``: UMAP with an input ``cosine`` metric and ``output_metric="haversine"``,
  so the layout is optimised directly on the sphere. The cosine k-NN graph is
  exact up to 20,000 points (NN-descent above), UMAP's fuzzy graph is built here in
  numpy (the same numbers as umap-learn's, without seconds of numba compilation),
  and umap-learn's own haversine layout optimiser places the points;
* ``D = 3``: the embedding itself, normalised (the true sphere, no approximation);
* ``D = 2``: the exact circle on the equator (``z = 0``).

Each result comes as unit ``xyz`` (for a 3-D globe), longitude/latitude in degrees,
and ``map_xy`` on the Lambert cylindrical equal-area map (``x = lon`` in radians,
``y = sin(lat)``): areas, and so the visual density of points, are preserved,
and a 2-D scatter supports lasso selection where a 3-D one does not.

Metrics must never be computed on these coordinates; see :mod:`snnviz.analysis.sphere`.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from snnviz.analysis.sphere import cosine_knn, normalize_rows

__all__ = [
    "SphereProjection",
    "project_cached",
    "knn_preservation", "default_epochs",
    "xyz_to_lonlat",
    "lonlat_to_map",
]

_INITS = ("sphere_pca", "spectral", "pca", "random")
_PROJECTION_FORMAT = 1  # bump when the output of fit changes for the same parameters
_EXACT_KNN_MAX = 20000  # above this, approximate neighbours (NN-descent) are cheaper than exact ones


def _fuzzy_graph(knn_idx: np.ndarray, knn_dist: np.ndarray) -> Any:
    """UMAP's fuzzy simplicial set (local_connectivity=1, set_op_mix_ratio=1), vectorised in numpy.

    ``knn_idx``/``knn_dist`` are (N, k) with each point itself in column 0 at
    distance 0, as umap-learn's own neighbour search returns them. This is
    ``umap.umap_.fuzzy_simplicial_set`` without its numba kernels, which take
    seconds to compile on a first call.
    """
    import scipy.sparse

    n, k = knn_idx.shape
    d = knn_dist.astype(np.float64)
    positive = np.where(d > 0, d, np.inf)
    rho = positive.min(axis=1)
    rho[~np.isfinite(rho)] = 0.0
    target = np.log2(k)
    lo, hi, mid = np.zeros(n), np.full(n, np.inf), np.ones(n)
    gap = np.maximum(d[:, 1:] - rho[:, None], 0.0)
    for _ in range(64):  # binary search of sigma so that sum_j exp(-gap_ij / sigma_i) = log2(k)
        psum = np.exp(-gap / mid[:, None]).sum(axis=1)
        active = np.abs(psum - target) >= 1e-5
        if not active.any():
            break
        high = active & (psum > target)
        low = active & ~high
        hi = np.where(high, mid, hi)
        lo = np.where(low, mid, lo)
        with np.errstate(invalid="ignore"):
            mid = np.where(high | (low & np.isfinite(hi)), (lo + hi) / 2.0, np.where(low, mid * 2.0, mid))
    floor = 1e-3 * np.where(rho > 0, d.mean(axis=1), d.mean())
    sigma = np.maximum(mid, floor)
    vals = np.exp(-np.maximum(d - rho[:, None], 0.0) / sigma[:, None])
    vals[knn_idx == np.arange(n)[:, None]] = 0.0
    G = scipy.sparse.coo_matrix((vals.ravel(), (np.repeat(np.arange(n), k), knn_idx.ravel())), shape=(n, n)).tocsr()
    prod = G.multiply(G.T)
    G = (G + G.T - prod).tocoo()
    G.eliminate_zeros()
    return G


def xyz_to_lonlat(xyz: np.ndarray) -> np.ndarray:
    """Convert unit vectors ``(N, 3)`` to ``(N, 2)`` longitude/latitude in degrees.

    Longitude is ``atan2(y, x)`` in ``(-180, 180]``, latitude ``asin(z)`` in ``[-90, 90]``.
    """
    xyz = np.asarray(xyz, dtype=np.float64)
    lon = np.degrees(np.arctan2(xyz[:, 1], xyz[:, 0]))
    lat = np.degrees(np.arcsin(np.clip(xyz[:, 2], -1.0, 1.0)))
    return np.column_stack([lon, lat])


def lonlat_to_map(lonlat: np.ndarray) -> np.ndarray:
    """Lambert cylindrical equal-area map: ``x = lon`` (radians), ``y = sin(lat)``.

    The map spans ``[-pi, pi] x [-1, 1]``; equal areas on the sphere get equal
    areas on the map, so point density reads correctly.
    """
    lonlat = np.asarray(lonlat, dtype=np.float64)
    return np.column_stack([np.radians(lonlat[:, 0]), np.sin(np.radians(lonlat[:, 1]))])


def _angles_to_xyz(angles: np.ndarray) -> np.ndarray:
    """UMAP haversine coordinates to unit xyz.

    umap-learn optimises its haversine layout with the first coordinate as the
    polar angle (colatitude) and the second as the azimuth, as in its own
    "embedding on a sphere" example.
    """
    theta, phi = angles[:, 0].astype(np.float64), angles[:, 1].astype(np.float64)
    return np.column_stack([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)])


def _xyz_to_angles(xyz: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_angles_to_xyz`: unit xyz to (colatitude, azimuth) in radians."""
    theta = np.arccos(np.clip(xyz[:, 2], -1.0, 1.0))
    phi = np.arctan2(xyz[:, 1], xyz[:, 0])
    return np.column_stack([theta, phi]).astype(np.float32)


def _pca_sphere(X: np.ndarray, seed: int) -> np.ndarray:
    """PCA of unit rows to 3-D, renormalised: the "TensorBoard projector" view."""
    from sklearn.decomposition import PCA

    n_comp = min(3, X.shape[0], X.shape[1])
    Y = PCA(n_components=n_comp, random_state=seed).fit_transform(X)
    if n_comp < 3:
        Y = np.column_stack([Y, np.zeros((Y.shape[0], 3 - n_comp))])
    norms = np.linalg.norm(Y, axis=1, keepdims=True)
    Y = np.where(norms > 1e-12, Y / np.maximum(norms, 1e-12), np.array([0.0, 0.0, 1.0]))
    return Y


def _check_int(name: str, value: Any, low: int, high: int | None) -> int:
    upper = "inf" if high is None else str(high)
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):
        raise ValueError(f"The '{name}' parameter must be an int in [{low}, {upper}]. Got {value!r}.")
    return int(value)


def _check_float(name: str, value: Any, low: float, high: float) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not low <= value <= high:
        raise ValueError(f"The '{name}' parameter must be a float in [{low}, {high}]. Got {value!r}.")
    return float(value)


class SphereProjection:
    """Project unit embeddings onto the 2-sphere (UMAP with a haversine output metric).

    A scikit-learn style estimator: arguments are stored as given and validated
    in :meth:`fit`; results carry a trailing underscore. The parameters only
    matter (and are only validated) for ``D > 3``; smaller ``D`` is projected exactly.

    Parameters
    ----------
    n_neighbors : int, default=15
        UMAP neighbourhood size, in ``[2, N - 1]``.
    min_dist : float, default=0.1
        UMAP minimum distance (radians on the output sphere), in ``[0, 3.14]``.
    n_epochs : int or None, default=None
        Layout optimisation epochs. None picks :func:`default_epochs`: ``200 * 2000 / N``
        clipped to ``[200, 500]`` up to 20,000 points (umap-learn uses 500 up to 10,000),
        more for small sets at the same cost, and 100 above 20,000 points, where each
        epoch already moves every point many times. See ``bench/bench_projection.py``
        for the study behind the defaults.
    init : {"sphere_pca", "spectral", "pca", "random"}, default="sphere_pca"
        Initial layout. ``"sphere_pca"`` starts from the PCA-to-3-D view,
        normalised onto the sphere, which already holds the global arrangement;
        the others are umap-learn's planar inits read as angles.
    negative_sample_rate : int, default=2
        Negative samples per positive edge and epoch (umap-learn's default is 5;
        2 halves the cost of an epoch and, with the ``"sphere_pca"`` start, kept
        the neighbourhoods as well in the projection study).
    random_state : int or None, default=0
        Seed. An int makes the result reproducible (umap-learn then runs its
        neighbour search single-threaded); None lets it use every core.
    low_memory : bool, default=True
        Passed to umap-learn's nearest-neighbour search.

    Attributes
    ----------
    xyz_ : ndarray of shape (N, 3)
        Unit vectors on the sphere.
    lonlat_ : ndarray of shape (N, 2)
        Longitude and latitude in degrees.
    map_xy_ : ndarray of shape (N, 2)
        Lambert cylindrical equal-area coordinates.
    method_ : {"umap", "exact"}
        ``"exact"`` for ``D <= 3`` (no approximation).
    n_features_in_ : int
        D, the input dimension.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(50, 3))
    >>> proj = SphereProjection().fit(X)
    >>> proj.method_, proj.xyz_.shape
    ('exact', (50, 3))
    """

    def __init__(self, n_neighbors: int = 15, min_dist: float = 0.1, n_epochs: int | None = None,
                 init: str = "sphere_pca", negative_sample_rate: int = 2, random_state: int | None = 0,
                 low_memory: bool = True) -> None:
        self.n_neighbors = n_neighbors
        self.min_dist = min_dist
        self.n_epochs = n_epochs
        self.init = init
        self.negative_sample_rate = negative_sample_rate
        self.random_state = random_state
        self.low_memory = low_memory

    def get_params(self) -> dict[str, Any]:
        """Return the constructor arguments as a dict (used as part of cache keys)."""
        return {"n_neighbors": self.n_neighbors, "min_dist": self.min_dist, "n_epochs": self.n_epochs,
                "init": self.init, "negative_sample_rate": self.negative_sample_rate,
                "random_state": self.random_state, "low_memory": self.low_memory}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"SphereProjection({args})"

    def _validate(self, n_samples: int) -> None:
        if n_samples < 3:
            raise ValueError(f"UMAP needs at least 3 samples to project D > 3 embeddings. Got {n_samples}.")
        _check_int("n_neighbors", self.n_neighbors, 2, n_samples - 1)
        _check_float("min_dist", self.min_dist, 0.0, 3.14)
        if self.n_epochs is not None:
            _check_int("n_epochs", self.n_epochs, 1, None)
        if self.init not in _INITS:
            raise ValueError(f"The 'init' parameter must be one of {', '.join(_INITS)}. Got {self.init!r}.")
        _check_int("negative_sample_rate", self.negative_sample_rate, 1, None)
        if self.random_state is not None:
            _check_int("random_state", self.random_state, 0, 2**32 - 1)
        if not isinstance(self.low_memory, bool):
            raise ValueError(f"The 'low_memory' parameter must be a bool. Got {self.low_memory!r}.")

    def fit(self, X: Any, y: Any = None) -> SphereProjection:
        """Fit the projection on ``X``.

        Parameters
        ----------
        X : array-like of shape (N, D), D >= 2
            Embeddings; rows are L2-normalised first.
        y : ignored

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If ``X`` is not a finite 2-D array without zero rows, or a parameter is out of range.
        """
        U = normalize_rows(X)
        n, d = U.shape
        if d < 2:
            raise ValueError(f"The 'X' parameter must have at least 2 columns (D >= 2). Got D={d}.")
        self.n_features_in_ = d
        self._train = U
        if d <= 3:
            xyz = U if d == 3 else np.column_stack([U, np.zeros(n)])
            self.method_ = "exact"
            self.graph_ = None
        else:
            self._validate(n)
            xyz = self._fit_umap(U)
            self.method_ = "umap"
        self._set_results(xyz)
        return self

    def _fit_umap(self, U: np.ndarray) -> np.ndarray:
        # umap-learn is heavy (numba): imported only here
        from sklearn.utils import check_random_state
        from umap import distances
        from umap.umap_ import find_ab_params, nearest_neighbors, simplicial_set_embedding

        n, k = U.shape[0], int(self.n_neighbors)
        seed = 0 if self.random_state is None else int(self.random_state)
        rng = check_random_state(self.random_state)
        if n <= _EXACT_KNN_MAX:
            idx, sims = cosine_knn(U, k - 1)
            idx = np.column_stack([np.arange(n), idx])
            dist = np.column_stack([np.zeros(n), np.clip(1.0 - sims, 0.0, 2.0)])
        else:
            idx, dist, _ = nearest_neighbors(U.astype(np.float32), k, "cosine", {}, False, rng,
                                             low_memory=self.low_memory, use_pynndescent=True,
                                             n_jobs=1 if self.random_state is not None else -1)
        self.graph_ = _fuzzy_graph(idx, dist)
        if self.init == "sphere_pca":
            init: Any = _xyz_to_angles(_pca_sphere(U, seed))
            init = init + np.random.default_rng(seed).normal(scale=1e-4, size=init.shape).astype(np.float32)
        else:
            init = self.init
        a, b = find_ab_params(1.0, self.min_dist)
        n_epochs = self.n_epochs if self.n_epochs is not None else default_epochs(n)
        angles, _ = simplicial_set_embedding(
            data=U.astype(np.float32), graph=self.graph_, n_components=2, initial_alpha=1.0, a=a, b=b, gamma=1.0,
            negative_sample_rate=self.negative_sample_rate, n_epochs=n_epochs, init=init, random_state=rng,
            metric="cosine", metric_kwds={}, densmap=False, densmap_kwds={}, output_dens=False,
            output_metric=distances.named_distances_with_gradients["haversine"], output_metric_kwds={},
            euclidean_output=False, parallel=False, verbose=False,
        )
        return _angles_to_xyz(np.asarray(angles))

    def _set_results(self, xyz: np.ndarray) -> None:
        xyz = xyz / np.linalg.norm(xyz, axis=1, keepdims=True)
        self.xyz_ = xyz
        self.lonlat_ = xyz_to_lonlat(xyz)
        self.map_xy_ = lonlat_to_map(self.lonlat_)

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit on ``X`` and return ``xyz_`` (N, 3)."""
        return self.fit(X).xyz_

    def transform(self, X: Any) -> np.ndarray:
        """Place new points on the fitted sphere; returns unit xyz ``(M, 3)``.

        For ``D <= 3`` this is exact. For the UMAP projection each new point goes
        to the normalised, similarity-weighted mean position of its
        ``n_neighbors`` nearest training points (cosine), the same placement
        umap-learn uses to initialise its own ``transform``, without the extra
        optimisation epochs: fast, deterministic, and it works for projections
        restored from the disk cache.

        Raises
        ------
        RuntimeError
            If the projection is not fitted.
        ValueError
            If ``X`` has a different number of columns than the training data.
        """
        if not hasattr(self, "xyz_"):
            raise RuntimeError("This SphereProjection is not fitted yet. Call 'fit' with appropriate arguments first.")
        U = normalize_rows(X)
        if U.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {U.shape[1]} features, but this SphereProjection was fitted with "
                             f"{self.n_features_in_} features.")
        if self.method_ == "exact":
            return U if U.shape[1] == 3 else np.column_stack([U, np.zeros(U.shape[0])])
        k = min(int(self.n_neighbors), self._train.shape[0])
        sim = U @ self._train.T  # (M, N) cosine similarity
        idx = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        near = np.take_along_axis(sim, idx, axis=1)
        # sharp weights: the nearest neighbours dominate, far ones barely count
        weights = np.exp((near - near.max(axis=1, keepdims=True)) * 20.0)
        pos = np.einsum("mk,mkc->mc", weights, self.xyz_[idx])
        norms = np.linalg.norm(pos, axis=1, keepdims=True)
        fallback = self.xyz_[idx[np.arange(len(idx)), np.argmax(near, axis=1)]]
        return np.where(norms > 1e-9, pos / np.maximum(norms, 1e-12), fallback)


def default_epochs(n: int) -> int:
    """Layout epochs used when ``n_epochs=None`` for ``n`` points (see :class:`SphereProjection`)."""
    if n > 20_000:
        return 100
    return int(np.clip(round(400_000 / n), 200, 500))


def knn_preservation(X: Any, xyz: Any, k: int = 10) -> float:
    """Mean fraction of each point's k nearest neighbours kept by a projection.

    Neighbours in ``X`` use cosine distance, neighbours on the sphere use
    great-circle distance (both ranked by the dot product of unit vectors).

    Parameters
    ----------
    X : array-like of shape (N, D)
    xyz : array-like of shape (N, 3)
    k : int, default=10

    Returns
    -------
    float in [0, 1]
    """
    A, B = normalize_rows(X), normalize_rows(xyz, name="xyz")
    if A.shape[0] != B.shape[0]:
        raise ValueError(f"X and xyz must have the same number of rows. Got {A.shape[0]} and {B.shape[0]}.")
    k = _check_int("k", k, 1, A.shape[0] - 1)
    # great-circle distance on the sphere is monotone in the dot product, like cosine distance
    ia, ib = cosine_knn(A, k)[0], cosine_knn(B, k)[0]
    hits = [np.intersect1d(a, b, assume_unique=True).size for a, b in zip(ia, ib)]
    return float(np.mean(hits) / k)


def _valid_cached(hit: tuple[dict[str, np.ndarray], dict[str, Any]], n: int) -> bool:
    """Trust a cache entry only if it holds finite unit points for all ``n`` samples and a known method."""
    arrays, meta = hit
    xyz = arrays.get("xyz")
    if meta.get("method") not in ("umap", "exact") or xyz is None or xyz.shape != (n, 3):
        return False
    norms = np.linalg.norm(xyz, axis=1) if np.all(np.isfinite(xyz)) else np.zeros(1)
    return bool(np.all(np.abs(norms - 1.0) < 1e-3))


def project_cached(X: Any, *, cache: Any = None, **params: Any) -> SphereProjection:
    """Fit a :class:`SphereProjection` on ``X``, reusing a disk-cached result.

    The cache key is a hash of the array, the parameters and the code version.
    A projection restored from cache has ``xyz_``, ``lonlat_``, ``map_xy_`` and
    ``method_`` and supports :meth:`SphereProjection.transform`; its ``graph_``
    attribute is None.

    Parameters
    ----------
    X : array-like of shape (N, D)
    cache : None, True, str, path or DiskCache
        Where to cache; see :func:`snnviz.analysis.cache.get_cache`. None disables caching.
    **params
        Arguments of :class:`SphereProjection`.

    Returns
    -------
    SphereProjection
    """
    from snnviz.analysis.cache import array_digest, get_cache, make_key

    proj = SphereProjection(**params)
    store = get_cache(cache)
    if store is None:
        return proj.fit(X)
    U = normalize_rows(X)
    key = make_key("projection", _PROJECTION_FORMAT, data=array_digest(U), params=proj.get_params())
    hit = store.load(key)
    if hit is not None and _valid_cached(hit, U.shape[0]):
        arrays, meta = hit
        proj.n_features_in_ = U.shape[1]
        proj._train = U
        proj.method_ = str(meta["method"])
        proj.graph_ = None
        proj._set_results(arrays["xyz"])
        return proj
    proj.fit(U)
    store.save(key, {"xyz": proj.xyz_}, {"method": proj.method_, "params": proj.get_params()})
    return proj
