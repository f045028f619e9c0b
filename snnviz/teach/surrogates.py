r"""Surrogate gradients: the Heaviside spike and the derivatives used to train through it.

A spike is :math:`S = \Theta(U - U_{\rm thr})`. Its true derivative is zero
everywhere except at the threshold, where it is infinite, so backpropagation
would pass no signal. snnTorch keeps the Heaviside in the forward pass and
swaps in a smooth derivative in the backward pass. This module evaluates those
derivatives by running snnTorch's own autograd functions (through
:func:`snnviz.models.neurons.make_surrogate`, as the models do) and asking
``torch.autograd`` for the gradient — no formula is re-typed here.

Examples
--------
>>> curve = surrogate_curve("atan", slope=2.0)
>>> float(curve.gradient.max()) > 0
True
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from snnviz.config import SURROGATES
from snnviz.models.neurons import make_surrogate
from snnviz.teach._threads import one_thread

__all__ = ["SURROGATES", "DEFAULT_SLOPES", "SLOPE_NAMES", "SurrogateCurve", "surrogate_curve"]

#: snnTorch's default value of each surrogate's shape parameter.
DEFAULT_SLOPES = {"atan": 2.0, "fast_sigmoid": 25.0, "sigmoid": 25.0, "triangular": 1.0, "straight_through": 1.0}
#: What snnTorch calls each surrogate's shape parameter (None: it has none).
SLOPE_NAMES = {"atan": "alpha", "fast_sigmoid": "slope", "sigmoid": "slope", "triangular": "threshold",
               "straight_through": None}


@dataclasses.dataclass(frozen=True)
class SurrogateCurve:
    """A surrogate's forward spike and backward derivative over membrane offsets ``x = U - U_thr``.

    Attributes
    ----------
    name : str
    slope : float
        The shape parameter used (ignored by "straight_through").
    x, spike, gradient : np.ndarray
        Shape ``(N,)``: the offsets, the forward output (the Heaviside step) and
        ``dS/dx`` as autograd computes it.
    """

    name: str
    slope: float
    x: np.ndarray
    spike: np.ndarray
    gradient: np.ndarray


def surrogate_curve(name: str, slope: float | None = None, *, x_range: float = 2.0, num: int = 401) -> SurrogateCurve:
    """Evaluate snnTorch's surrogate ``name`` and its gradient on ``[-x_range, x_range]``.

    Parameters
    ----------
    name : {"atan", "fast_sigmoid", "sigmoid", "triangular", "straight_through"}
    slope : float, optional
        The surrogate's shape parameter (see ``SLOPE_NAMES``); snnTorch's
        default when omitted.
    x_range : float
        Half-width of the evaluated interval of ``U - U_thr`` (> 0).
    num : int
        Number of evaluation points (>= 2).

    Returns
    -------
    SurrogateCurve

    Raises
    ------
    ConfigError
        For an unknown surrogate.
    ValueError
        For a non-positive ``slope`` or ``x_range`` or ``num < 2``.
    """
    slope = DEFAULT_SLOPES.get(name, 1.0) if slope is None else float(slope)
    if not slope > 0:
        raise ValueError(f"The 'slope' parameter must be > 0. Got {slope!r}.")
    if not x_range > 0:
        raise ValueError(f"The 'x_range' parameter must be > 0. Got {x_range!r}.")
    if num < 2:
        raise ValueError(f"The 'num' parameter must be >= 2. Got {num!r}.")
    fn = make_surrogate(name, slope)
    x = torch.linspace(-x_range, x_range, num, requires_grad=True)
    with torch.enable_grad(), one_thread():
        spike = fn(x)
        (gradient,) = torch.autograd.grad(spike.sum(), x)
    return SurrogateCurve(
        name=name,
        slope=slope,
        x=x.detach().numpy().copy(),
        spike=spike.detach().numpy().copy(),
        gradient=gradient.numpy().copy(),
    )
