"""Small building blocks shared by the branches: time folding and input encoding.

Every stateless layer (conv, linear, batch norm, pooling) is applied to the whole
sequence at once by folding time into the batch: ``(T, B, ...) -> (T*B, ...)``.
Only the neurons loop over time. This is exact for feed-forward networks and
much faster than calling every layer once per step.
"""

from __future__ import annotations

import torch
from snntorch import spikegen
from torch import nn

__all__ = ["SeqWrap", "encode", "fold", "unfold"]


def fold(x: torch.Tensor) -> torch.Tensor:
    """``(T, B, ...) -> (T*B, ...)``."""
    return x.flatten(0, 1)


def unfold(x: torch.Tensor, steps: int) -> torch.Tensor:
    """``(T*B, ...) -> (T, B, ...)``."""
    return x.unflatten(0, (steps, x.shape[0] // steps))


class SeqWrap(nn.Module):
    """Apply a stateless module to every time step of a ``(T, B, ...)`` sequence at once."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return unfold(self.module(fold(x)), x.shape[0])


def encode(x: torch.Tensor, steps: int, encoding: str = "direct", *, seed: int = 0) -> torch.Tensor:
    """Turn a static input ``(B, ...)`` into a sequence ``(T, B, ...)``.

    ``"direct"`` repeats the analogue input as a constant current at every step
    (a view, no copy). ``"rate"`` draws Bernoulli spikes with probability equal
    to the input clamped to [0, 1] (``snntorch.spikegen.rate``); outside training
    the draw is seeded so the same input always gives the same spikes.
    """
    if encoding == "direct":
        return x.unsqueeze(0).expand(steps, *x.shape)
    if encoding == "rate":
        data = x.clamp(0.0, 1.0)
        if torch.is_grad_enabled() and x.requires_grad:
            return spikegen.rate(data, num_steps=steps)
        devices = [x.device] if x.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            return spikegen.rate(data, num_steps=steps)
    raise ValueError(f"The 'encoding' parameter must be 'direct' or 'rate'. Got {encoding!r}.")
