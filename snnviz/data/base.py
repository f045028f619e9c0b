"""The interface every snnviz dataset implements.

A dataset is a :class:`torch.utils.data.Dataset` of audio-visual pairs whose
items are exactly what a model takes once batched::

    {"audio": Tensor (1, n_mels, frames), "image": Tensor (C, H, W), "label": int}

and whose :meth:`AVDataset.raw` returns the same sample for people: the image
and waveform that were fed, the sample rate, label, class name, a stable
sample id and metadata.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from snnviz.config import AudioConfig, ImageConfig
from snnviz.errors import ConfigError

__all__ = ["AVDataset", "check_options", "check_split"]

SPLITS = ("train", "test")


def check_split(split: str, allowed: tuple[str, ...] = SPLITS) -> str:
    """Validate a split name."""
    if split not in allowed:
        raise ConfigError(f"The 'split' parameter must be one of {', '.join(allowed)}. Got {split!r}.")
    return split


def check_options(dataset: str, options: Mapping[str, Any], valid: tuple[str, ...]) -> None:
    """Reject options that ``dataset`` does not know, listing the valid ones."""
    unknown = sorted(set(options) - set(valid))
    if unknown:
        raise ConfigError(
            f"Unknown option(s) for dataset '{dataset}': {', '.join(unknown)}. Valid options are: {', '.join(valid)}."
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


class AVDataset(Dataset):
    """Base class of the audio-visual datasets.

    Subclasses set the attributes below in ``__init__`` and implement
    :meth:`__getitem__` and :meth:`raw`.

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"av-digits"``.
    split : str
    classes : list of str
    labels : np.ndarray of int64, shape (len(self),)
        Label of every item, available without loading any item.
    sample_ids : list of str
        Stable, unique id of every item.
    options : dict
        JSON-able options the dataset was built with (corruption, seed, ...).
    audio_config : AudioConfig
    image_config : ImageConfig
    """

    name: str = ""
    split: str = "train"
    classes: list[str]
    labels: np.ndarray
    sample_ids: list[str]
    options: dict[str, Any]
    audio_config: AudioConfig
    image_config: ImageConfig

    def __len__(self) -> int:
        return int(len(self.labels))

    def __getitem__(self, index: int) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def raw(self, index: int) -> dict[str, Any]:  # pragma: no cover - abstract
        """Return the sample for display (see the module docstring)."""
        raise NotImplementedError

    def _index(self, index: int) -> int:
        i = int(index)
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"Index {index} is out of range for the {n} items of {self.name} ({self.split}).")
        return i

    def fingerprint(self) -> str:
        """A short hex digest of name, split, options and feature configs (for caches)."""
        payload = {
            "name": self.name,
            "split": self.split,
            "options": _jsonable(self.options),
            "audio": self.audio_config.to_dict(),
            "image": self.image_config.to_dict(),
            "n": len(self),
        }
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def class_counts(self) -> dict[str, int]:
        """Number of items per class name (classes with no item included)."""
        counts = np.bincount(self.labels, minlength=len(self.classes)) if len(self) else np.zeros(len(self.classes))
        return {c: int(n) for c, n in zip(self.classes, counts)}

    def describe(self) -> dict[str, Any]:
        """A JSON-able summary: name, split, size, classes, counts, options."""
        return {
            "name": self.name,
            "split": self.split,
            "size": len(self),
            "classes": list(self.classes),
            "class_counts": self.class_counts(),
            "options": _jsonable(self.options),
            "fingerprint": self.fingerprint(),
        }

    def batch(self, indices: Any) -> dict[str, torch.Tensor]:
        """Stack the items at ``indices`` into model-ready batch tensors."""
        items = [self[int(i)] for i in indices]
        return {
            "audio": torch.stack([it["audio"] for it in items]),
            "image": torch.stack([it["image"] for it in items]),
            "label": torch.tensor([it["label"] for it in items], dtype=torch.long),
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, split={self.split!r}, size={len(self)})"
