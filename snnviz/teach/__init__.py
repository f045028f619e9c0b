"""Teaching toys for the Learn page: one LIF neuron, spike encodings, surrogate gradients, margins on the circle.

Everything here runs the project's real code paths — the models' ``LIFLayer``,
``snntorch.spikegen``, snnTorch's surrogate autograd functions and
:mod:`snnviz.losses` — on inputs small enough to answer a slider in a blink.
"""

from snnviz.teach.encodings import ENCODINGS, Encoding, encode
from snnviz.teach.lif import INPUT_SHAPES, LIFTrace, input_current, simulate_lif
from snnviz.teach.margins import (
    LOSS_NAMES,
    RegionMap,
    class_angles,
    loss_params,
    margin_boundary,
    margin_regions,
    margin_scores,
    target_loss_curve,
)
from snnviz.teach.surrogates import SURROGATES, SurrogateCurve, surrogate_curve
from snnviz.teach.toy import ToyRun, angular_spread, toy_dataset, train_toy

__all__ = [
    "ENCODINGS", "Encoding", "encode",
    "INPUT_SHAPES", "LIFTrace", "input_current", "simulate_lif",
    "LOSS_NAMES", "RegionMap", "class_angles", "loss_params", "margin_boundary", "margin_regions", "margin_scores",
    "target_loss_curve",
    "SURROGATES", "SurrogateCurve", "surrogate_curve",
    "ToyRun", "angular_spread", "toy_dataset", "train_toy",
]  # fmt: skip
