r"""Margin losses on the circle: where each class wins, with and without a margin.

A 2-D toy of the hypersphere: C class weight vectors :math:`w_j` on the unit
circle and an embedding at angle :math:`\varphi`, at angle :math:`\theta_j` from
each :math:`w_j`. A class *wins with the margin* at :math:`\varphi` when its
margin-adjusted target logit (the one the loss trains towards) still beats every
other class's plain logit. The scores come from the real losses
(:func:`snnviz.losses.make_loss` and its ``target_logits``); between two classes
:math:`\Delta` apart the boundaries have closed forms (:func:`margin_boundary`):

=============  ===========================================  ==========================
loss           class i wins while                           boundary angle from w_i
=============  ===========================================  ==========================
softmax        :math:`\cos\theta_i > \cos\theta_j`           :math:`\Delta/2`
normface       same (``s`` only sharpens the probabilities)  :math:`\Delta/2`
cosface        :math:`\cos\theta_i - m > \cos\theta_j`       :math:`\Delta/2 - \arcsin\frac{m}{2\sin(\Delta/2)}`
arcface        :math:`\theta_i + m < \theta_j`               :math:`(\Delta - m)/2`
sphereface     :math:`m\theta_i < \theta_j`                  :math:`\Delta/(m + 1)`
=============  ===========================================  ==========================

The arc between two classes' boundaries belongs to neither: the margin gap a
trained embedding is pushed out of.

Examples
--------
>>> regions = margin_regions("arcface", class_angles(3), m=0.5)
>>> [round(b, 2) for b in regions.boundaries(0)]  # (Δ − m) / 2 either side, Δ = 2π/3
[0.8, 0.8]
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch
import torch.nn.functional as F

from snnviz.losses import make_loss
from snnviz.teach._threads import one_thread

__all__ = [
    "LOSS_NAMES",
    "RegionMap",
    "class_angles",
    "loss_params",
    "margin_boundary",
    "margin_regions",
    "margin_scores",
    "target_loss_curve",
]

LOSS_NAMES = ("softmax", "normface", "cosface", "arcface", "sphereface")


def class_angles(num_classes: int, *, offset: float = math.pi / 2) -> np.ndarray:
    """Angles (radians) of ``num_classes`` weight vectors spread evenly on the circle.

    Parameters
    ----------
    num_classes : int
        C (>= 2).
    offset : float
        Angle of class 0 (default: pointing up).

    Returns
    -------
    np.ndarray
        Shape ``(C,)``, in ``[0, 2π)``.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"The 'num_classes' parameter must be an int >= 2. Got {num_classes!r}.")
    return np.mod(offset + 2.0 * math.pi * np.arange(num_classes) / num_classes, 2.0 * math.pi)


def loss_params(loss: str, *, s: float = 16.0, m: float = 0.0) -> dict:
    """The keyword arguments :func:`snnviz.losses.make_loss` takes for ``loss`` from ``s`` and ``m``.

    softmax takes none, normface only ``s``, sphereface an integer ``m``.
    """
    if loss not in LOSS_NAMES:
        raise ValueError(f"The 'loss' parameter must be one of {', '.join(LOSS_NAMES)}. Got {loss!r}.")
    if loss == "softmax":
        return {}
    if loss == "normface":
        return {"s": float(s)}
    if loss == "sphereface":
        return {"s": float(s), "m": int(round(m))}
    return {"s": float(s), "m": float(m)}


def _cosines(phi: np.ndarray, angles: np.ndarray) -> torch.Tensor:
    """cos θ_j between unit embeddings at angles ``phi`` (N,) and weights at ``angles`` (C,): (N, C)."""
    return torch.as_tensor(np.cos(phi[:, None] - angles[None, :]), dtype=torch.float32)


def margin_scores(
    loss: str, phi: np.ndarray, angles: np.ndarray, *, s: float = 16.0, m: float = 0.0, norm: float = 1.0
) -> np.ndarray:
    """Logits the loss trains with, for every embedding angle and every choice of target class.

    Parameters
    ----------
    loss : {"softmax", "normface", "cosface", "arcface", "sphereface"}
    phi : np.ndarray
        Embedding angles, shape ``(N,)``.
    angles : np.ndarray
        Class weight angles, shape ``(C,)``.
    s, m : float
        Scale and margin (see :func:`loss_params`).
    norm : float
        softmax only: the embedding's length (its logits are ``norm * cos θ_j``
        with unit weights, so the length plays the role of ``s``).

    Returns
    -------
    np.ndarray
        Shape ``(C, N, C)``: ``scores[y, n]`` are the logits of embedding ``n``
        when its label is ``y`` (the margin applied to column ``y``).
    """
    phi, angles = np.asarray(phi, dtype=float), np.asarray(angles, dtype=float)
    module = make_loss(loss, **loss_params(loss, s=s, m=m))
    cos = _cosines(phi, angles)
    if loss == "softmax":
        cos = cos * float(norm)
    num_classes = angles.shape[0]
    out = np.empty((num_classes, phi.shape[0], num_classes), dtype=np.float64)
    with torch.inference_mode(), one_thread():
        for y in range(num_classes):
            labels = torch.full((phi.shape[0],), y, dtype=torch.long)
            out[y] = module.target_logits(cos, labels).double().numpy()
    return out


@dataclasses.dataclass(frozen=True)
class RegionMap:
    """Which class wins, with the margin, at each angle around the circle.

    Attributes
    ----------
    loss : str
    angles : np.ndarray
        Class weight angles ``(C,)``.
    phi : np.ndarray
        Sampled embedding angles ``(N,)`` in ``[0, 2π)``.
    owner : np.ndarray
        ``(N,)`` int: the class that wins with the margin at ``phi[n]``, or −1 in
        a margin gap (no class wins by its margin).
    """

    loss: str
    angles: np.ndarray
    phi: np.ndarray
    owner: np.ndarray

    @property
    def gap_fraction(self) -> float:
        """Fraction of the circle that belongs to no class."""
        return float(np.mean(self.owner < 0))

    def arcs(self) -> list[tuple[int, float, float]]:
        """Contiguous runs ``(owner, start, end)`` in radians, in order around the circle (−1: a gap)."""
        step = 2.0 * math.pi / self.phi.shape[0]
        change = np.flatnonzero(np.diff(self.owner)) + 1
        starts = np.concatenate(([0], change))
        ends = np.concatenate((change, [self.owner.shape[0]]))
        return [(int(self.owner[a]), float(self.phi[a] - step / 2), float(self.phi[b - 1] + step / 2))
                for a, b in zip(starts, ends)]

    def boundaries(self, cls: int) -> tuple[float, float]:
        """Angular extent of class ``cls``'s region either side of its weight: ``(clockwise, counter-clockwise)``.

        Measured from ``w_cls`` in radians; each is where the region ends first.
        """
        rel = np.mod(self.phi - self.angles[cls] + math.pi, 2.0 * math.pi) - math.pi  # in [-π, π)
        order = np.argsort(rel)
        rel, mine = rel[order], self.owner[order] == cls
        centre = int(np.argmin(np.abs(rel)))
        hi = centre
        while hi + 1 < rel.shape[0] and mine[hi + 1]:
            hi += 1
        lo = centre
        while lo - 1 >= 0 and mine[lo - 1]:
            lo -= 1
        step = 2.0 * math.pi / self.phi.shape[0]
        if not mine[centre]:
            return 0.0, 0.0
        return float(-rel[lo] + step / 2), float(rel[hi] + step / 2)


def margin_regions(
    loss: str, angles: np.ndarray, *, s: float = 16.0, m: float = 0.0, resolution: int = 1440
) -> RegionMap:
    """Map each angle of the circle to the class that wins there with the margin.

    Class ``y`` owns angle ``φ`` when its margin-adjusted target logit beats every
    other class's logit (``target_logits`` of the real loss with label ``y``).

    Parameters
    ----------
    loss : {"softmax", "normface", "cosface", "arcface", "sphereface"}
    angles : np.ndarray
        Class weight angles ``(C,)``.
    s, m : float
        Scale and margin (``m`` in radians for arcface, an integer for sphereface).
    resolution : int
        Number of sampled angles (>= 8).

    Returns
    -------
    RegionMap

    Examples
    --------
    >>> regions = margin_regions("softmax", class_angles(4))
    >>> regions.gap_fraction
    0.0
    """
    if resolution < 8:
        raise ValueError(f"The 'resolution' parameter must be an int >= 8. Got {resolution!r}.")
    angles = np.asarray(angles, dtype=float)
    phi = (np.arange(resolution) + 0.5) * 2.0 * math.pi / resolution
    scores = margin_scores(loss, phi, angles, s=s, m=m)  # (C, N, C)
    num_classes = angles.shape[0]
    owner = np.full(resolution, -1, dtype=np.int64)
    for y in range(num_classes):
        others = np.delete(scores[y], y, axis=1).max(axis=1)
        owner[scores[y][:, y] > others] = y
    return RegionMap(loss=loss, angles=angles, phi=phi, owner=owner)


def margin_boundary(loss: str, delta: float, m: float = 0.0) -> float:
    """Closed-form angle from ``w_i`` at which class i stops winning with the margin against class j.

    Parameters
    ----------
    loss : {"softmax", "normface", "cosface", "arcface", "sphereface"}
    delta : float
        Angle between ``w_i`` and ``w_j`` in radians, in ``(0, π]``.
    m : float
        The margin.

    Returns
    -------
    float
        Radians, in ``[0, Δ/2]`` (0: the margin is too large for class i to win
        anywhere on the arc towards j).

    Examples
    --------
    >>> round(margin_boundary("arcface", math.pi / 2, 0.5), 4)  # (Δ − m) / 2
    0.5354
    """
    if loss not in LOSS_NAMES:
        raise ValueError(f"The 'loss' parameter must be one of {', '.join(LOSS_NAMES)}. Got {loss!r}.")
    if not 0 < delta <= math.pi:
        raise ValueError(f"The 'delta' parameter must be in (0, pi]. Got {delta!r}.")
    if loss in ("softmax", "normface"):
        return delta / 2
    if loss == "cosface":
        ratio = m / (2.0 * math.sin(delta / 2))
        return max(delta / 2 - math.asin(min(ratio, 1.0)), 0.0)
    if loss == "arcface":
        return max((delta - m) / 2, 0.0)
    return delta / (int(round(m)) + 1)


def target_loss_curve(
    loss: str, phi: np.ndarray, angles: np.ndarray, target: int = 0, *, s: float = 16.0, m: float = 0.0
) -> np.ndarray:
    """Cross-entropy a sample of class ``target`` pays at each embedding angle ``phi``.

    The cross-entropy of the real loss module's ``target_logits``, kept per
    sample (for softmax the embedding length is ``s``).

    Returns
    -------
    np.ndarray
        Shape ``(N,)``, in nats.
    """
    phi, angles = np.asarray(phi, dtype=float), np.asarray(angles, dtype=float)
    module = make_loss(loss, **loss_params(loss, s=s, m=m))
    cos = _cosines(phi, angles)
    if loss == "softmax":
        cos = cos * float(s)
    labels = torch.full((phi.shape[0],), int(target), dtype=torch.long)
    with torch.inference_mode(), one_thread():  # the loss is the mean cross-entropy of these logits; keep it per sample
        values = F.cross_entropy(module.target_logits(cos, labels), labels, reduction="none")
    return values.double().numpy()
