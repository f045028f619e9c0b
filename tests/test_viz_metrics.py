import numpy as np
import pytest

from snnviz.viz._style import class_colors, modality_color
from snnviz.viz.metrics import (
    class_metric_bars,
    confusion_figure,
    confusion_matrix,
    margin_histogram,
    prediction_bars,
)


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    cm = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]


def test_confusion_figure_row_normalised_colour_and_count_text():
    cm = np.array([[3, 1], [0, 4]])
    fig = confusion_figure(cm, ["cat", "dog"])
    heat = fig.data[0]
    assert np.allclose(heat.z, [[0.75, 0.25], [0.0, 1.0]])
    assert heat.text[0][0] == "3<br>75%"
    assert "accuracy 87.5%" in fig.layout.title.text
    assert fig.layout.yaxis.autorange == "reversed"


def test_confusion_figure_counts_mode_and_empty_row():
    fig = confusion_figure(np.array([[0, 0], [2, 5]]), normalize=False)
    assert np.array_equal(fig.data[0].z, [[0, 0], [2, 5]])
    assert fig.data[0].zmax == 5
    assert np.allclose(confusion_figure(np.array([[0, 0], [2, 5]])).data[0].z[0], 0.0)  # no NaN for an empty row


def test_confusion_figure_rejects_non_square():
    with pytest.raises(ValueError, match=r"non-empty square matrix. Got shape \(2, 3\)"):
        confusion_figure(np.zeros((2, 3)))


def test_class_metric_bars_single_series_uses_class_colours():
    fig = class_metric_bars([10.0, 20.0, 30.0], ["a", "b", "c"], reference=60.0, reference_label="simplex")
    assert list(fig.data[0].marker.color) == class_colors(3)
    assert list(fig.data[0].y) == [10.0, 20.0, 30.0]
    assert fig.layout.shapes[0].y0 == 60.0


def test_class_metric_bars_grouped_by_modality_with_errors():
    vals = {"audio": [1.0, 2.0], "fused": [0.5, 1.0]}
    fig = class_metric_bars(vals, errors={"audio": [0.1, 0.2], "fused": [0.0, 0.1]})
    assert [t.name for t in fig.data] == ["audio", "fused"]
    assert fig.data[1].marker.color == modality_color("fused")
    assert list(fig.data[0].error_y.array) == [0.1, 0.2]


def test_class_metric_bars_rejects_uneven_series():
    with pytest.raises(ValueError, match=r"one value per class. Got lengths \[2, 3\]"):
        class_metric_bars({"audio": [1, 2], "visual": [1, 2, 3]})


def test_margin_histogram_counts_all_samples_and_reports_negatives():
    margins = np.array([-0.2, -0.1, 0.1, 0.3, 0.5])
    fig = margin_histogram(margins, bins=4)
    assert sum(fig.data[0].y) == 5
    assert "40.0% of 5 samples below 0" in fig.layout.title.text
    assert fig.layout.shapes[0].x0 == 0.0


def test_margin_histogram_stacks_by_class():
    margins = np.linspace(-1, 1, 30)
    fig = margin_histogram(margins, np.arange(30) % 3, ["a", "b", "c"], bins=5)
    assert [t.name for t in fig.data] == ["a", "b", "c"]
    assert sum(sum(t.y) for t in fig.data) == 30
    assert fig.layout.barmode == "stack"


def test_margin_histogram_rejects_nan():
    with pytest.raises(ValueError, match="finite values"):
        margin_histogram([0.1, np.nan])


def test_prediction_bars_side_by_side_per_head_marks_truth():
    scores = {"audio": [0.2, 0.8], "visual": [0.7, 0.3], "fused": [0.4, 0.6]}
    fig = prediction_bars(scores, ["cat", "dog"], true_label=1)
    assert [t.name for t in fig.data] == ["audio → dog", "visual → cat", "fused → dog"]
    assert list(fig.data[0].x) == ["cat", "dog ✓"]
    assert fig.layout.barmode == "group"
    assert tuple(fig.layout.yaxis.range) == (0, 1)


def test_prediction_bars_rejects_bad_true_label():
    with pytest.raises(ValueError, match=r"'true_label' parameter must be a class index in \[0, 1\]. Got 5"):
        prediction_bars({"fused": [0.5, 0.5]}, true_label=5)


def test_class_angle_figure_blank_diagonal_and_closest_pair():
    from snnviz.viz.metrics import class_angle_figure

    ang = np.array([[0.0, 90.0, 40.0], [90.0, 0.0, 120.0], [40.0, 120.0, 0.0]])
    fig = class_angle_figure(ang, ["a", "b", "c"], simplex_angle_deg=120.0)
    z = np.asarray(fig.data[0].z, dtype=float)
    assert np.isnan(np.diag(z)).all() and z[0, 1] == 90.0
    assert set(fig.data[1].x) == {"a", "c"}
    assert "min 40.0° (a ↔ c), simplex optimum 120.0°" in fig.layout.title.text


def test_class_angle_figure_matches_sphere_metrics():
    from snnviz.analysis.sphere import sphere_metrics
    from snnviz.viz.metrics import class_angle_figure

    emb = np.array([[1.0, 0, 0], [1.0, 0.01, 0], [0, 1.0, 0], [0.01, 1.0, 0], [0, 0, 1.0], [0, 0.01, 1.0]])
    m = sphere_metrics(emb, np.array([0, 0, 1, 1, 2, 2]), k=1)
    fig = class_angle_figure(m.inter_angle_deg, m.class_names, simplex_angle_deg=m.simplex_angle_deg)
    assert f"min {m.min_inter_angle_deg:.1f}°" in fig.layout.title.text
