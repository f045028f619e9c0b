"""Tests of the pure selection logic behind the Hypersphere page."""

from __future__ import annotations

import numpy as np
import pytest

from snnviz.analysis.selection import (
    METRIC_DIRECTIONS,
    order_selection,
    selected_indices,
    selection_rows,
    worst_classes,
)
from snnviz.viz import map_figure


def _event(*points):
    return {"selection": {"points": list(points), "point_indices": [], "box": [], "lasso": []}}


def test_selected_indices_reads_scalar_and_list_customdata():
    event = _event({"curve_number": 0, "point_index": 0, "customdata": 5},
                   {"curve_number": 1, "point_index": 3, "customdata": [2, "extra"]},
                   {"curve_number": 1, "point_index": 4, "customdata": 9.0})
    assert selected_indices(event).tolist() == [5, 2, 9]


def test_selected_indices_accepts_inner_selection_and_none():
    assert selected_indices({"points": [{"customdata": 1}]}).tolist() == [1]
    assert selected_indices(None).size == 0
    assert selected_indices(_event()).size == 0
    assert selected_indices({"selection": {}}).dtype == np.int64


def test_selected_indices_dedupes_keeping_first_order():
    event = _event({"customdata": 3}, {"customdata": 1}, {"customdata": 3})
    assert selected_indices(event).tolist() == [3, 1]


def test_selected_indices_ignores_points_without_an_index():
    event = _event({"customdata": None}, {"customdata": "x"}, {"customdata": 2.5}, {"customdata": []},
                   {"customdata": True}, {"customdata": float("nan")}, {"curve_number": 0}, "junk", {"customdata": 4})
    assert selected_indices(event).tolist() == [4]


def test_selected_indices_drops_out_of_range_indices():
    event = _event({"customdata": -1}, {"customdata": 0}, {"customdata": 10}, {"customdata": 9})
    assert selected_indices(event, n_samples=10).tolist() == [0, 9]


def test_selected_indices_falls_back_to_the_figure_customdata():
    labels = np.array([0, 1, 0, 1, 1])
    fig = map_figure(np.zeros((5, 2)), labels, ["a", "b"], highlight=2)
    # trace 1 holds class "b" (samples 1, 3, 4); the last trace is the highlight, without customdata
    event = _event({"curve_number": 1, "point_index": 2}, {"curve_number": 0, "point_index": 1},
                   {"curve_number": len(fig.data) - 1, "point_index": 0}, {"curve_number": 7, "point_index": 0})
    assert selected_indices(event, figure=fig).tolist() == [4, 2]
    assert selected_indices(event, figure=fig.to_dict()).tolist() == [4, 2]
    assert selected_indices(event).size == 0


def test_selected_indices_maps_a_real_map_figure_selection_back_to_samples():
    rng = np.random.default_rng(0)
    lonlat = np.column_stack([rng.uniform(-180, 180, 40), rng.uniform(-80, 80, 40)])
    labels = np.arange(40) % 4
    fig = map_figure(lonlat, labels, max_points=10_000)
    # a "box" over the eastern hemisphere: every drawn point with x > 0, as Plotly would report it
    points = []
    for curve, trace in enumerate(fig.data):
        for i, (x, custom) in enumerate(zip(trace.x, trace.customdata)):
            if x > 0:
                points.append({"curve_number": curve, "point_index": i, "x": float(x), "customdata": int(custom)})
    got = selected_indices(_event(*points))
    assert sorted(got.tolist()) == np.flatnonzero(lonlat[:, 0] > 0).tolist()


@pytest.mark.parametrize(("event", "match"), [("points", "mapping"), ({"selection": [1]}, "selection"),
                                              ({"points": 3}, "points")])
def test_selected_indices_rejects_malformed_events(event, match):
    with pytest.raises(TypeError, match=match):
        selected_indices(event)


def test_selected_indices_rejects_a_bad_n_samples():
    with pytest.raises(ValueError, match="'n_samples' parameter must be an int >= 0"):
        selected_indices(None, n_samples=-1)


def test_order_selection_by_index_sorts_and_dedupes():
    assert order_selection([4, 1, 4, 3], limit=None)[0].tolist() == [1, 3, 4]


def test_order_selection_by_margin_puts_the_least_certain_first():
    margins = np.array([0.5, -0.2, 0.9, 0.1, 0.1])
    ordered, dropped = order_selection([0, 1, 2, 3, 4], order="margin", margins=margins, limit=None)
    assert ordered.tolist() == [1, 3, 4, 0, 2]
    assert dropped == 0


def test_order_selection_errors_first_then_index():
    labels = np.array([0, 1, 2, 0, 1])
    preds = np.array([0, 2, 2, 1, 1])
    ordered, _ = order_selection([4, 3, 2, 1, 0], order="errors first", labels=labels, predictions=preds)
    assert ordered.tolist() == [1, 3, 0, 2, 4]


def test_order_selection_by_class():
    labels = np.array([2, 0, 1, 0])
    assert order_selection([0, 1, 2, 3], order="class", labels=labels)[0].tolist() == [1, 3, 2, 0]


def test_order_selection_limits_and_counts_the_rest():
    ordered, dropped = order_selection(np.arange(120), limit=50)
    assert ordered.tolist() == list(range(50))
    assert dropped == 70


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"order": "random"}, "'order' parameter must be one of"),
    ({"order": "margin"}, "needs the 'margins' parameter"),
    ({"order": "errors first", "labels": [0, 1, 2]}, "needs the 'predictions' parameter"),
    ({"limit": 0}, "'limit' parameter must be an int >= 1"),
    ({"order": "class", "labels": [0, 1]}, "must index the 2 values of 'labels'"),
])  # fmt: skip
def test_order_selection_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        order_selection([0, 2], **kwargs)


def test_selection_rows_describes_each_sample():
    rows = selection_rows([2, 0], labels=[0, 1, 1], classes=["zero", "one"], predictions=[0, 1, 0],
                          sample_ids=["a", "b", "c"], margins=[0.3, 0.1, -0.2])
    assert rows == [
        {"index": 2, "sample": "c", "class": "one", "predicted": "zero", "correct": False, "margin": -0.2},
        {"index": 0, "sample": "a", "class": "zero", "predicted": "zero", "correct": True, "margin": 0.3},
    ]


def test_selection_rows_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="'predictions' parameter must have shape \\(3,\\)"):
        selection_rows([0], labels=[0, 1, 1], classes=["a", "b"], predictions=[0, 1])
    with pytest.raises(ValueError, match="must be in \\[0, 3\\)"):
        selection_rows([3], labels=[0, 1, 1], classes=["a", "b"])


def test_worst_classes_respects_each_metric_direction():
    table = [{"class": "a", "mean_dev_deg": 10.0, "knn_accuracy": 0.99},
             {"class": "b", "mean_dev_deg": 30.0, "knn_accuracy": 0.70},
             {"class": "c", "mean_dev_deg": 20.0, "knn_accuracy": 0.95}]
    assert worst_classes(table, "mean_dev_deg", n=2) == ["b", "c"]
    assert worst_classes(table, "knn_accuracy", n=1) == ["b"]
    assert worst_classes(table, "knn_accuracy", n=10) == ["b", "c", "a"]
    assert worst_classes(table, "knn_accuracy", n=0) == []


def test_worst_classes_ties_keep_table_order_and_non_finite_counts_as_best():
    table = [{"class": "a", "R": 0.5}, {"class": "b", "R": float("nan")}, {"class": "c", "R": 0.5}]
    assert worst_classes(table, "R", n=3) == ["a", "c", "b"]


def test_worst_classes_works_on_a_real_per_class_table():
    from snnviz.analysis.sphere import sphere_metrics

    rng = np.random.default_rng(0)
    centres = np.eye(3)
    spread = np.array([0.05, 0.05, 0.6])  # class 2 is the loose one
    X = np.concatenate([centres[k] + spread[k] * rng.normal(size=(20, 3)) for k in range(3)])
    y = np.repeat(np.arange(3), 20)
    rows = sphere_metrics(X, y, class_names=["tight", "also tight", "loose"], k=3).per_class_table()
    assert set(METRIC_DIRECTIONS) <= set(rows[0])
    assert worst_classes(rows, "mean_dev_deg", n=1) == ["loose"]
    assert worst_classes(rows, "silhouette", n=1) == ["loose"]


def test_worst_classes_rejects_unknown_metric_and_missing_keys():
    with pytest.raises(ValueError, match="'metric' parameter must be one of"):
        worst_classes([], "accuracy")
    with pytest.raises(ValueError, match="Row 0 has class"):
        worst_classes([{"class": "a"}], "silhouette")
    with pytest.raises(ValueError, match="'n' parameter"):
        worst_classes([], "silhouette", n=-1)
