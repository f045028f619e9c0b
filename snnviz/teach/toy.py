r"""A toy training run on the circle: watch a loss arrange 2-D embeddings.

A small MLP maps points of a toy dataset (a "pie": each class one sector of
an annulus) to a 2-D embedding; a head scores it against C class weights and one of the real
losses (:func:`snnviz.losses.make_loss`) trains both. softmax uses a linear
head on the raw embedding; the margin losses use the models'
:class:`~snnviz.models.heads.CosineHead`, i.e. the cosines between the
L2-normalised embedding and weights. Snapshots of the normalised embeddings
and weights every few steps make an animation of classes being pulled
together on the circle.

Examples
--------
>>> x, y = toy_dataset(3, 20, seed=0)
>>> run = train_toy("arcface", x, y, s=8.0, m=0.3, steps=20, record_every=10)
>>> run.points.shape, run.weights.shape
((3, 60, 2), (3, 3, 2))
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from snnviz.losses import make_loss
from snnviz.models.heads import CosineHead
from snnviz.teach._threads import one_thread
from snnviz.teach.margins import LOSS_NAMES, class_angles, loss_params

__all__ = ["ToyRun", "toy_dataset", "train_toy", "angular_spread"]


def toy_dataset(num_classes: int, per_class: int, *, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A "pie" in the plane: points of an annulus, labelled by the sector they fall in.

    Each class fills a whole sector of angle ``2π / C``, so an embedding that
    keeps the input's geometry spreads every class over its sector right up to
    its neighbours — the softmax solution. A margin loss has to squeeze each
    sector into a tight arc and open gaps between them.

    Parameters
    ----------
    num_classes : int
        C (>= 2).
    per_class : int
        Average points per class (>= 1); the total is ``C * per_class``.
    seed : int

    Returns
    -------
    x : torch.Tensor
        ``(C * per_class, 2)`` float32 inputs, radius in [1, 2].
    y : torch.Tensor
        ``(C * per_class,)`` int64 labels.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"The 'num_classes' parameter must be an int >= 2. Got {num_classes!r}.")
    if isinstance(per_class, bool) or not isinstance(per_class, int) or per_class < 1:
        raise ValueError(f"The 'per_class' parameter must be an int >= 1. Got {per_class!r}.")
    gen = torch.Generator().manual_seed(int(seed))
    n = num_classes * per_class
    angle = torch.rand(n, generator=gen) * 2.0 * math.pi
    radius = 1.0 + torch.rand(n, generator=gen)
    y = (angle / (2.0 * math.pi) * num_classes).long().clamp(max=num_classes - 1)
    x = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    return x.float(), y


def angular_spread(directions: np.ndarray, labels: np.ndarray, num_classes: int) -> tuple[float, float, float]:
    """Intra-class spread, inter-class angle and gap of unit vectors on the circle (radians).

    Parameters
    ----------
    directions : np.ndarray
        ``(N, 2)`` unit vectors.
    labels : np.ndarray
        ``(N,)`` class indices.
    num_classes : int

    Returns
    -------
    intra : float
        Mean angle of a point to its class's mean direction (lower: more compact),
        as ``mean_intra_angle_deg`` of :func:`snnviz.analysis.sphere.sphere_metrics`.
    inter : float
        Smallest angle between two class mean directions (higher: better separated).
    gap : float
        Smallest angle between two points of different classes (higher: a wider
        empty margin between classes; 0 when classes touch or overlap).
    """
    means = np.stack([directions[labels == k].mean(axis=0) if np.any(labels == k) else np.zeros(2)
                      for k in range(num_classes)])
    means /= np.linalg.norm(means, axis=1, keepdims=True).clip(1e-12)
    intra = float(np.mean(np.arccos(np.clip((directions * means[labels]).sum(axis=1), -1.0, 1.0))))
    cos = np.clip(means @ means.T, -1.0, 1.0)
    np.fill_diagonal(cos, -1.0)
    inter = float(np.arccos(cos.max()))
    angle = np.arctan2(directions[:, 1], directions[:, 0])
    order = np.argsort(angle)  # neighbours around the circle, wrapping at ±π
    sorted_angle, sorted_label = angle[order], labels[order]
    step = np.diff(np.concatenate((sorted_angle, sorted_angle[:1] + 2.0 * math.pi)))
    differ = sorted_label != np.roll(sorted_label, -1)
    gap = float(step[differ].min()) if np.any(differ) else math.pi
    return intra, inter, gap


def _unit(angles: np.ndarray) -> np.ndarray:
    """Unit vectors ``(C, 2)`` at ``angles`` (C,)."""
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


@dataclasses.dataclass(frozen=True)
class ToyRun:
    """Snapshots of a toy training run (F frames, N points, C classes).

    Attributes
    ----------
    loss : str
    steps : np.ndarray
        ``(F,)`` optimisation step of each frame (0: before training).
    points : np.ndarray
        ``(F, N, 2)`` L2-normalised embeddings.
    weights : np.ndarray
        ``(F, C, 2)`` L2-normalised class weights.
    labels : np.ndarray
        ``(N,)``.
    losses, accuracy, intra, inter, gap : np.ndarray
        ``(F,)`` training loss, accuracy, and the intra-class spread, inter-class
        angle and gap (radians, see :func:`angular_spread`) at each frame.
    """

    loss: str
    steps: np.ndarray
    points: np.ndarray
    weights: np.ndarray
    labels: np.ndarray
    losses: np.ndarray
    accuracy: np.ndarray
    intra: np.ndarray
    inter: np.ndarray
    gap: np.ndarray


def train_toy(
    loss: str,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    s: float = 8.0,
    m: float = 0.0,
    steps: int = 300,
    lr: float = 0.05,
    record_every: int = 10,
    seed: int = 0,
    callback: Callable[[int, int], None] | None = None,
) -> ToyRun:
    """Train a 2-D embedding of ``x`` with ``loss`` and record it every ``record_every`` steps.

    Parameters
    ----------
    loss : {"softmax", "normface", "cosface", "arcface", "sphereface"}
    x, y : torch.Tensor
        Inputs ``(N, d)`` and labels ``(N,)`` (e.g. from :func:`toy_dataset`).
    s, m : float
        Scale and margin of the loss (see :func:`snnviz.teach.margins.loss_params`).
    steps : int
        Full-batch Adam steps (>= 1).
    lr : float
        Learning rate.
    record_every : int
        Steps between snapshots (>= 1).
    seed : int
        Seed of the initial weights: the same seed starts every loss from the same network.
    callback : callable, optional
        Called as ``callback(step, steps)`` after each snapshot (progress bars).

    Returns
    -------
    ToyRun
    """
    if loss not in LOSS_NAMES:
        raise ValueError(f"The 'loss' parameter must be one of {', '.join(LOSS_NAMES)}. Got {loss!r}.")
    for name, value in (("steps", steps), ("record_every", record_every)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"The '{name}' parameter must be an int >= 1. Got {value!r}.")
    with one_thread():
        return _train(loss, torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(y, dtype=torch.long),
                      s=s, m=m, steps=steps, lr=lr, record_every=record_every, seed=seed, callback=callback)


def _train(loss: str, x: torch.Tensor, y: torch.Tensor, *, s: float, m: float, steps: int, lr: float,
           record_every: int, seed: int, callback: Callable[[int, int], None] | None) -> ToyRun:
    num_classes = int(y.max()) + 1
    criterion = make_loss(loss, **loss_params(loss, s=s, m=m))
    with torch.random.fork_rng(devices=[]):  # seed the initial weights without touching the caller's generator
        torch.manual_seed(int(seed))
        body = nn.Sequential(nn.Linear(x.shape[1], 32), nn.ReLU(), nn.Linear(32, 2))  # (N, d) -> (N, 2)
        head = CosineHead(2, num_classes) if criterion.requires_cosine else nn.Linear(2, num_classes, bias=False)
    with torch.no_grad():  # class weights start evenly spread on the circle, as in the region figure
        head.weight.copy_(torch.as_tensor(_unit(class_angles(num_classes)), dtype=torch.float32))
    params = [*body.parameters(), *head.parameters()]
    optimiser = torch.optim.Adam(params, lr=lr)
    frames: dict[str, list] = {k: [] for k in ("steps", "points", "weights", "losses", "accuracy")}

    def snapshot(step: int, value: float, logits: torch.Tensor, embedding: torch.Tensor) -> None:
        frames["steps"].append(step)
        frames["points"].append(F.normalize(embedding.detach(), dim=1).numpy().copy())
        frames["weights"].append(F.normalize(head.weight.detach(), dim=1).numpy().copy())
        frames["losses"].append(value)
        frames["accuracy"].append(float((logits.argmax(dim=1) == y).float().mean()))
        if callback is not None:
            callback(step, steps)

    for step in range(steps + 1):
        embedding = body(x)  # (N, 2)
        logits = head(embedding)  # (N, C): cosines or linear logits
        value = criterion(logits, y)
        if step % record_every == 0 or step == steps:
            snapshot(step, float(value.detach()), logits.detach(), embedding)
        if step == steps:
            break
        optimiser.zero_grad()
        value.backward()
        optimiser.step()
    points = np.stack(frames["points"])
    labels = y.numpy().copy()
    spreads = np.array([angular_spread(p, labels, num_classes) for p in points])
    return ToyRun(
        loss=loss,
        steps=np.asarray(frames["steps"]),
        points=points,
        weights=np.stack(frames["weights"]),
        labels=labels,
        losses=np.asarray(frames["losses"]),
        accuracy=np.asarray(frames["accuracy"]),
        intra=spreads[:, 0],
        inter=spreads[:, 1],
        gap=spreads[:, 2],
    )
