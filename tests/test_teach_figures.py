"""Tests for snnviz.viz.teach: the Learn page's figures carry the data they claim to show."""

import math

import numpy as np
import pytest
import torch

from snnviz.teach import (
    class_angles,
    encode,
    input_current,
    margin_regions,
    simulate_lif,
    surrogate_curve,
    toy_dataset,
    train_toy,
)
from snnviz.viz import teach as vt


def test_lif_figure_draws_threshold_and_one_marker_per_spike():
    trace = simulate_lif(input_current("step", 0.5, 60), beta=0.9, threshold=1.2)
    fig = vt.lif_figure(trace)
    by_name = {t.name: t for t in fig.data}
    assert list(by_name["threshold U_thr"].y) == [1.2, 1.2]
    assert len(by_name["output spikes S[t]"].x) == trace.spike_count > 0
    np.testing.assert_allclose(by_name["membrane U[t]"].y, trace.membrane)
    assert f"{trace.spike_count} spikes" in fig.layout.title.text


def test_surrogate_figure_has_the_step_and_one_gradient_per_curve():
    curves = [surrogate_curve(n) for n in ("atan", "sigmoid")]
    fig = vt.surrogate_figure(curves)
    assert [t.name for t in fig.data] == ["Θ(U − U_thr)", "atan (2)", "sigmoid (25)"]
    assert fig.data[1].xaxis == "x2"
    with pytest.raises(ValueError, match="at least one SurrogateCurve"):
        vt.surrogate_figure([])


def test_encoding_frames_figure_has_one_frame_per_step():
    enc = encode(torch.rand(8, 8), "rate", num_steps=12)
    fig = vt.encoding_frames_figure(enc)
    assert len(fig.frames) == 12
    np.testing.assert_array_equal(np.asarray(fig.frames[5].data[0].z), enc.spikes[5])
    assert fig.layout.yaxis.autorange == "reversed"
    delta = vt.encoding_frames_figure(encode(torch.rand(40, 20), "delta"), image=False)
    assert len(delta.frames) == 0 and np.asarray(delta.data[0].z).shape == (40, 20)


def test_raster_figure_subsamples_and_says_so():
    enc = encode(torch.rand(40, 63), "latency", num_steps=10)
    fig = vt.raster_figure(enc, max_neurons=500)
    assert np.asarray(fig.data[0].z).shape == (420, 10)
    assert "every 6th of 2,520 neurons" in fig.layout.title.text


def test_margin_regions_figure_shades_a_gap_between_every_pair_of_classes():
    angles = class_angles(4)
    maps = [margin_regions("softmax", angles, resolution=720), margin_regions("arcface", angles, m=0.4,
                                                                                resolution=720)]
    fig = vt.margin_regions_figure(maps)
    gaps = [t for t in fig.data if t.name == "gap"]
    assert [t.xaxis for t in gaps] == ["x2"]  # softmax leaves no gap
    widths = [end - start for start, end in gaps[0].meta]
    assert len(widths) == 4
    np.testing.assert_allclose(widths, 0.4, atol=2 * 2 * math.pi / 720)


def test_toy_training_figure_animates_every_snapshot():
    x, y = toy_dataset(3, 10)
    runs = [train_toy(loss, x, y, steps=20, record_every=5, m=0.3) for loss in ("softmax", "cosface")]
    fig = vt.toy_training_figure(runs)
    assert [f.name for f in fig.frames] == ["0", "5", "10", "15", "20"]
    assert len(fig.frames[0].data) == 2 * (3 + 3)
    metrics = vt.toy_metrics_figure(runs)
    assert len(metrics.data) == 4
