"""Spiking network models: neurons, branches, fusion, heads and the AVSpikeNet."""

from snnviz.models.avnet import MODALITIES, AVOutput, AVSpikeNet, build_model
from snnviz.models.heads import CosineHead
from snnviz.models.neurons import LIFLayer, make_leaky, make_surrogate

__all__ = [
    "AVOutput",
    "AVSpikeNet",
    "build_model",
    "MODALITIES",
    "CosineHead",
    "LIFLayer",
    "make_leaky",
    "make_surrogate",
]
