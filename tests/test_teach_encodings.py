"""Tests for snnviz.teach.encodings: rate, latency, delta and direct encodings."""

import numpy as np
import pytest
import torch

from snnviz.teach.encodings import encode


def test_encode_rate_fires_with_the_value_as_probability():
    data = torch.tensor([[0.0, 1.0], [0.25, 0.75]])
    enc = encode(data, "rate", num_steps=4000, seed=1)
    assert enc.spikes.shape == (4000, 2, 2)
    np.testing.assert_allclose(enc.spikes.mean(axis=0), data.numpy(), atol=0.03)
    assert np.array_equal(enc.spikes, encode(data, "rate", num_steps=4000, seed=1).spikes)


def test_encode_rate_leaves_the_global_generator_alone():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    encode(torch.full((4, 4), 0.5), "rate", num_steps=3, seed=0)
    assert torch.equal(torch.rand(3), expected)


def test_encode_rate_gain_zero_is_silent():
    assert encode(torch.ones(3, 3), "rate", num_steps=10, gain=0.0).spike_count == 0


def test_encode_latency_fires_brighter_values_first_and_once():
    data = torch.tensor([[0.2, 0.5, 1.0]])
    enc = encode(data, "latency", num_steps=10, tau=5.0)
    assert np.all(enc.spikes.sum(axis=0) == 1)
    first = enc.spikes[:, 0, :].argmax(axis=0)
    assert first[2] < first[1] < first[0]


def test_encode_delta_fires_on_changes_along_the_last_axis():
    spectrogram = torch.tensor([[0.0, 0.0, 0.5, 0.5, 0.1]])  # one band over five frames
    enc = encode(spectrogram, "delta", delta_threshold=0.3, off_spike=True)
    assert enc.time_axis == "frame"
    np.testing.assert_array_equal(enc.spikes[:, 0], [0, 0, 1, 0, -1])
    assert enc.spike_count == 2
    on_only = encode(spectrogram, "delta", delta_threshold=0.3, off_spike=False)
    np.testing.assert_array_equal(on_only.spikes[:, 0], [0, 0, 1, 0, 0])


def test_encode_direct_repeats_the_analog_input():
    data = torch.rand(1, 5, 6)
    enc = encode(data, "direct", num_steps=8)
    assert enc.spikes.shape == (8, 5, 6)
    np.testing.assert_allclose(enc.spikes[3], data[0].numpy())
    assert enc.spike_count == 0 and enc.rate == pytest.approx(float(data.mean()))
    assert enc.raster.shape == (8, 30)


def test_encode_rejects_bad_arguments():
    with pytest.raises(ValueError, match="'method' parameter must be one of rate, latency, delta, direct"):
        encode(torch.rand(2, 2), "burst")
    with pytest.raises(ValueError, match="must be a 2-D array"):
        encode(torch.rand(2, 2, 2), "rate")
    with pytest.raises(ValueError, match="'num_steps' parameter must be an int >= 1. Got 0"):
        encode(torch.rand(2, 2), "rate", num_steps=0)
