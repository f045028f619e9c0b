r"""One leaky integrate-and-fire neuron, driven by a chosen input current.

The neuron is the models' own :class:`~snnviz.models.neurons.LIFLayer` (one
snnTorch ``Leaky`` inside), so what a student sees here is exactly what every
layer of a bundled model does:

.. math::

    U[t] = \beta U[t-1] + I[t] - S[t-1]\,U_{\rm thr}, \qquad
    S[t] = \Theta(U[t] - U_{\rm thr})

Examples
--------
>>> current = input_current("step", amplitude=0.5, num_steps=50)
>>> trace = simulate_lif(current, beta=0.9, threshold=1.0)
>>> trace.spike_count > 0
True
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch

from snnviz.config import RESET_MECHANISMS
from snnviz.models.neurons import LIFLayer
from snnviz.teach._threads import one_thread

__all__ = ["INPUT_SHAPES", "RESET_MECHANISMS", "LIFTrace", "input_current", "simulate_lif"]

INPUT_SHAPES = ("step", "ramp", "sine", "noisy", "spike_train")


def input_current(shape: str, amplitude: float, num_steps: int, *, seed: int = 0) -> torch.Tensor:
    """Build an input current ``I[t]`` of ``num_steps`` steps.

    Parameters
    ----------
    shape : {"step", "ramp", "sine", "noisy", "spike_train"}
        ``step``: zero for the first tenth, then ``amplitude``; ``ramp``: rises
        linearly from 0 to ``amplitude``; ``sine``: ``amplitude (1 + sin)/2`` over
        three periods; ``noisy``: ``amplitude`` plus Gaussian noise of standard
        deviation ``amplitude / 2``; ``spike_train``: input spikes of height
        ``amplitude`` arriving at random (probability 0.2 per step).
    amplitude : float
        Peak current.
    num_steps : int
        T, the number of time steps (>= 1).
    seed : int
        Seed of the ``noisy`` and ``spike_train`` shapes.

    Returns
    -------
    torch.Tensor
        Shape ``(T,)``, float32.

    Raises
    ------
    ValueError
        For an unknown shape or ``num_steps < 1``.
    """
    if shape not in INPUT_SHAPES:
        raise ValueError(f"The 'shape' parameter must be one of {', '.join(INPUT_SHAPES)}. Got {shape!r}.")
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(f"The 'num_steps' parameter must be an int >= 1. Got {num_steps!r}.")
    t = torch.arange(num_steps, dtype=torch.float32)
    gen = torch.Generator().manual_seed(int(seed))
    if shape == "step":
        return torch.where(t >= num_steps // 10, amplitude, 0.0).float()
    if shape == "ramp":
        return amplitude * t / max(num_steps - 1, 1)
    if shape == "sine":
        return amplitude * 0.5 * (1.0 + torch.sin(2.0 * math.pi * 3.0 * t / num_steps - math.pi / 2))
    if shape == "noisy":
        return amplitude * (1.0 + 0.5 * torch.randn(num_steps, generator=gen))
    return amplitude * torch.bernoulli(torch.full((num_steps,), 0.2), generator=gen)


@dataclasses.dataclass(frozen=True)
class LIFTrace:
    """The time course of one simulated neuron (all arrays have shape ``(T,)``).

    Attributes
    ----------
    current, membrane, spikes : np.ndarray
        Input current ``I[t]``, membrane potential ``U[t]`` and output spikes ``S[t]`` (0/1).
    threshold : float
        The firing threshold ``U_thr``.
    beta : float
        The membrane decay factor.
    reset_mechanism : str
        "subtract", "zero" or "none".
    """

    current: np.ndarray
    membrane: np.ndarray
    spikes: np.ndarray
    threshold: float
    beta: float
    reset_mechanism: str

    @property
    def num_steps(self) -> int:
        """T, the number of simulated steps."""
        return int(self.spikes.shape[0])

    @property
    def spike_count(self) -> int:
        """Number of output spikes."""
        return int(self.spikes.sum())

    @property
    def firing_rate(self) -> float:
        """Spikes per time step, in [0, 1]."""
        return self.spike_count / max(self.num_steps, 1)


def simulate_lif(
    current: torch.Tensor,
    *,
    beta: float = 0.9,
    threshold: float = 1.0,
    reset_mechanism: str = "subtract",
) -> LIFTrace:
    """Run one LIF neuron (the models' ``LIFLayer``) over ``current`` from zero state.

    Parameters
    ----------
    current : torch.Tensor
        Input current, shape ``(T,)``.
    beta : float
        Membrane decay per step, in [0, 1].
    threshold : float
        Firing threshold, > 0.
    reset_mechanism : {"subtract", "zero", "none"}
        What a spike does to the membrane.

    Returns
    -------
    LIFTrace

    Raises
    ------
    ConfigError
        For ``beta``, ``threshold`` or ``reset_mechanism`` out of range.
    ValueError
        If ``current`` is not one-dimensional.

    Examples
    --------
    >>> trace = simulate_lif(torch.ones(20), beta=0.5, threshold=1.5)
    >>> trace.spikes.shape
    (20,)
    """
    current = torch.as_tensor(current, dtype=torch.float32)
    if current.dim() != 1:
        raise ValueError(f"The 'current' parameter must have shape (T,). Got shape {tuple(current.shape)}.")
    layer = LIFLayer(beta=beta, threshold=threshold, reset_mechanism=reset_mechanism)
    with torch.inference_mode(), one_thread():
        spikes, membrane = layer.run(current.view(-1, 1, 1))  # (T, B=1, N=1)
    return LIFTrace(
        current=current.numpy().copy(),
        membrane=membrane.view(-1).numpy().copy(),
        spikes=spikes.view(-1).numpy().copy(),
        threshold=float(threshold),
        beta=float(beta),
        reset_mechanism=reset_mechanism,
    )
