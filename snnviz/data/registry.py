"""Dataset registry: ``load_dataset(name, split, **options)``.

Built in:

* ``"av-digits"`` -- handwritten + spoken digits, bundled (:mod:`snnviz.data.avdigits`);
* ``"cifar10-av"`` and ``"urbansound8k-av"`` -- the paper's datasets, read from
  a local folder given as ``root=PATH`` (:mod:`snnviz.data.folders`);
* ``"paired-folders"`` -- any ``vision_dir``/``audio_dir`` pair of class folders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from snnviz.config import AudioConfig, ImageConfig
from snnviz.data.base import AVDataset
from snnviz.errors import ConfigError

__all__ = ["load_dataset", "available_datasets", "register_dataset", "dataset_description"]

_REGISTRY: dict[str, tuple[Callable[..., AVDataset], str]] = {}


def register_dataset(name: str, factory: Callable[..., AVDataset], description: str = "") -> None:
    """Make ``factory(split, *, audio=None, image=None, **options)`` loadable as ``name``."""
    if not isinstance(name, str) or not name:
        raise ConfigError(f"A dataset name must be a non-empty string. Got {name!r}.")
    _REGISTRY[name] = (factory, description)


def available_datasets() -> list[str]:
    """Names accepted by :func:`load_dataset`, in registration order."""
    return list(_REGISTRY)


def dataset_description(name: str) -> str:
    """The one-line description a dataset was registered with."""
    return _lookup(name)[1]


def _lookup(name: str) -> tuple[Callable[..., AVDataset], str]:
    if name not in _REGISTRY:
        raise ConfigError(f"The 'name' parameter must be one of {', '.join(_REGISTRY)}. Got {name!r}.")
    return _REGISTRY[name]


def load_dataset(name: str, split: str = "train", *, audio: AudioConfig | None = None,
                 image: ImageConfig | None = None, **options: Any) -> AVDataset:
    """Load a dataset split whose items feed ``model(audio, image)`` once batched.

    Parameters
    ----------
    name : str
        One of :func:`available_datasets`.
    split : {"train", "test"}
    audio : AudioConfig, optional
        Log-mel settings; each dataset has a default.
    image : ImageConfig, optional
        Image size/channels/normalisation; each dataset has a default.
    **options
        Dataset options, e.g. ``preset="clean"``, ``snr_db=(0, 10)`` for
        AV-Digits, ``root=PATH`` for the folder datasets.

    Returns
    -------
    AVDataset
        Items ``{"audio": (1, n_mels, frames), "image": (C, H, W), "label": int}``;
        ``raw(i)`` for display.

    Raises
    ------
    ConfigError
        For an unknown name, split or option.
    DataError
        If the data cannot be found or read.

    Examples
    --------
    >>> ds = load_dataset("av-digits", split="test", preset="clean")
    >>> len(ds) >= 1000, ds.classes[:3]
    (True, ['0', '1', '2'])
    """
    factory, _ = _lookup(name)
    return factory(split, audio=audio, image=image, **options)


def _av_digits(split: str, **kwargs: Any) -> AVDataset:
    from snnviz.data.avdigits import AVDigits

    return AVDigits(split, **kwargs)


def _cifar10_av(split: str, **kwargs: Any) -> AVDataset:
    from snnviz.data.folders import cifar10_av

    return cifar10_av(split, **kwargs)


def _urbansound8k_av(split: str, **kwargs: Any) -> AVDataset:
    from snnviz.data.folders import urbansound8k_av

    return urbansound8k_av(split, **kwargs)


def _paired_folders(split: str, *, vision_dir: Any = None, audio_dir: Any = None, **kwargs: Any) -> AVDataset:
    from snnviz.data.folders import PairedFolders

    if vision_dir is None or audio_dir is None:
        raise ConfigError("The dataset 'paired-folders' needs vision_dir=PATH and audio_dir=PATH.")
    return PairedFolders(vision_dir, audio_dir, split, **kwargs)


register_dataset("av-digits", _av_digits, "handwritten digits (scikit-learn) + spoken digits (72 espeak-ng voices)")
register_dataset("cifar10-av", _cifar10_av, "CIFAR-10 images + class sounds (Guo et al., 2024); needs root=PATH")
register_dataset("urbansound8k-av", _urbansound8k_av,
                 "UrbanSound8K sounds + matching images (Guo et al., 2024); needs root=PATH")
register_dataset("paired-folders", _paired_folders, "any vision_dir/<class>/* paired with audio_dir/<class>/*")
