r"""Spike encodings of a sample: rate, latency, delta (``snntorch.spikegen``) and direct.

A spiking network needs its input over T time steps. Four ways to get there:

``rate``
    each value in [0, 1] is the probability of a spike at every step (Bernoulli).
``latency``
    each value fires once; brighter/louder values fire earlier.
``delta``
    a spike when a value changes by more than a threshold from one step to the
    next (an event camera, a cochlea). It needs a time-varying signal: the
    spectrogram's frames are its time axis, and an image is swept column by column.
``direct``
    the analog values themselves, repeated at every step — what the bundled
    models receive (their first spiking layer turns the current into spikes).

Examples
--------
>>> import torch
>>> enc = encode(torch.rand(8, 8), "rate", num_steps=10)
>>> enc.spikes.shape
(10, 8, 8)
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
from snntorch import spikegen

from snnviz.models.layers import encode as model_encode
from snnviz.teach._threads import one_thread

__all__ = ["ENCODINGS", "Encoding", "encode"]

ENCODINGS = ("rate", "latency", "delta", "direct")


@dataclasses.dataclass(frozen=True)
class Encoding:
    """Spikes (or currents) over time for one 2-D input.

    Attributes
    ----------
    method : str
        "rate", "latency", "delta" or "direct".
    spikes : np.ndarray
        Shape ``(T, H, W)`` for rate, latency and direct (one frame per step);
        ``(T, N)`` for delta, where the input's own time axis became T. Values are
        0/1 spikes (−1 for delta's off-spikes) or analog currents for direct.
    time_axis : str
        What T is: "step" or the input axis consumed ("frame", "column").
    """

    method: str
    spikes: np.ndarray
    time_axis: str = "step"

    @property
    def num_steps(self) -> int:
        """T, the number of time steps."""
        return int(self.spikes.shape[0])

    @property
    def raster(self) -> np.ndarray:
        """The spikes as a ``(T, neurons)`` raster (each input value is one neuron)."""
        return self.spikes.reshape(self.num_steps, -1)

    @property
    def spike_count(self) -> int:
        """Number of events (on- and off-spikes; 0 for the analog direct encoding)."""
        if self.method == "direct":
            return 0
        return int(np.abs(self.spikes).sum())

    @property
    def rate(self) -> float:
        """Events per neuron per step (for direct: the mean input current)."""
        if self.method == "direct":
            return float(self.spikes.mean())
        return float(np.abs(self.spikes).mean())


def _check_2d(data: torch.Tensor) -> torch.Tensor:
    data = torch.as_tensor(data, dtype=torch.float32)
    while data.dim() > 2 and data.shape[0] == 1:  # (1, H, W) model tensors
        data = data[0]
    if data.dim() != 2:
        raise ValueError(f"The 'data' parameter must be a 2-D array (H, W). Got shape {tuple(data.shape)}.")
    return data


@one_thread()
def encode(
    data: torch.Tensor | np.ndarray,
    method: str,
    *,
    num_steps: int = 25,
    gain: float = 1.0,
    tau: float = 5.0,
    latency_threshold: float = 0.01,
    linear: bool = True,
    delta_threshold: float = 0.1,
    off_spike: bool = True,
    delta_axis: str = "frame",
    seed: int = 0,
) -> Encoding:
    """Encode a 2-D input ``(H, W)`` in [0, 1] as spikes over time.

    Parameters
    ----------
    data : array of shape ``(H, W)`` or ``(1, H, W)``
        An image or a spectrogram ``(n_mels, frames)``, values in [0, 1].
    method : {"rate", "latency", "delta", "direct"}
    num_steps : int
        T for rate, latency and direct (>= 1). Delta uses the input's own time axis.
    gain : float
        Rate: spike probability is ``gain * value`` (clipped to [0, 1]).
    tau : float
        Latency: RC time constant of the charging neuron (> 0); with
        ``linear=True``, larger tau spreads the spike times.
    latency_threshold : float
        Latency: values below it never fire (``clip=True``).
    linear : bool
        Latency: linear rather than logarithmic time code.
    delta_threshold : float
        Delta: the change that triggers an event (> 0).
    off_spike : bool
        Delta: also emit −1 spikes for decreases.
    delta_axis : {"frame", "column"}
        Delta: which axis of ``data`` is time — ``"frame"`` (the last axis, a
        spectrogram's frames) or ``"column"`` (sweep an image left to right). Both
        consume the last axis; the name only labels it.
    seed : int
        Seed of the rate encoding's Bernoulli draws.

    Returns
    -------
    Encoding

    Raises
    ------
    ValueError
        For an unknown method, a non-2-D input or a parameter out of range.
    """
    if method not in ENCODINGS:
        raise ValueError(f"The 'method' parameter must be one of {', '.join(ENCODINGS)}. Got {method!r}.")
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(f"The 'num_steps' parameter must be an int >= 1. Got {num_steps!r}.")
    data = _check_2d(data)
    if method == "rate":
        if gain < 0:
            raise ValueError(f"The 'gain' parameter must be >= 0. Got {gain!r}.")
        with torch.random.fork_rng(devices=[]):  # spikegen draws from the global generator
            torch.manual_seed(int(seed))
            spikes = spikegen.rate(data.clamp(0.0, 1.0 / max(gain, 1e-12)), num_steps=num_steps, gain=gain)
        return Encoding("rate", spikes.clamp(0.0, 1.0).numpy())
    if method == "latency":
        if not tau > 0:
            raise ValueError(f"The 'tau' parameter must be > 0. Got {tau!r}.")
        spikes = spikegen.latency(data.clamp(0.0, 1.0), num_steps=num_steps, tau=tau, threshold=latency_threshold,
                                  clip=True, normalize=True, linear=linear)
        return Encoding("latency", spikes.numpy())
    if method == "delta":
        if not delta_threshold > 0:
            raise ValueError(f"The 'delta_threshold' parameter must be > 0. Got {delta_threshold!r}.")
        if delta_axis not in ("frame", "column"):
            raise ValueError(f"The 'delta_axis' parameter must be one of frame, column. Got {delta_axis!r}.")
        sequence = data.T.contiguous()  # (time, rows): the last axis becomes time
        spikes = spikegen.delta(sequence, threshold=delta_threshold, off_spike=off_spike)
        return Encoding("delta", spikes.numpy(), time_axis=delta_axis)
    currents = model_encode(data.unsqueeze(0), num_steps, "direct")[:, 0]  # the models' own path, (T, H, W)
    return Encoding("direct", currents.numpy().copy())
