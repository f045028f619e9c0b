import numpy as np
import pytest

from snnviz.analysis.cache import DiskCache
from snnviz.analysis.projection import (
    SphereProjection,
    _fuzzy_graph,
    knn_preservation,
    lonlat_to_map,
    project_cached,
    xyz_to_lonlat,
)
from snnviz.analysis.sphere import knn_accuracy


def clusters(n=150, d=16, k=3, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.eye(d)[:k]
    y = np.arange(n) % k
    X = centres[y] + 0.15 * rng.normal(size=(n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True), y


def test_sphereprojection_exact_for_3d():
    X = np.random.default_rng(0).normal(size=(40, 3)) * 5
    proj = SphereProjection().fit(X)
    assert proj.method_ == "exact" and proj.graph_ is None
    np.testing.assert_allclose(proj.xyz_, X / np.linalg.norm(X, axis=1, keepdims=True))
    assert proj.lonlat_.shape == (40, 2) and proj.map_xy_.shape == (40, 2)


def test_sphereprojection_circle_for_2d():
    X = np.array([[2.0, 0.0], [0.0, -3.0], [-1.0, 1.0]])
    proj = SphereProjection().fit(X)
    np.testing.assert_allclose(proj.xyz_[:, 2], 0.0)
    np.testing.assert_allclose(proj.lonlat_, [[0, 0], [-90, 0], [135, 0]], atol=1e-9)
    np.testing.assert_allclose(proj.transform([[0.0, 5.0]]), [[0.0, 1.0, 0.0]], atol=1e-12)


def test_xyz_to_lonlat_and_equal_area_map():
    xyz = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0, 0, -1.0], [-1.0, 0, 0]])
    lonlat = xyz_to_lonlat(xyz)
    np.testing.assert_allclose(lonlat, [[0, 0], [90, 0], [0, 90], [0, -90], [180, 0]], atol=1e-9)
    np.testing.assert_allclose(lonlat_to_map(lonlat), [[0, 0], [np.pi / 2, 0], [0, 1], [0, -1], [np.pi, 0]],
                               atol=1e-9)


def test_lonlat_to_map_preserves_area():
    # uniform points on the sphere must be uniform on the map: equal counts in equal-area bands
    rng = np.random.default_rng(0)
    xyz = rng.normal(size=(40000, 3))
    xyz /= np.linalg.norm(xyz, axis=1, keepdims=True)
    y = lonlat_to_map(xyz_to_lonlat(xyz))[:, 1]
    counts = np.histogram(y, bins=4, range=(-1, 1))[0]
    np.testing.assert_allclose(counts / len(y), 0.25, atol=0.01)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_neighbors": 1}, r"The 'n_neighbors' parameter must be an int in \[2, 19\]. Got 1."),
        ({"n_neighbors": 20}, r"The 'n_neighbors' parameter must be an int in \[2, 19\]. Got 20."),
        ({"min_dist": -0.1}, r"The 'min_dist' parameter must be a float in \[0.0, 3.14\]. Got -0.1."),
        ({"n_epochs": 0}, r"The 'n_epochs' parameter must be an int in \[1, inf\]. Got 0."),
        ({"init": "tsne"}, r"The 'init' parameter must be one of sphere_pca, spectral, pca, random. Got 'tsne'."),
        ({"random_state": -1}, r"The 'random_state' parameter must be an int"),
    ],
)
def test_sphereprojection_validates_parameters_in_fit(params, message):
    X = np.random.default_rng(0).normal(size=(20, 5))
    proj = SphereProjection(**params)  # no error until fit
    with pytest.raises(ValueError, match=message):
        proj.fit(X)


def test_sphereprojection_rejects_zero_rows_and_bad_shapes():
    with pytest.raises(ValueError, match="zero row"):
        SphereProjection().fit(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"2-D array \(N, D\). Got shape \(5,\)"):
        SphereProjection().fit(np.ones(5))
    with pytest.raises(ValueError, match="at least 2 columns"):
        SphereProjection().fit(np.ones((5, 1)))


def test_sphereprojection_transform_checks_fit_and_width():
    with pytest.raises(RuntimeError, match="not fitted"):
        SphereProjection().transform(np.ones((1, 3)))
    proj = SphereProjection().fit(np.eye(3))
    with pytest.raises(ValueError, match="X has 4 features, but this SphereProjection was fitted with 3"):
        proj.transform(np.ones((1, 4)))


def test_knn_preservation_bounds():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    assert knn_preservation(X, X, k=5) == 1.0
    shuffled = X[rng.permutation(200)]
    assert knn_preservation(X, shuffled, k=5) < 0.2
    with pytest.raises(ValueError, match="same number of rows"):
        knn_preservation(X, X[:10])


def test_project_cached_reuses_result(tmp_path):
    X = np.random.default_rng(0).normal(size=(30, 3))
    first = project_cached(X, cache=tmp_path)
    assert len(list(tmp_path.glob("projection-*.npz"))) == 1
    second = project_cached(X, cache=DiskCache(tmp_path))
    np.testing.assert_allclose(second.xyz_, first.xyz_)
    assert second.method_ == "exact"
    project_cached(X, cache=tmp_path, n_neighbors=5)  # other parameters, other entry
    assert len(list(tmp_path.glob("projection-*.npz"))) == 2


@pytest.mark.slow
def test_sphereprojection_umap_separates_clusters_and_is_reproducible():
    X, y = clusters()
    proj = SphereProjection(n_neighbors=10, n_epochs=50).fit(X)
    assert proj.method_ == "umap"
    np.testing.assert_allclose(np.linalg.norm(proj.xyz_, axis=1), 1.0)
    assert knn_accuracy(proj.xyz_, y, k=5) > 0.95
    assert knn_preservation(X, proj.xyz_, k=10) > 0.2
    again = SphereProjection(n_neighbors=10, n_epochs=50).fit(X)
    np.testing.assert_allclose(again.xyz_, proj.xyz_, atol=1e-6)
    # new points land beside their own cluster
    new, new_y = clusters(n=30, seed=1)
    placed = proj.transform(new)
    centres = np.stack([proj.xyz_[y == c].mean(0) for c in range(3)])
    assert np.mean(np.argmax(placed @ centres.T, axis=1) == new_y) > 0.95


@pytest.mark.slow
def test_project_cached_umap_restores_and_transforms(tmp_path):
    X, _ = clusters(n=90)
    fitted = project_cached(X, cache=tmp_path, n_neighbors=8, n_epochs=30)
    restored = project_cached(X, cache=tmp_path, n_neighbors=8, n_epochs=30)
    assert restored.graph_ is None and restored.method_ == "umap"
    np.testing.assert_allclose(restored.xyz_, fitted.xyz_)
    np.testing.assert_allclose(restored.transform(X[:5]), fitted.transform(X[:5]))


@pytest.mark.slow
def test_fuzzy_graph_matches_umap():
    from umap.umap_ import fuzzy_simplicial_set

    from snnviz.analysis.sphere import cosine_knn

    X, _ = clusters(n=120)
    idx, sims = cosine_knn(X, 9)
    idx = np.column_stack([np.arange(120), idx])
    dist = np.column_stack([np.zeros(120), 1.0 - sims]).astype(np.float32)
    ours = _fuzzy_graph(idx, dist).toarray()
    theirs = fuzzy_simplicial_set(X, 10, 0, "cosine", knn_indices=idx, knn_dists=dist)[0].toarray()
    np.testing.assert_allclose(ours, theirs, atol=1e-4)


def test_default_epochs_follow_the_study():
    from snnviz.analysis.projection import default_epochs

    assert [default_epochs(n) for n in (300, 1000, 2000, 10_000, 20_000, 20_001, 50_000)] == [
        500, 400, 200, 200, 200, 100, 100,
    ]
