r"""Leaky integrate-and-fire neurons, run over a whole time sequence from zero state.

Every spiking layer of snnviz is a :class:`LIFLayer`: it wraps one snnTorch
:class:`snntorch.Leaky` neuron (so the dynamics are snnTorch's own code) and runs
it over the time axis of a ``(T, B, ...)`` input, starting from a zero membrane
at every call. Nothing relies on snnTorch's global instance list or
``utils.reset``: a model shared by many browser sessions never carries state
from one forward pass into the next.

The dynamics (reset by subtraction, the default):

.. math::

    U[t] = \beta U[t-1] + I[t] - S[t-1]\,U_{\rm thr}, \qquad
    S[t] = \Theta(U[t] - U_{\rm thr})

``reset_mechanism="zero"`` sets the membrane to zero after a spike, ``"none"``
never resets. In the backward pass, the Heaviside :math:`\Theta` is replaced by
the chosen surrogate derivative.

Examples
--------
>>> import torch
>>> lif = LIFLayer(beta=0.9, threshold=1.0)
>>> x = torch.full((8, 2, 3), 0.6)          # (T, B, N) input current
>>> spikes, membrane = lif.run(x)
>>> spikes.shape, membrane.shape
(torch.Size([8, 2, 3]), torch.Size([8, 2, 3]))
"""

from __future__ import annotations

import snntorch
import torch
from snntorch import surrogate as _surrogate
from torch import nn

from snnviz.config import RESET_MECHANISMS, SURROGATES
from snnviz.errors import ConfigError

__all__ = ["LIFLayer", "make_leaky", "make_surrogate"]


def make_surrogate(name: str = "atan", slope: float = 2.0):
    """Return snnTorch's surrogate spike function ``name`` with its slope parameter.

    Parameters
    ----------
    name : {"atan", "fast_sigmoid", "sigmoid", "triangular", "straight_through"}
    slope : float
        ``alpha`` for atan, ``slope`` for (fast) sigmoid, ``threshold`` for the
        triangular surrogate; ignored by the straight-through estimator.
    """
    if name == "atan":
        return _surrogate.atan(alpha=slope)
    if name == "fast_sigmoid":
        return _surrogate.fast_sigmoid(slope=slope)
    if name == "sigmoid":
        return _surrogate.sigmoid(slope=slope)
    if name == "triangular":
        return _surrogate.triangular(threshold=slope)
    if name == "straight_through":
        return _surrogate.straight_through_estimator()
    raise ConfigError(f"The 'surrogate' parameter must be one of {', '.join(SURROGATES)}. Got {name!r}.")


def make_leaky(
    beta: float = 0.9,
    threshold: float = 1.0,
    reset_mechanism: str = "subtract",
    surrogate: str = "atan",
    surrogate_slope: float = 2.0,
    learn_beta: bool = False,
) -> snntorch.Leaky:
    """Build one snnTorch ``Leaky`` neuron, detached from snnTorch's global instance list.

    snnTorch appends every neuron to a class-level list (for its global reset
    helpers); a long-running server that builds many models would keep them all
    alive through it, so the new neuron is removed from that list.
    """
    if reset_mechanism not in RESET_MECHANISMS:
        raise ConfigError(
            f"The 'reset_mechanism' parameter must be one of {', '.join(RESET_MECHANISMS)}. Got {reset_mechanism!r}."
        )
    if not 0.0 <= float(beta) <= 1.0:
        raise ConfigError(f"The 'beta' parameter must be a float in [0, 1]. Got {beta!r}.")
    if float(threshold) <= 0:
        raise ConfigError(f"The 'threshold' parameter must be > 0. Got {threshold!r}.")
    neuron = snntorch.Leaky(
        beta=float(beta),
        threshold=float(threshold),
        spike_grad=make_surrogate(surrogate, surrogate_slope),
        reset_mechanism=reset_mechanism,
        learn_beta=learn_beta,
    )
    instances = getattr(snntorch.SpikingNeuron, "instances", None)
    if isinstance(instances, list):
        try:
            instances.remove(neuron)
        except ValueError:
            pass
    return neuron


class LIFLayer(nn.Module):
    """A layer of leaky integrate-and-fire neurons over a ``(T, B, ...)`` sequence.

    Parameters
    ----------
    beta, threshold, reset_mechanism, surrogate, surrogate_slope, learn_beta
        See :func:`make_leaky`.

    Shapes
    ------
    input : ``(T, B, *feature)`` input current per time step
    output : ``(T, B, *feature)`` spikes (0/1, float) — see :meth:`run` for membranes

    Notes
    -----
    The membrane trace is passed through ``self.mem_probe`` (an ``nn.Identity``)
    only when a forward hook is registered on it, so a :class:`~snnviz.recording.Recorder`
    can capture membranes without changing outputs and training pays nothing for it.
    """

    def __init__(
        self,
        beta: float = 0.9,
        threshold: float = 1.0,
        reset_mechanism: str = "subtract",
        surrogate: str = "atan",
        surrogate_slope: float = 2.0,
        learn_beta: bool = False,
    ) -> None:
        super().__init__()
        self.neuron = make_leaky(beta, threshold, reset_mechanism, surrogate, surrogate_slope, learn_beta)
        self.mem_probe = nn.Identity()

    @property
    def threshold(self) -> float:
        """The firing threshold U_thr."""
        return float(self.neuron.threshold)

    def run(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Run the neuron over ``x`` (T, B, ...) from zero state; return ``(spikes, membranes)``."""
        spikes, membranes = self._loop(x, keep_membrane=True)
        return spikes, membranes  # type: ignore[return-value]

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (T, B, ...) -> (T, B, ...)
        keep = bool(self.mem_probe._forward_hooks)
        spikes, membranes = self._loop(x, keep_membrane=keep)
        if keep:
            self.mem_probe(membranes)
        return spikes

    def _loop(self, x: torch.Tensor, *, keep_membrane: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
        if x.dim() < 2:
            raise ValueError(f"LIFLayer expects a (T, B, ...) input. Got shape {tuple(x.shape)}.")
        mem = torch.zeros_like(x[0])  # zero state at every call
        spikes, membranes = [], []
        for t in range(x.shape[0]):
            spk, mem = self.neuron(x[t], mem)
            spikes.append(spk)
            if keep_membrane:
                membranes.append(mem)
        return torch.stack(spikes), (torch.stack(membranes) if keep_membrane else None)

    def extra_repr(self) -> str:
        n = self.neuron
        return f"beta={float(n.beta):g}, threshold={float(n.threshold):g}, reset={n.reset_mechanism}"
