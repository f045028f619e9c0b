import math

import numpy as np
import pytest

from snnviz.analysis.sphere import classification_margins, knn_accuracy, sphere_metrics


def ring(mu, angle_deg, n, rng):
    """``n`` (even) unit vectors at exactly ``angle_deg`` from unit ``mu``, in +/- pairs so their mean is ``mu``."""
    d = mu.shape[0]
    v = rng.normal(size=(n // 2, d))
    v -= np.outer(v @ mu, mu)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    v = np.concatenate([v, -v])
    a = math.radians(angle_deg)
    return math.cos(a) * mu + math.sin(a) * v


@pytest.fixture
def three_rings():
    rng = np.random.default_rng(0)
    eye = np.eye(8)
    X = np.concatenate([ring(eye[c], 10.0, 20, rng) for c in range(3)])
    y = np.repeat([0, 1, 2], 20)
    return X, y


def random_rotation(d, seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    return q * np.sign(np.diag(r))


def test_sphere_metrics_known_angles(three_rings):
    X, y = three_rings
    m = sphere_metrics(X, y, class_names=["a", "b", "c"], k=5)
    np.testing.assert_allclose(m.mean_deviation_deg, 10.0, atol=1e-6)
    np.testing.assert_allclose(m.p95_deviation_deg, 10.0, atol=1e-6)
    np.testing.assert_allclose(m.resultant_lengths, math.cos(math.radians(10.0)), atol=1e-9)
    np.testing.assert_allclose(m.mean_directions, np.eye(8)[:3], atol=1e-9)
    assert m.min_inter_angle_deg == pytest.approx(90.0)
    assert m.simplex_angle_deg == pytest.approx(120.0)
    assert m.simplex_ratio == pytest.approx(0.75)
    assert m.separability == pytest.approx(90.0 / 20.0)
    assert m.knn_accuracy == 1.0
    assert m.silhouette > 0.8
    assert m.notes == []


def test_sphere_metrics_rotation_invariant(three_rings):
    X, y = three_rings
    before = sphere_metrics(X, y, k=5).summary()
    after = sphere_metrics(X @ random_rotation(8, 1), y, k=5).summary()
    for key, value in before.items():
        assert after[key] == pytest.approx(value, rel=1e-6, abs=1e-9), key


def test_sphere_metrics_fisher_and_alignment_closed_form():
    a = math.radians(30.0)
    X = np.array([[math.cos(a), math.sin(a)], [math.cos(a), -math.sin(a)],
                  [-math.cos(a), math.sin(a)], [-math.cos(a), -math.sin(a)]])
    m = sphere_metrics(X, [0, 0, 1, 1], k=1)
    assert m.fisher == pytest.approx(1.0 / math.tan(a) ** 2)
    assert m.alignment == pytest.approx(4.0 * math.sin(a) ** 2)  # the one same-class pair per class
    sq = np.clip(2 - 2 * X @ X.T, 0, 4)[~np.eye(4, dtype=bool)]
    assert m.uniformity == pytest.approx(math.log(np.mean(np.exp(-2 * sq))))


def test_sphere_metrics_normalises_non_unit_input(three_rings):
    X, y = three_rings
    scales = np.random.default_rng(2).uniform(0.5, 7.0, size=(len(X), 1))
    m = sphere_metrics(X * scales, y, k=5)
    assert m.summary() == pytest.approx(sphere_metrics(X, y, k=5).summary())
    assert "L2-normalised" in m.notes[0]


def test_sphere_metrics_one_class_is_an_error():
    with pytest.raises(ValueError, match="at least 2 classes. Got 1"):
        sphere_metrics(np.eye(3), [4, 4, 4], k=1)


def test_sphere_metrics_zero_vector_is_an_error():
    X = np.eye(4)
    X[2] = 0.0
    with pytest.raises(ValueError, match=r"1 zero row\(s\) \(rows 2\)"):
        sphere_metrics(X, [0, 0, 1, 1], k=1)


def test_sphere_metrics_k_out_of_range():
    with pytest.raises(ValueError, match=r"The 'k' parameter must be an int in \[1, 3\]. Got 4."):
        sphere_metrics(np.eye(4), [0, 0, 1, 1], k=4)


def test_sphere_metrics_one_sample_per_class_is_defined():
    m = sphere_metrics(np.eye(4), [0, 1, 2, 3], k=1)
    table = m.per_class_table()
    values = [v for row in table for v in row.values() if isinstance(v, float)] + list(m.summary().values())
    assert not any(math.isnan(v) for v in values)
    assert m.silhouette == 0.0 and m.alignment == 0.0
    assert m.separability == math.inf  # orthogonal classes, no spread at all
    assert m.min_inter_angle_deg == pytest.approx(90.0)


def test_sphere_metrics_duplicate_points_are_defined():
    # one point repeated in classes of unequal size (an untrained network does this): rounding must not
    # make up an angle between the class means
    v = np.random.default_rng(5).normal(size=(1, 64)).astype(np.float32)
    X = np.tile(v, (107, 1))
    m = sphere_metrics(X, [0] * 100 + [1] * 7, k=2)
    assert not any(math.isnan(v) for v in m.summary().values())
    assert m.min_inter_angle_deg < 1e-9 and m.mean_intra_angle_deg < 1e-9
    assert m.separability == 0.0
    assert m.fisher == 0.0


def test_sphere_metrics_subsamples_silhouette_and_says_so():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 5))
    y = rng.integers(0, 3, 300)
    m = sphere_metrics(X, y, max_silhouette=100, k=3)
    assert m.silhouette_n == 100
    assert any("subsample of 100 of 300" in note for note in m.notes)
    full = sphere_metrics(X, y, k=3)
    assert full.silhouette_n == 300
    assert m.silhouette == pytest.approx(full.silhouette, abs=0.05)


def test_sphere_metrics_table_and_summary(three_rings):
    X, y = three_rings
    m = sphere_metrics(X, y, class_names=["a", "b", "c"], k=5)
    table = m.per_class_table()
    assert [row["class"] for row in table] == ["a", "b", "c"]
    assert table[0]["n"] == 20 and table[0]["nearest_angle_deg"] == pytest.approx(90.0)
    assert set(m.summary()) == {"mean_intra_angle_deg", "min_inter_angle_deg", "simplex_angle_deg", "separability",
                                "fisher", "silhouette", "alignment", "uniformity", "knn_accuracy"}


def test_sphere_metrics_class_names_must_cover_labels():
    with pytest.raises(ValueError, match="has 2 names, but the labels include 2"):
        sphere_metrics(np.eye(3), [0, 1, 2], class_names=["a", "b"], k=1)


def test_knn_accuracy_confused_points():
    X = np.array([[1.0, 0.0], [0.99, 0.1], [0.98, -0.1], [-1.0, 0.0], [-0.99, 0.1], [0.97, 0.2]])
    y = np.array([0, 0, 0, 1, 1, 1])  # the last point sits inside class 0
    assert knn_accuracy(X, y, k=1) == pytest.approx(5 / 6)  # only the stray point is wrong


def test_classification_margins_values():
    margins = classification_margins([[0.9, 0.1, 0.3], [0.2, 0.5, 0.4]], [0, 2])
    np.testing.assert_allclose(margins, [0.6, -0.1])


def test_classification_margins_rejects_bad_labels():
    with pytest.raises(ValueError, match=r"ints in \[0, 1\]"):
        classification_margins([[0.9, 0.1]], [2])
