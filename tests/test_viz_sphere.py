import json

import numpy as np
import pytest

from snnviz.viz._style import class_colors
from snnviz.viz.sphere import map_figure, sphere_figure


def _points(n=60, k=3, seed=0):
    rng = np.random.default_rng(seed)
    xyz = rng.normal(size=(n, 3))
    return xyz / np.linalg.norm(xyz, axis=1, keepdims=True), np.arange(n) % k


def _class_traces(fig, names):
    return [t for t in fig.data if t.name in names]


def test_sphere_figure_one_trace_per_class_with_class_colours():
    xyz, labels = _points()
    fig = sphere_figure(xyz, labels, ["a", "b", "c"])
    traces = _class_traces(fig, {"a", "b", "c"})
    assert [t.name for t in traces] == ["a", "b", "c"]
    assert [t.marker.color for t in traces] == class_colors(3)
    assert sum(len(t.x) for t in traces) == 60
    # customdata maps every drawn point back to its sample index
    idx = np.concatenate([np.asarray(t.customdata) for t in traces])
    assert sorted(idx.tolist()) == list(range(60))


def test_sphere_figure_renormalises_points_onto_the_unit_sphere():
    xyz, labels = _points()
    fig = sphere_figure(xyz * 5.0, labels, show_means=False)
    t = _class_traces(fig, {"0"})[0]
    r = np.sqrt(np.asarray(t.x) ** 2 + np.asarray(t.y) ** 2 + np.asarray(t.z) ** 2)
    assert np.allclose(r, 1.0, atol=1e-5)


def test_sphere_figure_mean_lines_point_along_class_means():
    xyz = np.array([[1.0, 0, 0], [0.9, 0.1, 0], [0, 0, 1.0], [0, 0.1, 0.9]])
    fig = sphere_figure(xyz, [0, 0, 1, 1], ["x", "z"])
    means = {t.name: t for t in fig.data if t.name.endswith(" mean")}
    assert set(means) == {"x mean", "z mean"}
    tip = np.array([means["z mean"].x[1], means["z mean"].y[1], means["z mean"].z[1]])
    assert tip[2] > 0.9 * np.linalg.norm(tip)
    assert means["x mean"].x[0] == 0.0  # starts at the origin


def test_sphere_figure_hover_shows_id_class_and_wrong_prediction():
    xyz, labels = _points(6, 2)
    preds = labels.copy()
    preds[0] = 1
    fig = sphere_figure(xyz, labels, ["cat", "dog"], predictions=preds, sample_ids=[f"s{i}" for i in range(6)])
    first = _class_traces(fig, {"cat"})[0].hovertext[0]
    assert "s0" in first and "class: cat" in first and "predicted: dog ✗" in first


def test_sphere_figure_highlight_by_index_and_by_point():
    xyz, labels = _points()
    fig = sphere_figure(xyz, labels, highlight=7, highlight_label="picked")
    picked = [t for t in fig.data if t.name == "picked"][0]
    assert np.allclose([picked.x[0], picked.y[0], picked.z[0]], xyz[7])
    fig = sphere_figure(xyz, labels, highlight=[0.0, 0.0, 2.0], highlight_label="upload")
    up = [t for t in fig.data if t.name == "upload"][0]
    assert (up.x[0], up.y[0], up.z[0]) == (0.0, 0.0, 1.0)


def test_sphere_figure_subsamples_and_says_so_keeping_highlight():
    xyz, labels = _points(3000, 10)
    fig = sphere_figure(xyz, labels, max_points=500, highlight=2999)
    drawn = np.concatenate([np.asarray(t.customdata) for t in fig.data if t.customdata is not None])
    assert drawn.size == 500 and 2999 in drawn
    assert "showing 500 of 3,000 points" in fig.layout.title.text


def test_sphere_figure_json_under_cap_for_ten_thousand_points():
    xyz, labels = _points(10_000, 10)
    ids = [f"digit-{i:05d}" for i in range(10_000)]
    fig = sphere_figure(xyz, labels, predictions=labels, sample_ids=ids)
    assert len(fig.to_json()) < 5_000_000


def test_sphere_figure_rejects_wrong_shape_and_labels():
    with pytest.raises(ValueError, match=r"'xyz' parameter must have shape \(N, 3\). Got \(4, 2\)"):
        sphere_figure(np.zeros((4, 2)), [0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"class indices in \[0, 1\]. Got values in \[0, 2\]"):
        sphere_figure(np.ones((3, 3)), [0, 1, 2], ["a", "b"])
    with pytest.raises(ValueError, match="must have 3 entries"):
        sphere_figure(np.ones((3, 3)), [0, 1])


def test_map_figure_lonlat_uses_equal_area_y_and_customdata():
    fig = map_figure([[90.0, 30.0], [-90.0, -90.0], [0.0, 0.0]], [0, 1, 0], ["a", "b"])
    a, b = fig.data
    assert list(a.customdata) == [0, 2] and list(b.customdata) == [1]
    assert np.isclose(a.x[0], np.pi / 2) and np.isclose(a.y[0], 0.5)  # sin(30°)
    assert np.isclose(b.y[0], -1.0)
    assert tuple(fig.layout.xaxis.range) == pytest.approx((-np.pi, np.pi))
    assert fig.layout.dragmode == "lasso"


def test_map_figure_map_xy_is_drawn_as_given_with_lonlat_hover():
    fig = map_figure(np.array([[1.5, -0.5], [0.1, 0.2]]), [1, 0], kind="map_xy", highlight=[0.0, 0.0])
    spec = json.loads(fig.to_json())
    assert [t["name"] for t in spec["data"]] == ["0", "1", "selected"]
    assert np.isclose(fig.data[1].x[0], 1.5)
    assert "lon 85.9°, lat -30.0°" in fig.data[1].hovertext[0]


def test_map_figure_rejects_unknown_kind():
    with pytest.raises(ValueError, match="'kind' parameter must be one of lonlat, map_xy. Got 'xyz'"):
        map_figure([[0, 0]], [0], kind="xyz")


def test_map_figure_lonlat_matches_the_projection_map_coordinates():
    from snnviz.analysis.projection import lonlat_to_map

    lonlat = np.array([[-170.0, 10.0], [20.0, -75.0], [135.0, 42.0]])
    a = map_figure(lonlat, [0, 0, 0])
    b = map_figure(lonlat_to_map(lonlat), [0, 0, 0], kind="map_xy")
    assert np.allclose(a.data[0].x, b.data[0].x) and np.allclose(a.data[0].y, b.data[0].y)
    assert list(a.data[0].hovertext) == list(b.data[0].hovertext)


def test_map_figure_switches_to_webgl_for_many_points():
    rng = np.random.default_rng(0)
    pts = np.c_[rng.uniform(-180, 180, 3000), rng.uniform(-90, 90, 3000)]
    assert map_figure(pts, np.zeros(3000, int)).data[0].type == "scattergl"
    assert map_figure(pts[:100], np.zeros(100, int)).data[0].type == "scatter"
    assert map_figure(pts[:100], np.zeros(100, int), webgl=True).data[0].type == "scattergl"
