"""Numbers that cannot lie: sphere metrics are invariant to rotations and relabelling, and never NaN.

Degenerate inputs (one class, one sample per class, duplicate points, zero vectors,
antipodal members) give a clear ValueError or a defined value.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from snnviz.analysis.sphere import sphere_metrics

FUZZ = settings(max_examples=50, deadline=None)
_ARRAYS = ("counts", "resultant_lengths", "mean_deviation_deg", "p95_deviation_deg", "inter_angle_deg",
           "silhouette_per_class", "knn_accuracy_per_class", "mean_directions")


def _rotation(d: int, rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(d, d)))
    return q * np.sign(np.diag(r))


@st.composite
def _clouds(draw):
    """Seeded Gaussian clusters on the sphere: (X, labels, k) with K >= 2 classes and at least 2 samples each."""
    seed = draw(st.integers(0, 2**32 - 1))
    dim = draw(st.integers(2, 12))
    n_classes = draw(st.integers(2, 6))
    per_class = draw(st.lists(st.integers(2, 12), min_size=n_classes, max_size=n_classes))
    spread = draw(st.sampled_from([0.05, 0.3, 1.0, 3.0]))
    scale = draw(st.sampled_from([1.0, 1e-3, 1e3]))  # not unit vectors: normalised first
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_classes, dim))
    X = np.concatenate([c + spread * rng.normal(size=(n, dim)) for c, n in zip(centres, per_class)]) * scale
    y = np.repeat(np.arange(n_classes), per_class)
    k = draw(st.integers(1, min(10, len(y) - 1)))
    return X, y, k


def _no_nan(m) -> None:
    for name, value in m.summary().items():
        assert not math.isnan(value), name
    for name in _ARRAYS:
        assert not np.isnan(getattr(m, name)).any(), name
    for row in m.per_class_table():
        for key, value in row.items():
            assert not (isinstance(value, float) and math.isnan(value)), (row["class"], key)


def _close(a: dict, b: dict) -> None:
    for key, value in a.items():
        assert b[key] == pytest.approx(value, rel=1e-6, abs=1e-7), key


@FUZZ
@given(cloud=_clouds(), rot_seed=st.integers(0, 1000))
def test_sphere_metrics_are_invariant_to_rotating_the_space(cloud, rot_seed):
    X, y, k = cloud
    before = sphere_metrics(X, y, k=k)
    after = sphere_metrics(X @ _rotation(X.shape[1], np.random.default_rng(rot_seed)), y, k=k)
    _no_nan(before)
    summary_a, summary_b = before.summary(), after.summary()
    assume(summary_a["knn_accuracy"] == summary_b["knn_accuracy"])  # exact k-NN ties may flip on rounding
    _close(summary_a, summary_b)
    np.testing.assert_allclose(before.inter_angle_deg, after.inter_angle_deg, atol=1e-6)
    np.testing.assert_allclose(before.mean_deviation_deg, after.mean_deviation_deg, atol=1e-6)


@FUZZ
@given(cloud=_clouds(), perm_seed=st.integers(0, 1000), as_strings=st.booleans())
def test_sphere_metrics_are_invariant_to_relabelling_classes(cloud, perm_seed, as_strings):
    X, y, k = cloud
    n_classes = int(y.max()) + 1
    perm = np.random.default_rng(perm_seed).permutation(n_classes)
    new = perm[y]
    if as_strings:
        new = np.array([f"class-{v}" for v in new])
    before, after = sphere_metrics(X, y, k=k), sphere_metrics(X, new, k=k)
    _close(before.summary(), after.summary())
    # class c of the first is class perm[c] of the second: per-class figures follow their class
    order = [after.classes.index(f"class-{perm[c]}" if as_strings else int(perm[c])) for c in range(n_classes)]
    for name in ("counts", "mean_deviation_deg", "resultant_lengths", "knn_accuracy_per_class"):
        np.testing.assert_allclose(getattr(after, name)[order], getattr(before, name), atol=1e-9, err_msg=name)
    np.testing.assert_allclose(after.inter_angle_deg[np.ix_(order, order)], before.inter_angle_deg, atol=1e-9)


def test_sphere_metrics_refuse_a_single_class():
    with pytest.raises(ValueError, match=r"needs at least 2 classes. Got 1 \(label 'cat'\)"):
        sphere_metrics(np.eye(3), ["cat"] * 3, k=1)


def test_sphere_metrics_refuse_zero_vectors_and_name_the_rows():
    X = np.eye(4)
    X[2] = 0.0
    with pytest.raises(ValueError, match=r"has 1 zero row\(s\) \(rows 2\); a zero vector has no direction"):
        sphere_metrics(X, [0, 0, 1, 1], k=1)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_sphere_metrics_refuse_non_finite_embeddings(bad):
    X = np.eye(4)
    X[1, 1] = bad
    with pytest.raises(ValueError, match="must contain only finite values. Got 1 NaN or infinite"):
        sphere_metrics(X, [0, 0, 1, 1], k=1)


@pytest.mark.parametrize(("X", "y", "k", "match"), [
    (np.zeros((0, 3)), [], 1, r"non-empty 2-D array \(N, D\). Got shape \(0, 3\)"),
    (np.ones(3), [0, 1, 2], 1, r"non-empty 2-D array \(N, D\). Got shape \(3,\)"),
    (np.eye(3), [0, 1], 1, r"'labels' parameter must have shape \(3,\)"),
    (np.eye(3), [0, 1, 1], 3, r"'k' parameter must be an int in \[1, 2\]. Got 3"),
    (np.eye(3), [0, 1, 1], 0, r"'k' parameter must be an int in \[1, 2\]. Got 0"),
])
def test_sphere_metrics_explain_malformed_input(X, y, k, match):
    with pytest.raises(ValueError, match=match):
        sphere_metrics(X, y, k=k)


def test_sphere_metrics_one_sample_per_class_are_defined():
    m = sphere_metrics(np.eye(3), [0, 1, 2], k=1)
    _no_nan(m)
    assert m.mean_intra_angle_deg == 0.0 and m.alignment == 0.0 and m.silhouette == 0.0
    assert m.min_inter_angle_deg == pytest.approx(90.0)
    assert m.separability == math.inf  # perfectly compact classes: a defined infinity, not NaN
    assert any("No class has two samples" in note for note in m.notes)


def test_sphere_metrics_duplicate_points_are_defined():
    X = np.repeat(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), 5, axis=0)
    m = sphere_metrics(X, np.repeat([0, 1], 5), k=3)
    _no_nan(m)
    assert m.mean_intra_angle_deg == 0.0 and m.knn_accuracy == 1.0 and m.fisher == math.inf
    np.testing.assert_allclose(m.resultant_lengths, 1.0)
    everything_equal = sphere_metrics(np.ones((6, 3)), [0, 0, 0, 1, 1, 1], k=2)
    _no_nan(everything_equal)
    assert everything_equal.min_inter_angle_deg == 0.0 and everything_equal.fisher == 0.0


def test_sphere_metrics_members_that_cancel_out_are_defined():
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    m = sphere_metrics(X, [0, 0, 1, 1], k=1)
    _no_nan(m)
    assert m.resultant_lengths[0] == pytest.approx(0.0, abs=1e-12)
    assert any("no mean direction" in note for note in m.notes)
