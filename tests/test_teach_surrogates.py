"""Tests for snnviz.teach.surrogates: snnTorch's surrogate derivatives through autograd."""

import numpy as np
import pytest

from snnviz.teach.surrogates import SURROGATES, surrogate_curve


@pytest.mark.parametrize("name", SURROGATES)
def test_surrogate_curve_forward_is_the_heaviside_step(name):
    curve = surrogate_curve(name, num=101)
    np.testing.assert_array_equal(curve.spike, (curve.x > 0).astype(np.float32))
    assert curve.gradient.shape == (101,)


def test_surrogate_curve_atan_peaks_at_half_alpha():
    for alpha in (2.0, 5.0):
        curve = surrogate_curve("atan", alpha, num=201)
        assert curve.gradient.max() == pytest.approx(alpha / 2, rel=1e-4)
        assert abs(curve.x[curve.gradient.argmax()]) < 1e-6


def test_surrogate_curve_steeper_slope_narrows_the_gradient():
    wide = surrogate_curve("fast_sigmoid", 5.0)
    narrow = surrogate_curve("fast_sigmoid", 40.0)
    at_half = np.argmin(np.abs(wide.x - 0.5))
    assert narrow.gradient[at_half] < wide.gradient[at_half]


def test_surrogate_curve_straight_through_passes_the_gradient_unchanged():
    np.testing.assert_array_equal(surrogate_curve("straight_through").gradient, 1.0)


def test_surrogate_curve_rejects_bad_arguments():
    with pytest.raises(ValueError, match="'slope' parameter must be > 0. Got -1.0"):
        surrogate_curve("atan", -1.0)
    with pytest.raises(ValueError, match="'surrogate' parameter must be one of"):
        surrogate_curve("relu")


def test_surrogate_curve_triangular_is_plus_threshold_below_and_minus_above():
    # snnTorch 1.0's Triangular.backward: +threshold where U < U_thr, -threshold where U >= U_thr
    curve = surrogate_curve("triangular", 0.5)
    np.testing.assert_array_equal(curve.gradient[curve.x < 0], 0.5)
    np.testing.assert_array_equal(curve.gradient[curve.x > 0], -0.5)
