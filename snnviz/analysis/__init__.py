"""Analysis of trained models: embeddings, hypersphere metrics, projection to the sphere, activity, disk cache.

Names are imported lazily, so ``import snnviz.analysis`` stays cheap (umap-learn
is only imported when a projection of D > 3 embeddings is fitted)::

    from snnviz.analysis import extract_embeddings, sphere_metrics, SphereProjection
    emb = extract_embeddings(model, dataset, cache=True)
    metrics = sphere_metrics(emb.embeddings["fused"], emb.labels, class_names=emb.classes)
    proj = SphereProjection().fit(emb.embeddings["fused"])
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "EmbeddingSet": "snnviz.analysis.embeddings",
    "extract_embeddings": "snnviz.analysis.embeddings",
    "SphereMetrics": "snnviz.analysis.sphere",
    "sphere_metrics": "snnviz.analysis.sphere",
    "classification_margins": "snnviz.analysis.sphere",
    "knn_accuracy": "snnviz.analysis.sphere",
    "SphereProjection": "snnviz.analysis.projection",
    "project_cached": "snnviz.analysis.projection",
    "knn_preservation": "snnviz.analysis.projection",
    "DiskCache": "snnviz.analysis.cache",
    "model_fingerprint": "snnviz.analysis.cache",
    "layer_activity": "snnviz.analysis.activity",
    "split_activity": "snnviz.analysis.activity",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'snnviz.analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
