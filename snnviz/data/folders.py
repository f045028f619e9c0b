"""Paired folders of images and sounds: CIFAR10-AV, UrbanSound8K-AV and any such tree.

Layout: ``vision_dir/<class>/<name>.<image ext>`` and
``audio_dir/<class>/<name>.<audio ext>``. Within a class, files are paired by
basename (``cat_001.png`` with ``cat_001.wav``); a class whose basenames share
nothing is paired by sorted order instead (``pairing="auto"``, the default;
``"basename"`` or ``"order"`` force one rule). The rule used is in each
sample's metadata.

Both CIFAR10-AV and UrbanSound8K-AV (Guo et al., SMMT, IEEE TCDS 2024) come
without an official split; the default follows the published code: per class,
pairs sorted by name, the first 70% train and the last 30% test
(``split_mode="ordered"``). ``split_mode="random"`` draws a seeded 70/30 instead.

Nothing is dropped silently: files without a partner, files with unknown
extensions, unreadable files (headers are checked when ``verify=True``, the
default), class folders present on one side only and classes left without
pairs are counted in :attr:`PairedFolders.report` and announced with a
:class:`UserWarning`.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from snnviz.config import AudioConfig, ImageConfig
from snnviz.data.audio import AUDIO_EXTENSIONS, audio_info, load_audio_for_model
from snnviz.data.base import AVDataset, check_options, check_split
from snnviz.data.images import IMAGE_EXTENSIONS, image_to_tensor, read_image
from snnviz.errors import AudioError, ConfigError, DataError

__all__ = ["PairedFolders", "ScanReport", "CIFAR10_CLASSES", "URBANSOUND_CLASSES", "cifar10_av", "urbansound8k_av"]

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
URBANSOUND_CLASSES = ["air_conditioner", "car_horn", "children_playing", "dog_bark", "drilling", "engine_idling",
                      "gun_shot", "jackhammer", "siren", "street_music"]
CIFAR_IMAGE_CONFIG = ImageConfig(size=32, channels=3, mean=(0.4914, 0.4822, 0.4465), std=(0.2470, 0.2435, 0.2616))
IMAGENET_IMAGE_CONFIG = ImageConfig(size=64, channels=3, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))
URBANSOUND_AUDIO_CONFIG = AudioConfig(duration=4.0, hop_length=512)  # UrbanSound clips last up to 4 s
VALID_OPTIONS = ("split_mode", "train_fraction", "seed", "pairing", "verify")


@dataclass
class ScanReport:
    """What a folder scan kept and dropped, and why."""

    pairs: int = 0
    dropped: Counter = field(default_factory=Counter)  # reason -> count of files
    examples: dict[str, list[str]] = field(default_factory=dict)  # reason -> a few relative paths
    pairing: dict[str, str] = field(default_factory=dict)  # class -> "basename" | "order"

    def drop(self, reason: str, path: str, n: int = 1) -> None:
        self.dropped[reason] += n
        self.examples.setdefault(reason, [])
        if len(self.examples[reason]) < 3:
            self.examples[reason].append(path)

    def summary(self) -> str:
        """One line per reason, e.g. ``"2 image file(s) without an audio partner (e.g. cat/x.png)"``."""
        lines = [f"{n} {reason} (e.g. {', '.join(self.examples.get(reason, []))})"
                 for reason, n in sorted(self.dropped.items())]
        return "; ".join(lines)


def _list_files(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")), key=lambda p: p.name)


def _readable(path: Path, kind: str) -> bool:
    if kind == "audio":
        try:
            return audio_info(path)["frames"] > 0
        except AudioError:
            return False
    from PIL import Image

    try:
        with Image.open(path) as img:
            img.verify()
        return True
    except Exception:  # noqa: BLE001 - any decoding failure means "unreadable"
        return False


class PairedFolders(AVDataset):
    """A dataset of image/audio pairs read from two class-structured folders.

    Parameters
    ----------
    vision_dir, audio_dir : path
        Roots holding one sub-folder per class.
    split : {"train", "test", "all"}
    classes : list of str, optional
        Expected class folders (label order). Default: the sorted folders found
        on both sides.
    audio : AudioConfig, optional
    image : ImageConfig, optional
        Default 32x32 RGB with CIFAR statistics.
    name : str
        Name reported by the dataset (``"paired-folders"`` by default).
    **options
        ``split_mode`` ("ordered" or "random"), ``train_fraction`` (0.7),
        ``seed`` (0, for ``split_mode="random"``), ``pairing`` ("auto",
        "basename" or "order"), ``verify`` (True: check every file's header).

    Raises
    ------
    DataError
        If a root is missing or no pair at all is found.
    """

    def __init__(self, vision_dir: str | Path, audio_dir: str | Path, split: str = "train", *,
                 classes: list[str] | None = None, audio: AudioConfig | None = None,
                 image: ImageConfig | None = None, name: str = "paired-folders", **options: Any) -> None:
        self.name = name
        self.split = check_split(split, ("train", "test", "all"))
        self.audio_config = audio or AudioConfig()
        self.image_config = image or CIFAR_IMAGE_CONFIG
        self.options = self._resolve(options)
        self.vision_dir, self.audio_dir = Path(vision_dir), Path(audio_dir)
        self.options.update(vision_dir=str(self.vision_dir), audio_dir=str(self.audio_dir))  # part of fingerprint()
        for label, root in (("vision_dir", self.vision_dir), ("audio_dir", self.audio_dir)):
            if not root.is_dir():
                raise DataError(f"The '{label}' folder '{root}' does not exist.")
        self.report = ScanReport()
        self.classes = self._find_classes(classes)
        pairs = [self._pair_class(c) for c in self.classes]
        for c, found in zip(self.classes, pairs):
            if not found:
                self.report.drop("class(es) without any pair", c)
        self.report.pairs = sum(len(p) for p in pairs)
        if self.report.pairs == 0:
            raise DataError(f"No image/audio pairs found under '{self.vision_dir}' and '{self.audio_dir}'"
                            + (f": {self.report.summary()}." if self.report.dropped else "."))
        if self.report.dropped:
            warnings.warn(f"{self.name}: kept {self.report.pairs} pairs; dropped {self.report.summary()}.",
                          UserWarning, stacklevel=2)
        self._items = self._select(pairs)
        self.labels = np.array([label for label, _, _ in self._items], dtype=np.int64)
        self.sample_ids = [f"{self.classes[label]}/{img.stem}" for label, img, _ in self._items]

    @staticmethod
    def _resolve(options: dict[str, Any]) -> dict[str, Any]:
        check_options("paired-folders", options, VALID_OPTIONS)
        opts = {"split_mode": "ordered", "train_fraction": 0.7, "seed": 0, "pairing": "auto", "verify": True}
        opts.update(options)
        if opts["split_mode"] not in ("ordered", "random"):
            raise ConfigError(f"The 'split_mode' option must be one of ordered, random. Got {opts['split_mode']!r}.")
        if opts["pairing"] not in ("auto", "basename", "order"):
            raise ConfigError(f"The 'pairing' option must be one of auto, basename, order. Got {opts['pairing']!r}.")
        frac = opts["train_fraction"]
        if isinstance(frac, bool) or not isinstance(frac, (int, float)) or not 0 < frac < 1:
            raise ConfigError(f"The 'train_fraction' option must be a float in (0, 1). Got {frac!r}.")
        opts["train_fraction"] = float(frac)
        if isinstance(opts["seed"], bool) or not isinstance(opts["seed"], int):
            raise ConfigError(f"The 'seed' option must be an int. Got {opts['seed']!r}.")
        opts["verify"] = bool(opts["verify"])
        return opts

    def _find_classes(self, expected: list[str] | None) -> list[str]:
        vision = {p.name for p in self.vision_dir.iterdir() if p.is_dir() and not p.name.startswith(".")}
        audio = {p.name for p in self.audio_dir.iterdir() if p.is_dir() and not p.name.startswith(".")}
        if expected is None:
            for c in sorted(vision - audio):
                self.report.drop("class folder(s) with no audio folder", c)
            for c in sorted(audio - vision):
                self.report.drop("class folder(s) with no vision folder", c)
            return sorted(vision & audio)
        for c in expected:
            if c not in vision or c not in audio:
                side = "vision and audio" if c not in vision and c not in audio else "vision" if c not in vision \
                    else "audio"
                self.report.drop(f"expected class folder(s) missing on the {side} side", c)
        for c in sorted((vision | audio) - set(expected)):
            self.report.drop("unexpected class folder(s) ignored", c)
        return list(expected)

    def _files(self, folder: Path, exts: tuple[str, ...], kind: str, cls: str) -> list[Path]:
        if not folder.is_dir():
            return []
        kept = []
        for p in _list_files(folder):
            if p.suffix.lower() not in exts:
                self.report.drop(f"{kind} file(s) with an unknown extension", f"{cls}/{p.name}")
            elif self.options["verify"] and not _readable(p, kind):
                self.report.drop(f"unreadable {kind} file(s)", f"{cls}/{p.name}")
            else:
                kept.append(p)
        return kept

    def _pair_class(self, cls: str) -> list[tuple[Path, Path]]:
        images = self._files(self.vision_dir / cls, IMAGE_EXTENSIONS, "image", cls)
        sounds = self._files(self.audio_dir / cls, AUDIO_EXTENSIONS, "audio", cls)
        by_stem = {p.stem: p for p in sounds}
        common = [p for p in images if p.stem in by_stem]
        mode = self.options["pairing"]
        if mode == "auto":
            mode = "basename" if common or not (images and sounds) else "order"
        self.report.pairing[cls] = mode
        if mode == "order":
            n = min(len(images), len(sounds))
            for p in images[n:]:
                self.report.drop("image file(s) beyond the audio count (order pairing)", f"{cls}/{p.name}")
            for p in sounds[n:]:
                self.report.drop("audio file(s) beyond the image count (order pairing)", f"{cls}/{p.name}")
            return list(zip(images[:n], sounds[:n]))
        paired_stems = {p.stem for p in common}
        for p in images:
            if p.stem not in paired_stems:
                self.report.drop("image file(s) without an audio partner", f"{cls}/{p.name}")
        for p in sounds:
            if p.stem not in paired_stems:
                self.report.drop("audio file(s) without an image partner", f"{cls}/{p.name}")
        return [(p, by_stem[p.stem]) for p in common]

    def _select(self, pairs: list[list[tuple[Path, Path]]]) -> list[tuple[int, Path, Path]]:
        out = []
        for label, found in enumerate(pairs):
            found = sorted(found, key=lambda pair: pair[0].name)
            n_train = int(round(len(found) * self.options["train_fraction"]))
            order = np.arange(len(found))
            if self.options["split_mode"] == "random":
                order = np.random.default_rng([self.options["seed"], label]).permutation(len(found))
            chosen = {"train": order[:n_train], "test": order[n_train:], "all": order}[self.split]
            out.extend((label, *found[j]) for j in sorted(chosen))
        return out

    def _load(self, i: int) -> tuple[np.ndarray, torch.Tensor, np.ndarray, list[str]]:
        _, img_path, wav_path = self._items[i]
        image = read_image(img_path)
        feats, wave, notices = load_audio_for_model(wav_path, self.audio_config)
        return image, feats, wave, notices

    def __getitem__(self, index: int) -> dict[str, Any]:
        i = self._index(index)
        image, feats, _, _ = self._load(i)
        return {"audio": feats, "image": image_to_tensor(image, self.image_config), "label": int(self.labels[i])}

    def raw(self, index: int) -> dict[str, Any]:
        """The sample for display: the decoded image and the clip as fed (mono, resampled, padded/cropped)."""
        i = self._index(index)
        label, img_path, wav_path = self._items[i]
        image, _, wave, notices = self._load(i)
        meta = {
            "image_file": str(img_path.relative_to(self.vision_dir)),
            "audio_file": str(wav_path.relative_to(self.audio_dir)),
            "pairing": self.report.pairing.get(self.classes[label], "basename"),
            "audio_notices": notices,
        }
        return {"image": image, "waveform": wave, "sample_rate": self.audio_config.sample_rate, "label": int(label),
                "class_name": self.classes[label], "sample_id": self.sample_ids[i], "meta": meta}

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["dropped"] = dict(self.report.dropped)
        out["pairing"] = dict(self.report.pairing)
        return out

    def audio_files(self) -> list[Path]:
        """Paths of the audio files of every item (for duration statistics)."""
        return [wav for _, _, wav in self._items]


def _root(root: str | Path | None, dataset: str) -> Path:
    if root is None:
        raise ConfigError(f"The dataset '{dataset}' needs root=PATH, the folder that holds it.")
    return Path(root)


def cifar10_av(split: str = "train", *, root: str | Path | None = None, audio: AudioConfig | None = None,
               image: ImageConfig | None = None, **options: Any) -> PairedFolders:
    """CIFAR10-AV: ``ROOT/vision/<class>/*.png`` with ``ROOT/audio/<class>/*.wav``."""
    base = _root(root, "cifar10-av")
    return PairedFolders(base / "vision", base / "audio", split, classes=CIFAR10_CLASSES, audio=audio,
                         image=image or CIFAR_IMAGE_CONFIG, name="cifar10-av", **options)


def urbansound8k_av(split: str = "train", *, root: str | Path | None = None, audio: AudioConfig | None = None,
                    image: ImageConfig | None = None, **options: Any) -> PairedFolders:
    """UrbanSound8K-AV: ``ROOT/Dataset_v3_vision/<class>/*.jpg`` with ``ROOT/Dataset_v3_sound/<class>/*.wav``."""
    base = _root(root, "urbansound8k-av")
    return PairedFolders(base / "Dataset_v3_vision", base / "Dataset_v3_sound", split, classes=URBANSOUND_CLASSES,
                         audio=audio or URBANSOUND_AUDIO_CONFIG, image=image or IMAGENET_IMAGE_CONFIG,
                         name="urbansound8k-av", **options)
