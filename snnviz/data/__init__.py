"""Datasets, audio features and image inputs.

>>> from snnviz.data import load_dataset
>>> ds = load_dataset("av-digits", split="test")
>>> batch = ds.batch(range(4))          # {"audio": (4, 1, 40, 63), "image": (4, 1, 8, 8), "label": (4,)}
"""

from snnviz.data.audio import (
    fix_length,
    load_audio_for_model,
    log_mel,
    read_audio,
    resample,
    to_mono,
    waveform_to_features,
    write_audio,
)
from snnviz.data.base import AVDataset
from snnviz.data.images import image_to_tensor, read_image
from snnviz.data.registry import available_datasets, load_dataset, register_dataset

__all__ = [
    "AVDataset",
    "load_dataset",
    "available_datasets",
    "register_dataset",
    "read_audio",
    "write_audio",
    "to_mono",
    "resample",
    "fix_length",
    "log_mel",
    "waveform_to_features",
    "load_audio_for_model",
    "read_image",
    "image_to_tensor",
]
