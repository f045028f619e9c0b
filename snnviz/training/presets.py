"""Training presets: one place that names every recipe ``snnviz train --preset`` knows.

A preset is a :class:`~snnviz.config.ModelConfig` plus a
:class:`~snnviz.config.TrainConfig`. Overrides use ``model.<field>=value`` for the
model, ``data.<option>=value`` for dataset options and ``<field>=value`` for
training, each parsed with the field's own type.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from snnviz.config import ModelConfig, TrainConfig, parse_value
from snnviz.errors import ConfigError

__all__ = ["PRESETS", "Recipe", "get_preset", "apply_overrides", "recipe_from_dict"]


@dataclasses.dataclass(frozen=True)
class Recipe:
    """A model and how to train it."""

    model: ModelConfig
    train: TrainConfig
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model.to_dict(), "train": self.train.to_dict(), "description": self.description}


_RESNET = {"visual": "resnet18", "image_channels": 3, "feature_dim": 256, "embed_dim": 128}

PRESETS: dict[str, Recipe] = {
    "avdigits-arcface": Recipe(
        ModelConfig(),
        TrainConfig(loss="arcface", scale=16.0, margin=0.15, num_workers=1),
        "AV-Digits, the paper's recipe: L2-normalised 64-d embeddings, cosine heads, ArcFace.",
    ),
    "avdigits-softmax": Recipe(
        ModelConfig(head="linear", normalize=False),
        TrainConfig(loss="softmax", num_workers=1),
        "AV-Digits baseline: the same network with plain linear heads, softmax cross-entropy, no normalisation.",
    ),
    "avdigits-sphere3d": Recipe(
        ModelConfig(embed_dim=3),
        TrainConfig(loss="arcface", scale=16.0, margin=0.2, num_workers=1),
        "AV-Digits with 3-d embeddings: the true sphere S^2, no projection needed.",
    ),
    "cifar10av-resnet18-arcface": Recipe(
        ModelConfig(**_RESNET, image_size=32, num_steps=4),
        TrainConfig(
            dataset="cifar10-av",
            loss="arcface",
            scale=32.0,
            margin=0.3,
            epochs=100,
            batch_size=128,
            lr=1e-3,
            weight_decay=5e-4,
        ),
        "CIFAR10-AV (local folder, --set root=PATH): spiking ResNet-18 (L2-ActSpikeNet) + audio SNN + SMLP, ArcFace.",
    ),
    "us8kav-resnet18-arcface": Recipe(
        ModelConfig(**_RESNET, image_size=64, num_steps=4),
        TrainConfig(
            dataset="urbansound8k-av",
            loss="arcface",
            scale=32.0,
            margin=0.3,
            epochs=100,
            batch_size=64,
            lr=1e-3,
            weight_decay=5e-4,
        ),
        "UrbanSound8K-AV (local folder via --set root=PATH): spiking ResNet-18 at 64x64 + audio SNN + SMLP, ArcFace.",
    ),
}


def get_preset(name: str) -> Recipe:
    """Return the preset ``name``; an unknown name lists the valid ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(f"Unknown preset {name!r}. Valid presets: {', '.join(PRESETS)}.") from None


def _valid_keys() -> list[str]:
    return (
        [f.name for f in dataclasses.fields(TrainConfig)]
        + [f"model.{f.name}" for f in dataclasses.fields(ModelConfig)]
        + ["data.<option>"]
    )


def apply_overrides(recipe: Recipe, overrides: Iterable[str]) -> Recipe:
    """Apply ``key=value`` overrides (``--set``) to a recipe, type-checked per field.

    Raises
    ------
    ConfigError
        For a malformed item, an unknown key (the message lists the valid keys) or a bad value.
    """
    model_changes: dict[str, Any] = {}
    train_changes: dict[str, Any] = {}
    data_changes: dict[str, Any] = {}
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"An override must look like key=value. Got {item!r}.")
        key, text = (part.strip() for part in item.split("=", 1))
        try:
            if key.startswith("model."):
                model_changes[key[6:]] = parse_value(ModelConfig, key[6:], text)
            elif key.startswith("data."):
                data_changes[key[5:]] = _parse_data_value(text)
            else:
                train_changes[key] = parse_value(TrainConfig, key, text)
        except ConfigError as err:
            if "Unknown" in str(err):
                raise ConfigError(f"Unknown setting {key!r}. Valid keys are: {', '.join(_valid_keys())}.") from None
            raise
    train = recipe.train
    if data_changes:
        train_changes["dataset_options"] = {**train.dataset_options, **data_changes}
    return Recipe(recipe.model.replace(**model_changes), train.replace(**train_changes), recipe.description)


def _parse_data_value(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text  # a bare word, e.g. data.preset=clean


def recipe_from_dict(data: dict[str, Any]) -> Recipe:
    """Build a recipe from ``{"model": {...}, "train": {...}}`` (a ``--config`` JSON file)."""
    if not isinstance(data, dict):
        raise ConfigError("A training config file must hold a JSON object with 'model' and 'train' keys.")
    unknown = sorted(set(data) - {"model", "train", "description", "preset"})
    if unknown:
        raise ConfigError(
            f"Unknown key(s) in the training config: {', '.join(unknown)}. Valid: preset, model, train, description."
        )
    base = get_preset(data["preset"]) if "preset" in data else Recipe(ModelConfig(), TrainConfig())
    model = base.model.replace(**data.get("model", {})) if data.get("model") else base.model
    train = base.train.replace(**data.get("train", {})) if data.get("train") else base.train
    return Recipe(model, train, data.get("description", base.description))
