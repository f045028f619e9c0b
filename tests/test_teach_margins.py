"""Tests for snnviz.teach.margins: decision regions of the margin losses on the unit circle."""

import math

import numpy as np
import pytest

from snnviz.teach.margins import (
    class_angles,
    loss_params,
    margin_boundary,
    margin_regions,
    margin_scores,
    target_loss_curve,
)

RES = 2880  # angular step 0.125 degrees
TOL = 2 * math.pi / RES


def test_class_angles_spread_evenly():
    angles = class_angles(4, offset=0.0)
    np.testing.assert_allclose(angles, [0, math.pi / 2, math.pi, 3 * math.pi / 2])
    with pytest.raises(ValueError, match="'num_classes' parameter must be an int >= 2. Got 1"):
        class_angles(1)


@pytest.mark.parametrize("m", [0.2, 0.5, 0.9])
def test_margin_regions_arcface_boundary_sits_at_half_delta_minus_m(m):
    delta = 2 * math.pi / 3
    regions = margin_regions("arcface", class_angles(3), s=16.0, m=m, resolution=RES)
    cw, ccw = regions.boundaries(0)
    assert cw == pytest.approx((delta - m) / 2, abs=TOL)
    assert ccw == pytest.approx((delta - m) / 2, abs=TOL)
    assert regions.gap_fraction == pytest.approx(3 * m / (2 * math.pi), abs=3 * TOL)


def test_margin_regions_two_classes_match_the_closed_forms():
    delta = math.radians(100)
    angles = np.array([0.0, delta])  # class 1 counter-clockwise of class 0
    for loss, m in (("softmax", 0.0), ("normface", 0.0), ("cosface", 0.3), ("arcface", 0.4), ("sphereface", 3)):
        regions = margin_regions(loss, angles, s=8.0, m=m, resolution=RES)
        _, towards_class_1 = regions.boundaries(0)
        assert towards_class_1 == pytest.approx(margin_boundary(loss, delta, m), abs=TOL), loss


def test_margin_regions_without_margin_leave_no_gap():
    for loss in ("softmax", "normface"):
        regions = margin_regions(loss, class_angles(5), resolution=720)
        assert regions.gap_fraction == 0.0
        assert {owner for owner, _, _ in regions.arcs()} == set(range(5))


def test_margin_regions_gap_grows_with_the_margin():
    gaps = [margin_regions("cosface", class_angles(4), m=m, resolution=720).gap_fraction for m in (0.1, 0.3, 0.6)]
    assert 0 < gaps[0] < gaps[1] < gaps[2]


def test_margin_regions_arcs_cover_the_circle_in_order():
    arcs = margin_regions("arcface", class_angles(3), m=0.5, resolution=720).arcs()
    assert arcs[0][1] == pytest.approx(0.0) and arcs[-1][2] == pytest.approx(2 * math.pi)
    for (_, _, end), (_, start, _) in zip(arcs, arcs[1:]):
        assert end == pytest.approx(start)


def test_margin_boundary_closed_forms():
    assert margin_boundary("arcface", math.pi / 2, 0.5) == pytest.approx((math.pi / 2 - 0.5) / 2)
    assert margin_boundary("sphereface", math.pi / 2, 2) == pytest.approx(math.pi / 6)
    assert margin_boundary("cosface", math.pi / 2, 0.0) == pytest.approx(math.pi / 4)
    assert margin_boundary("cosface", 0.2, 1.5) == 0.0  # margin too large to win anywhere
    with pytest.raises(ValueError, match="'delta' parameter must be in \\(0, pi\\]"):
        margin_boundary("arcface", 4.0, 0.1)


def test_margin_scores_apply_the_margin_to_the_target_column_only():
    angles = class_angles(3)
    phi = angles[:1]  # an embedding exactly on w_0
    plain = margin_scores("normface", phi, angles, s=10.0)
    arc = margin_scores("arcface", phi, angles, s=10.0, m=0.5)
    assert arc.shape == (3, 1, 3)
    assert arc[0, 0, 0] == pytest.approx(10.0 * math.cos(0.5), rel=1e-3)  # the loss clamps sin θ >= 3e-4
    np.testing.assert_allclose(arc[0, 0, 1:], plain[0, 0, 1:], rtol=1e-6)


def test_loss_params_match_each_loss():
    assert loss_params("softmax", s=3.0, m=0.2) == {}
    assert loss_params("normface", s=3.0, m=0.2) == {"s": 3.0}
    assert loss_params("sphereface", s=3.0, m=2.0) == {"s": 3.0, "m": 2}
    with pytest.raises(ValueError, match="'loss' parameter must be one of"):
        loss_params("triplet")


def test_target_loss_curve_is_lowest_on_the_target_weight_and_raised_by_the_margin():
    angles = class_angles(3)
    phi = np.linspace(0, 2 * math.pi, 721)
    arc = target_loss_curve("arcface", phi, angles, target=1, s=4.0, m=0.5)
    plain = target_loss_curve("normface", phi, angles, target=1, s=4.0)
    at_weight = np.argmin(np.abs(phi - angles[1]))
    assert abs(int(np.argmin(arc)) - at_weight) <= 1
    assert np.all(arc >= plain - 1e-6) and arc[at_weight] > plain[at_weight]
