"""Tests for snnviz.teach.lif: input currents and the single-neuron simulation."""

import numpy as np
import pytest
import torch

from snnviz.errors import ConfigError
from snnviz.teach.lif import INPUT_SHAPES, input_current, simulate_lif


@pytest.mark.parametrize("shape", INPUT_SHAPES)
def test_input_current_has_one_value_per_step(shape):
    current = input_current(shape, 0.7, 40, seed=3)
    assert current.shape == (40,)
    assert torch.equal(current, input_current(shape, 0.7, 40, seed=3))


def test_input_current_shapes_follow_their_definition():
    step = input_current("step", 0.5, 20)
    assert step[0] == 0 and torch.all(step[2:] == 0.5)
    ramp = input_current("ramp", 2.0, 11)
    assert torch.allclose(ramp, torch.linspace(0, 2.0, 11))
    train = input_current("spike_train", 1.5, 200, seed=0)
    assert set(train.unique().tolist()) <= {0.0, 1.5} and 0 < int((train > 0).sum()) < 200


def test_input_current_rejects_unknown_shape():
    with pytest.raises(ValueError, match="'shape' parameter must be one of step, ramp"):
        input_current("square", 1.0, 10)


def test_simulate_lif_follows_the_subtractive_reset_recurrence():
    current = torch.tensor([0.6, 0.6, 0.6, 0.0, 0.9, 0.9])
    beta, thr = 0.8, 1.0
    trace = simulate_lif(current, beta=beta, threshold=thr, reset_mechanism="subtract")
    mem, spike, expected_mem, expected_spk = 0.0, 0.0, [], []
    for i in current.tolist():  # U[t] = βU[t-1] + I[t] - S[t-1]·U_thr ; S[t] = U[t] > U_thr
        mem = beta * mem + i - spike * thr
        spike = float(mem > thr)
        expected_mem.append(mem)
        expected_spk.append(spike)
    np.testing.assert_allclose(trace.membrane, expected_mem, rtol=1e-5)
    np.testing.assert_array_equal(trace.spikes, expected_spk)
    assert trace.spike_count == int(sum(expected_spk))
    assert trace.firing_rate == pytest.approx(sum(expected_spk) / 6)


def test_simulate_lif_fires_more_with_slower_decay():
    current = input_current("step", 0.3, 100)
    counts = [simulate_lif(current, beta=b).spike_count for b in (0.5, 0.8, 0.95)]
    assert counts[0] < counts[1] < counts[2]


def test_simulate_lif_without_reset_keeps_integrating():
    trace = simulate_lif(torch.full((30,), 0.2), beta=1.0, threshold=1.0, reset_mechanism="none")
    assert np.all(np.diff(trace.membrane) > 0)
    assert trace.spikes[-1] == 1 and trace.spikes[0] == 0


def test_simulate_lif_reset_to_zero_differs_from_subtract():
    current = input_current("step", 0.7, 50)
    zero = simulate_lif(current, beta=0.9, reset_mechanism="zero")
    sub = simulate_lif(current, beta=0.9, reset_mechanism="subtract")
    assert zero.spike_count < sub.spike_count


def test_simulate_lif_rejects_invalid_parameters():
    with pytest.raises(ConfigError, match="'beta' parameter must be a float in \\[0, 1\\]. Got 1.5"):
        simulate_lif(torch.ones(5), beta=1.5)
    with pytest.raises(ValueError, match="shape \\(T,\\)"):
        simulate_lif(torch.ones(5, 2))
