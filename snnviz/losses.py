r"""Classification losses on the hypersphere: softmax and the angular-margin family.

All margin losses take the cosines :math:`\cos\theta_j` between an L2-normalised
embedding and L2-normalised class weights (what a
:class:`~snnviz.models.heads.CosineHead` returns), change the target logit, scale
by ``s`` and apply cross-entropy:

=============  =================================================================
``softmax``    :math:`\mathrm{CE}(z)` on unnormalised linear logits ``z``
``normface``   :math:`\mathrm{CE}(s\cos\theta_j)` (Wang et al., 2017)
``cosface``    target :math:`s(\cos\theta_y - m)` (Wang et al., 2018)
``arcface``    target :math:`s\cos(\theta_y + m)` (Deng et al., 2019)
``sphereface`` target :math:`s\,\psi(\theta_y)`, :math:`\psi(\theta) = (-1)^k\cos(m\theta) - 2k`,
               :math:`k = \lfloor m\theta/\pi \rfloor` (Liu et al., 2017)
=============  =================================================================

Examples
--------
>>> import torch
>>> loss = make_loss("arcface", s=16.0, m=0.3)
>>> cos = torch.tensor([[0.9, 0.1], [0.2, 0.7]])
>>> float(loss(cos, torch.tensor([0, 1]))) > 0
True
"""

from __future__ import annotations

import inspect
import math

import torch
import torch.nn.functional as F
from torch import nn

from snnviz.errors import ConfigError

__all__ = ["SoftmaxLoss", "NormFaceLoss", "CosFaceLoss", "ArcFaceLoss", "SphereFaceLoss", "make_loss", "LOSSES"]

_EPS = 1e-7


def _check_scale(name: str, s: float) -> float:
    if not isinstance(s, (int, float)) or isinstance(s, bool) or not s > 0:
        raise ConfigError(f"The '{name}' loss parameter 's' must be a float > 0. Got {s!r}.")
    return float(s)


class _MarginLoss(nn.Module):
    """Shared forward: margin-adjusted, scaled logits, then cross-entropy."""

    requires_cosine = True

    def target_logits(self, cosines: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Scaled logits with the margin applied to the target class, shape ``(B, C)``."""
        cosines = cosines.clamp(-1.0, 1.0)
        onehot = F.one_hot(labels, cosines.shape[1]).to(torch.bool)
        target = self._target(cosines)
        return self.s * torch.where(onehot, target, cosines)

    def _target(self, cosines: torch.Tensor) -> torch.Tensor:
        return cosines

    def forward(self, cosines: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(self.target_logits(cosines, labels), labels)


class SoftmaxLoss(nn.Module):
    """Plain cross-entropy on (unnormalised) linear logits — the baseline."""

    requires_cosine = False

    def target_logits(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return logits

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits, labels)


class NormFaceLoss(_MarginLoss):
    """Cross-entropy on scaled cosines ``s cos θ`` (no margin)."""

    def __init__(self, s: float = 16.0) -> None:
        super().__init__()
        self.s = _check_scale("normface", s)


class CosFaceLoss(_MarginLoss):
    """Additive cosine margin: the target logit is ``s (cos θ_y − m)``."""

    def __init__(self, s: float = 16.0, m: float = 0.25) -> None:
        super().__init__()
        self.s = _check_scale("cosface", s)
        if not isinstance(m, (int, float)) or isinstance(m, bool) or not 0.0 <= m < 2.0:
            raise ConfigError(f"The 'cosface' loss parameter 'm' must be a float in [0, 2). Got {m!r}.")
        self.m = float(m)

    def _target(self, cosines: torch.Tensor) -> torch.Tensor:
        return cosines - self.m


class ArcFaceLoss(_MarginLoss):
    """Additive angular margin: the target logit is ``s cos(θ_y + m)``.

    Numerically safe: the sine is computed from a clamped ``1 − cos²`` (finite
    gradients at cos θ = ±1), and where ``θ + m`` would pass π the target falls
    back to the monotone ``cos θ − m sin m`` (the usual threshold handling);
    ``easy_margin=True`` applies the margin only where cos θ > 0.
    """

    def __init__(self, s: float = 16.0, m: float = 0.3, easy_margin: bool = False) -> None:
        super().__init__()
        self.s = _check_scale("arcface", s)
        if not isinstance(m, (int, float)) or isinstance(m, bool) or not 0.0 <= m < math.pi / 2:
            raise ConfigError(f"The 'arcface' loss parameter 'm' must be a float in [0, pi/2). Got {m!r}.")
        self.m = float(m)
        self.easy_margin = bool(easy_margin)
        self._cos_m, self._sin_m = math.cos(self.m), math.sin(self.m)
        self._th = math.cos(math.pi - self.m)  # beyond here θ + m > π
        self._mm = math.sin(math.pi - self.m) * self.m

    def _target(self, cosines: torch.Tensor) -> torch.Tensor:
        sine = torch.sqrt((1.0 - cosines * cosines).clamp(min=_EPS))
        phi = cosines * self._cos_m - sine * self._sin_m  # cos(θ + m)
        if self.easy_margin:
            return torch.where(cosines > 0, phi, cosines)
        return torch.where(cosines > self._th, phi, cosines - self._mm)


class SphereFaceLoss(_MarginLoss):
    """Multiplicative angular margin: target ``s ψ(θ_y)`` with ``ψ(θ) = (−1)^k cos(mθ) − 2k``.

    ψ is monotonically decreasing on [0, π], so the loss is well defined for any
    integer ``m ≥ 1`` (``m = 1`` is NormFace).
    """

    def __init__(self, s: float = 16.0, m: int = 2) -> None:
        super().__init__()
        self.s = _check_scale("sphereface", s)
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise ConfigError(f"The 'sphereface' loss parameter 'm' must be an integer >= 1. Got {m!r}.")
        self.m = m

    def _target(self, cosines: torch.Tensor) -> torch.Tensor:
        theta = torch.acos(cosines.clamp(-1.0 + _EPS, 1.0 - _EPS))
        k = torch.floor(self.m * theta / math.pi).detach()
        sign = 1.0 - 2.0 * torch.remainder(k, 2.0)  # (-1)^k
        return sign * torch.cos(self.m * theta) - 2.0 * k


LOSSES: dict[str, type[nn.Module]] = {
    "softmax": SoftmaxLoss,
    "normface": NormFaceLoss,
    "cosface": CosFaceLoss,
    "arcface": ArcFaceLoss,
    "sphereface": SphereFaceLoss,
}


def make_loss(name: str, **params) -> nn.Module:
    """Build the loss ``name`` with its parameters.

    Parameters
    ----------
    name : {"softmax", "normface", "cosface", "arcface", "sphereface"}
    **params
        ``s`` (scale) for all but softmax, ``m`` (margin) for cosface, arcface
        (radians) and sphereface (integer), ``easy_margin`` for arcface.

    Returns
    -------
    nn.Module
        Called as ``loss(logits_or_cosines (B, C), labels (B,)) -> scalar``;
        ``loss.requires_cosine`` tells whether it expects cosines.

    Raises
    ------
    ConfigError
        For an unknown loss or parameter, or a value out of range.
    """
    if name not in LOSSES:
        raise ConfigError(f"The 'loss' parameter must be one of {', '.join(LOSSES)}. Got {name!r}.")
    cls = LOSSES[name]
    valid = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    unknown = sorted(set(params) - set(valid))
    if unknown:
        allowed = ", ".join(valid) if valid else "none"
        raise ConfigError(f"Unknown parameter(s) for the '{name}' loss: {', '.join(unknown)}. Valid: {allowed}.")
    return cls(**params)
