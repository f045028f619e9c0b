"""Training: presets, the loop (single process or torchrun/DDP) and resumable state."""

from snnviz.training.loop import TrainResult, evaluate_accuracy, load_splits, train
from snnviz.training.presets import PRESETS, Recipe, apply_overrides, get_preset, recipe_from_dict

__all__ = ["train", "evaluate_accuracy", "load_splits", "TrainResult", "PRESETS", "Recipe", "get_preset",
           "apply_overrides", "recipe_from_dict"]
