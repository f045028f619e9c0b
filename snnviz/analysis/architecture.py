"""A model card's architecture table: every spiking layer with its shape and neuron count."""

from __future__ import annotations

from typing import Any

import torch

from snnviz.recording import Recorder

__all__ = ["architecture_summary"]


def architecture_summary(model: Any, audio_shape: tuple[int, ...], image_shape: tuple[int, ...]) -> dict[str, Any]:
    """Describe ``model``: its spiking layers (in forward order) and its size.

    Runs one forward pass on zero inputs of the given per-sample shapes under a
    :class:`~snnviz.recording.Recorder` to learn each layer's feature-map shape.

    Parameters
    ----------
    model : AVSpikeNet
    audio_shape : tuple
        Per-sample audio input shape, e.g. ``(1, 40, 63)``.
    image_shape : tuple
        Per-sample image input shape, e.g. ``(1, 8, 8)``.

    Returns
    -------
    dict
        ``layers``: list of ``{"layer", "branch", "shape", "neurons"}``; ``neurons``
        (total spiking neurons), ``parameters``, ``num_steps``, ``embed_dim``.
    """
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode(), Recorder(model, max_neurons=1, membrane=False) as rec:
            model(torch.zeros(1, *audio_shape, device=device), torch.zeros(1, *image_shape, device=device))
    finally:
        model.train(was_training)
    layers = [
        {"layer": name, "branch": layer.branch, "shape": "×".join(str(s) for s in layer.shape),
         "neurons": layer.num_neurons}
        for name, layer in rec.recording.layers.items()
    ]
    cfg = model.config
    return {
        "layers": layers,
        "neurons": sum(row["neurons"] for row in layers),
        "parameters": sum(p.numel() for p in model.parameters()),
        "num_steps": cfg.num_steps,
        "embed_dim": cfg.embed_dim,
    }
