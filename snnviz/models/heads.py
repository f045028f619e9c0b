"""Classifier heads over an embedding: cosine (for margin losses) and linear (softmax baseline)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["CosineHead", "make_head"]


class CosineHead(nn.Module):
    r"""Cosine classifier: ``logits[:, j] = cos θ_j = <x/|x|, w_j/|w_j|>``, in [-1, 1].

    The logits are unscaled cosines; margin losses (:mod:`snnviz.losses`) add the
    margin and the scale ``s``.

    Shapes: input ``(B, D)`` → output ``(B, C)``.
    """

    def __init__(self, in_features: int, num_classes: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(num_classes, in_features))
        nn.init.xavier_uniform_(self.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(F.normalize(x, dim=-1), F.normalize(self.weight, dim=-1))

    def extra_repr(self) -> str:
        return f"in_features={self.weight.shape[1]}, num_classes={self.weight.shape[0]}"


def make_head(kind: str, in_features: int, num_classes: int) -> nn.Module:
    """Return a ``CosineHead`` (``kind="cosine"``) or an ``nn.Linear`` (``kind="linear"``)."""
    if kind == "cosine":
        return CosineHead(in_features, num_classes)
    if kind == "linear":
        return nn.Linear(in_features, num_classes)
    raise ValueError(f"The 'head' parameter must be 'cosine' or 'linear'. Got {kind!r}.")
