"""snnviz: a browser lab for trained multi-modal (audio + visual) spiking neural networks.

The public API, imported lazily so ``import snnviz`` stays cheap::

    import snnviz
    model = snnviz.build_model(snnviz.ModelConfig())
    with snnviz.Recorder(model) as rec:
        out = model(audio, image)
    snnviz.save_checkpoint(model, "m.safetensors", meta={...})
    model, meta = snnviz.load_checkpoint("m.safetensors")
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "ModelConfig": "snnviz.config",
    "AudioConfig": "snnviz.config",
    "ImageConfig": "snnviz.config",
    "SnnvizError": "snnviz.errors",
    "ConfigError": "snnviz.errors",
    "CheckpointError": "snnviz.errors",
    "DataError": "snnviz.errors",
    "AudioError": "snnviz.errors",
    "ImageError": "snnviz.errors",
    "RecordingError": "snnviz.errors",
    "resolve_device": "snnviz.device",
    "available_devices": "snnviz.device",
    "AVSpikeNet": "snnviz.models",
    "AVOutput": "snnviz.models",
    "build_model": "snnviz.models",
    "make_loss": "snnviz.losses",
    "save_checkpoint": "snnviz.checkpoint",
    "load_checkpoint": "snnviz.checkpoint",
    "Recorder": "snnviz.recording",
    "Recording": "snnviz.recording",
    "load_dataset": "snnviz.data",
    "extract_embeddings": "snnviz.analysis.embeddings",
    "sphere_metrics": "snnviz.analysis.sphere",
    "SphereProjection": "snnviz.analysis.projection",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'snnviz' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
