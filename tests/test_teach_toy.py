"""Tests for snnviz.teach.toy: the toy dataset, the spread metrics and the toy training run."""

import math

import numpy as np
import pytest
import torch

from snnviz.teach.toy import angular_spread, toy_dataset, train_toy


def test_toy_dataset_labels_points_by_their_sector():
    x, y = toy_dataset(4, 25, seed=1)
    assert x.shape == (100, 2) and y.shape == (100,)
    angle = torch.remainder(torch.atan2(x[:, 1], x[:, 0]), 2 * math.pi)
    assert torch.equal((angle / (math.pi / 2)).long(), y)
    radius = x.norm(dim=1)
    assert float(radius.min()) >= 1.0 and float(radius.max()) <= 2.0
    with pytest.raises(ValueError, match="'per_class' parameter must be an int >= 1. Got 0"):
        toy_dataset(3, 0)


def test_angular_spread_of_tight_clusters():
    angles = np.repeat([0.0, 2.0], 5) + np.tile([-0.01, 0.0, 0.0, 0.0, 0.01], 2)
    directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    labels = np.repeat([0, 1], 5)
    intra, inter, gap = angular_spread(directions, labels, 2)
    assert intra == pytest.approx(0.004, abs=1e-3)
    assert inter == pytest.approx(2.0, abs=1e-6)
    assert gap == pytest.approx(2.0 - 0.02, abs=1e-6)


def test_train_toy_records_frames_and_learns():
    x, y = toy_dataset(3, 20, seed=0)
    torch.manual_seed(9)
    expected = torch.rand(2)
    torch.manual_seed(9)
    run = train_toy("cosface", x, y, s=16.0, m=0.3, steps=60, record_every=20)
    assert torch.equal(torch.rand(2), expected)  # the caller's generator is untouched
    assert run.steps.tolist() == [0, 20, 40, 60]
    assert run.points.shape == (4, 60, 2) and run.weights.shape == (4, 3, 2)
    np.testing.assert_allclose(np.linalg.norm(run.points, axis=2), 1.0, atol=1e-5)
    assert run.losses[-1] < run.losses[0] and run.accuracy[-1] > run.accuracy[0]
    again = train_toy("cosface", x, y, s=16.0, m=0.3, steps=60, record_every=20)
    np.testing.assert_array_equal(run.points, again.points)


def test_train_toy_margin_is_more_compact_than_softmax():
    x, y = toy_dataset(3, 60, seed=0)
    soft = train_toy("softmax", x, y, steps=300, seed=0)
    arc = train_toy("arcface", x, y, s=16.0, m=0.5, steps=300, seed=0)
    assert soft.accuracy[-1] == arc.accuracy[-1] == 1.0
    assert arc.intra[-1] < 0.7 * soft.intra[-1]
    assert arc.gap[-1] > soft.gap[-1]


def test_train_toy_reports_progress_and_rejects_bad_arguments():
    x, y = toy_dataset(2, 5)
    seen = []
    train_toy("normface", x, y, steps=4, record_every=2, callback=lambda step, total: seen.append((step, total)))
    assert seen == [(0, 4), (2, 4), (4, 4)]
    with pytest.raises(ValueError, match="'loss' parameter must be one of"):
        train_toy("hinge", x, y)
    with pytest.raises(ValueError, match="'steps' parameter must be an int >= 1. Got 0"):
        train_toy("softmax", x, y, steps=0)
