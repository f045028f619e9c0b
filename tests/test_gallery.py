"""Tests of the gallery logic: filters, random misclassified picks, probabilities, top-k."""

from __future__ import annotations

import numpy as np
import pytest

from snnviz.analysis.gallery import (
    disagreement,
    filter_gallery,
    gallery_rows,
    head_probabilities,
    misclassified,
    probability_note,
    random_misclassified,
    softmax,
    table_selection,
    top_k,
    training_scale,
)

LABELS = np.array([0, 1, 1, 2, 2, 0])
PREDS = {
    "audio": np.array([0, 1, 2, 2, 0, 0]),
    "visual": np.array([0, 1, 1, 1, 2, 1]),
    "fused": np.array([0, 1, 1, 1, 2, 2]),
}


def test_filter_gallery_by_class_keeps_only_those_labels():
    assert filter_gallery(LABELS, PREDS, classes=[2]).tolist() == [3, 4]
    assert filter_gallery(LABELS, PREDS, classes=[0, 1]).tolist() == [0, 1, 2, 5]


def test_filter_gallery_empty_class_list_means_all():
    assert filter_gallery(LABELS, PREDS, classes=[]).tolist() == list(range(6))


def test_filter_gallery_correctness_refers_to_the_chosen_head():
    assert filter_gallery(LABELS, PREDS, correctness="incorrect").tolist() == [3, 5]
    assert filter_gallery(LABELS, PREDS, correctness="correct").tolist() == [0, 1, 2, 4]
    assert filter_gallery(LABELS, PREDS, correctness="incorrect", modality="audio").tolist() == [2, 4]


def test_filter_gallery_disagree_compares_audio_and_visual():
    assert filter_gallery(LABELS, PREDS, disagree=True).tolist() == [2, 3, 4, 5]


def test_filter_gallery_combines_filters():
    assert filter_gallery(LABELS, PREDS, classes=[2], correctness="correct", disagree=True).tolist() == [4]


def test_filter_gallery_rejects_unknown_correctness():
    with pytest.raises(ValueError, match="'correctness' parameter must be one of all, correct, incorrect. Got 'wrong'"):
        filter_gallery(LABELS, PREDS, correctness="wrong")


def test_filter_gallery_rejects_unknown_modality():
    with pytest.raises(ValueError, match="'modality' parameter must be one of audio, visual, fused. Got 'sound'"):
        filter_gallery(LABELS, PREDS, correctness="correct", modality="sound")


def test_filter_gallery_rejects_predictions_of_wrong_length():
    with pytest.raises(ValueError, match=r"head 'fused' must have shape \(6,\).*Got \(2,\)"):
        filter_gallery(LABELS, {"fused": [0, 1]})


def test_disagreement_needs_two_heads():
    assert disagreement({"fused": np.array([0, 1])}).tolist() == [False, False]


def test_random_misclassified_is_seeded_and_wrong():
    picks = {random_misclassified(LABELS, PREDS, seed=s) for s in range(20)}
    assert picks == {3, 5}
    assert random_misclassified(LABELS, PREDS, seed=7) == random_misclassified(LABELS, PREDS, seed=7)


def test_random_misclassified_avoids_the_current_sample():
    assert all(random_misclassified(LABELS, PREDS, seed=s, exclude=3) == 5 for s in range(10))


def test_random_misclassified_returns_the_only_mistake_even_if_excluded():
    labels = np.array([0, 1, 2])
    assert random_misclassified(labels, {"fused": np.array([0, 2, 2])}, exclude=1) == 1


def test_random_misclassified_none_without_mistakes():
    assert random_misclassified(LABELS, {"fused": LABELS.copy()}) is None
    assert misclassified(LABELS, {"fused": LABELS.copy()}).size == 0


def test_softmax_sums_to_one_and_is_stable():
    p = softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    np.testing.assert_allclose(p, [[0.5, 0.5], [0.25, 0.75]])


def test_head_probabilities_scales_cosines():
    cos = np.array([0.5, 0.3, -0.2])
    expected = np.exp(16 * cos) / np.exp(16 * cos).sum()
    np.testing.assert_allclose(head_probabilities(cos, "cosine", scale=16.0), expected)
    sharper = head_probabilities(cos, "cosine", scale=64.0)
    assert sharper[0] > head_probabilities(cos, "cosine", scale=16.0)[0]


def test_head_probabilities_linear_ignores_scale():
    logits = np.array([2.0, 1.0])
    np.testing.assert_allclose(head_probabilities(logits, "linear", scale=64.0), softmax(logits))


def test_head_probabilities_rejects_unknown_head_and_bad_scale():
    with pytest.raises(ValueError, match="'head' parameter must be 'cosine' or 'linear'. Got 'arc'"):
        head_probabilities([0.1], "arc")
    with pytest.raises(ValueError, match="'scale' parameter must be a positive float. Got -1"):
        head_probabilities([0.1], "cosine", scale=-1.0)


def test_training_scale_reads_meta_or_none():
    assert training_scale({"train_config": {"scale": 30}}) == 30.0
    assert training_scale({"train_config": {}}) is None
    assert training_scale(None) is None
    assert training_scale({"train_config": {"scale": True}}) is None


def test_probability_note_names_the_scale():
    assert "s = 30" in probability_note("cosine", 30.0) and "training scale" in probability_note("cosine", 30.0)
    assert "default scale" in probability_note("cosine", None)
    assert "softmax of the logits" in probability_note("linear")


def test_top_k_orders_by_probability_then_index():
    assert top_k([0.2, 0.5, 0.2, 0.1], 3, ["a", "b", "c", "d"]) == [(1, "b", 0.5), (0, "a", 0.2), (2, "c", 0.2)]
    assert [c for c, _, _ in top_k([0.3, 0.7], 5)] == [1, 0]


def test_top_k_rejects_bad_k_and_class_count():
    with pytest.raises(ValueError, match="'k' parameter must be an int >= 1. Got 0"):
        top_k([0.5, 0.5], 0)
    with pytest.raises(ValueError, match="must name all 2 classes. Got 3"):
        top_k([0.5, 0.5], 1, ["a", "b", "c"])


def test_gallery_rows_lists_predictions_by_name():
    rows = gallery_rows([3, 0], ["s0", "s1", "s2", "s3", "s4", "s5"], LABELS, PREDS, ["zero", "one", "two"])
    assert rows == {
        "id": ["s3", "s0"], "class": ["two", "zero"], "audio →": ["two", "zero"], "visual →": ["one", "zero"],
        "fused →": ["one", "zero"], "correct": [False, True],
    }


def test_table_selection_maps_rows_to_samples_once():
    visible = np.array([4, 8, 15])
    assert table_selection([2], visible) == 15
    assert table_selection([2], visible, previous=[2]) is None
    assert table_selection([0], visible, previous=[2]) == 4


def test_table_selection_ignores_empty_and_out_of_range():
    assert table_selection([], [1, 2]) is None
    assert table_selection(None, [1, 2]) is None
    assert table_selection([5], [1, 2]) is None
