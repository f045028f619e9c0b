import numpy as np
import pytest

from snnviz.viz._style import class_colors, stratified_subsample, subsample_note


def test_class_colors_distinct_for_twenty_five_classes():
    colors = class_colors(25)
    assert len(colors) == 25
    assert len(set(colors)) == 25


def test_class_colors_prefix_is_stable():
    assert class_colors(12)[:5] == class_colors(5)


def test_class_colors_rejects_zero():
    with pytest.raises(ValueError, match="'num_classes' parameter must be an int >= 1. Got 0"):
        class_colors(0)


def test_subsample_note_formats_thousands():
    assert subsample_note(256, 2048, "neurons") == "showing 256 of 2,048 neurons"
    assert subsample_note(5, 5, "neurons") == ""


def test_stratified_subsample_keeps_every_class_and_the_kept_index():
    labels = np.array([0] * 990 + [1] * 9 + [2])
    idx = stratified_subsample(labels, 100, seed=0, keep=[995])
    assert idx.size == 100
    assert set(labels[idx]) == {0, 1, 2}
    assert 995 in idx
    assert np.all(np.diff(idx) > 0)


def test_stratified_subsample_is_seeded():
    labels = np.arange(1000) % 7
    a = stratified_subsample(labels, 50, seed=3)
    b = stratified_subsample(labels, 50, seed=3)
    assert np.array_equal(a, b)
