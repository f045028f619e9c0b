"""AV-Digits: handwritten digits paired with spoken digits, corrupted so fusion matters.

Images are the 1,797 real 8x8 handwritten digits that scikit-learn ships
(``sklearn.datasets.load_digits``), split 80/20 stratified with a fixed seed
(1,437 train / 360 test). Pixels are divided by 16 into [0, 1].

Audio clips are the words "zero" ... "nine" spoken by 72 synthetic espeak-ng
voices (8 English accents x 9 voice variants, each with its own rate and
pitch), committed as 16 kHz FLAC in ``assets/spoken_digits`` with a
``manifest.csv`` (see ``scripts/make_spoken_digits.py``). The split is
*speaker-independent*: 2 voices per accent (16 of 72, 22%) are held out for
the test split and never heard in training.

Pairing: every image is paired with ``pairs_per_image`` clips of the same digit
from its split's voices, chosen from a seeded permutation so that clips are
used evenly. Item ``k * n_images + j`` is image ``j`` with its ``k``-th clip.

Corruption (preset ``"default"``; ``preset="clean"`` turns it off), drawn per
sample from a generator seeded by ``(seed, split, index)`` so the same index
always gives the same sample:

* audio: the clip is placed at a random offset in the 1 s window, then white
  Gaussian noise is added at an SNR drawn uniformly from ``snr_db`` (dB, relative
  to the speech power);
* image: one ``occlusion x occlusion`` pixel square is blanked at a random
  position, then Gaussian pixel noise of std ``image_noise`` is added and the
  result clipped to [0, 1].

The defaults (``snr_db=(-4, 8)``, ``image_noise=0.2``, ``occlusion=3``) are
chosen so that either modality alone is clearly imperfect while the pair is
nearly always decidable: small CNNs reach about 89% on images and 90% on audio
of the test split, and 98.5% when their log-probabilities are summed
(``bench/data_baseline.py``; logistic regressions: 78% pixels, 77% mean
log-mel, 92% both). With ``augment=True`` (train split
only) every access draws fresh corruption; :meth:`AVDigits.raw` always shows
the deterministic version.
"""

from __future__ import annotations

import csv
import functools
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from snnviz.config import AudioConfig, ImageConfig
from snnviz.data.audio import log_mel, read_audio, resample, to_mono
from snnviz.data.base import AVDataset, check_options, check_split
from snnviz.data.corruption import add_noise_at_snr, corrupt_image, place_clip, sample_rng
from snnviz.data.images import image_to_tensor
from snnviz.errors import ConfigError, DataError

__all__ = ["AVDigits", "PRESETS", "CLASSES", "spoken_digits_dir", "read_manifest", "test_voices"]

CLASSES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
IMAGE_SPLIT_SEED = 0  # fixed: the image split never changes with the pairing/corruption seed
VOICE_SPLIT_SEED = 0
TEST_VOICES_PER_ACCENT = 2
OFFSETS = ("random", "center", "start")

#: Corruption presets; explicit options override them.
PRESETS: dict[str, dict[str, Any]] = {
    "default": {"snr_db": (-4.0, 8.0), "image_noise": 0.2, "occlusion": 3},
    "clean": {"snr_db": None, "image_noise": 0.0, "occlusion": 0},
}
VALID_OPTIONS = ("preset", "snr_db", "image_noise", "occlusion", "pairs_per_image", "seed", "augment", "offset")
DEFAULT_IMAGE_CONFIG = ImageConfig(size=8, channels=1)


def spoken_digits_dir() -> Path:
    """Folder of the spoken-digit clips: ``$SNNVIZ_SPOKEN_DIGITS`` or the bundled ``assets/spoken_digits``."""
    env = os.environ.get("SNNVIZ_SPOKEN_DIGITS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "assets" / "spoken_digits"


def read_manifest(folder: Path | None = None) -> list[dict[str, Any]]:
    """Read ``manifest.csv``: one dict per clip (file, digit, voice, accent, variant, speed, pitch, duration)."""
    path = (folder or spoken_digits_dir()) / "manifest.csv"
    if not path.is_file():
        raise DataError(f"The spoken-digit manifest '{path}' is missing; run scripts/make_spoken_digits.py.")
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["digit"] = int(row["digit"])
        row["speed"], row["pitch"] = int(row["speed"]), int(row["pitch"])
        row["duration"] = float(row["duration"])
    return rows


def test_voices(manifest: list[dict[str, Any]]) -> set[str]:
    """The held-out voices: ``TEST_VOICES_PER_ACCENT`` per accent, chosen with a fixed seed."""
    by_accent: dict[str, list[str]] = {}
    for row in manifest:
        voices = by_accent.setdefault(row["accent"], [])
        if row["voice"] not in voices:
            voices.append(row["voice"])
    rng = np.random.default_rng(VOICE_SPLIT_SEED)
    held: set[str] = set()
    for accent in sorted(by_accent):
        voices = sorted(by_accent[accent])
        held.update(voices[i] for i in sorted(rng.choice(len(voices), TEST_VOICES_PER_ACCENT, replace=False)))
    return held


@functools.lru_cache(maxsize=4)
def _load_clips(folder: str, sample_rate: int) -> tuple[tuple[np.ndarray, ...], tuple[float, ...]]:
    """Decode every clip once per process (720 clips at 16 kHz are ~24 MB of float32)."""
    clips, powers = [], []
    for row in read_manifest(Path(folder)):
        wave, sr = read_audio(Path(folder) / row["file"])
        wave = to_mono(wave)
        if sr != sample_rate:
            wave = resample(wave, sr, sample_rate)
        wave.setflags(write=False)
        clips.append(wave)
        powers.append(float(np.mean(np.square(wave, dtype=np.float64))))
    return tuple(clips), tuple(powers)


@functools.lru_cache(maxsize=1)
def _digit_images() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Images in [0, 1], labels, and the fixed stratified 80/20 train/test indices."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)
    labels = digits.target.astype(np.int64)
    train, test = train_test_split(
        np.arange(len(labels)), test_size=0.2, stratify=labels, random_state=IMAGE_SPLIT_SEED
    )
    return images, labels, np.sort(train), np.sort(test)


def _resolve_options(split: str, options: dict[str, Any]) -> dict[str, Any]:
    check_options("av-digits", options, VALID_OPTIONS)
    preset = options.get("preset", "default")
    if preset not in PRESETS:
        raise ConfigError(f"The 'preset' option must be one of {', '.join(PRESETS)}. Got {preset!r}.")
    opts: dict[str, Any] = {"preset": preset, **PRESETS[preset], "pairs_per_image": 3, "seed": 0,
                            "augment": False, "offset": "random"}
    opts.update({k: v for k, v in options.items() if k != "preset"})
    snr = opts["snr_db"]
    if snr is not None:
        if isinstance(snr, (int, float)) and not isinstance(snr, bool):
            snr = (float(snr), float(snr))
        if not (isinstance(snr, (tuple, list)) and len(snr) == 2 and all(isinstance(s, (int, float)) for s in snr)
                and snr[0] <= snr[1]):
            raise ConfigError(f"The 'snr_db' option must be None, a number or a pair (low, high) with low <= high. "
                              f"Got {opts['snr_db']!r}.")
        snr = [float(snr[0]), float(snr[1])]
    opts["snr_db"] = snr
    noise = opts["image_noise"]
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise <= 1:
        raise ConfigError(f"The 'image_noise' option must be a float in [0, 1]. Got {noise!r}.")
    opts["image_noise"] = float(noise)
    for key, low, high in (("occlusion", 0, 8), ("pairs_per_image", 1, 16)):
        value = opts[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(f"The '{key}' option must be an int in [{low}, {high}]. Got {value!r}.")
    if isinstance(opts["seed"], bool) or not isinstance(opts["seed"], int):
        raise ConfigError(f"The 'seed' option must be an int. Got {opts['seed']!r}.")
    if not isinstance(opts["augment"], bool):
        raise ConfigError(f"The 'augment' option must be True or False. Got {opts['augment']!r}.")
    if opts["augment"] and split != "train":
        raise ConfigError(f"The 'augment' option is only for the train split. Got augment=True with split={split!r}.")
    if opts["offset"] not in OFFSETS:
        raise ConfigError(f"The 'offset' option must be one of {', '.join(OFFSETS)}. Got {opts['offset']!r}.")
    return opts


class AVDigits(AVDataset):
    """The AV-Digits dataset (see the module docstring).

    Parameters
    ----------
    split : {"train", "test"}
    audio : AudioConfig, optional
        Feature settings; default ``AudioConfig()`` -> audio ``(1, 40, 63)``.
    image : ImageConfig, optional
        Default ``ImageConfig(size=8, channels=1)`` -> image ``(1, 8, 8)``.
    **options
        ``preset`` ("default" or "clean"), ``snr_db`` (low, high) or None,
        ``image_noise`` (std in [0, 1]), ``occlusion`` (square side, pixels),
        ``pairs_per_image`` (default 3), ``seed`` (default 0), ``augment``
        (train only), ``offset`` ("random", "center" or "start").

    Examples
    --------
    >>> ds = AVDigits("test")
    >>> item = ds[0]
    >>> tuple(item["audio"].shape), tuple(item["image"].shape)
    ((1, 40, 63), (1, 8, 8))
    """

    name = "av-digits"

    def __init__(self, split: str = "train", *, audio: AudioConfig | None = None,
                 image: ImageConfig | None = None, **options: Any) -> None:
        self.split = check_split(split)
        self.audio_config = audio or AudioConfig()
        self.image_config = image or DEFAULT_IMAGE_CONFIG
        self.options = _resolve_options(split, options)
        self.classes = list(CLASSES)
        folder = spoken_digits_dir()
        self._manifest = read_manifest(folder)
        self._clips, self._powers = _load_clips(str(folder), self.audio_config.sample_rate)
        images, labels, train_idx, test_idx = _digit_images()
        self._images = images
        self._image_index = train_idx if split == "train" else test_idx
        held = test_voices(self._manifest)
        keep = [i for i, row in enumerate(self._manifest) if (row["voice"] in held) == (split == "test")]
        self.voices = sorted({self._manifest[i]["voice"] for i in keep})
        self._pair(labels, keep)

    def _pair(self, all_labels: np.ndarray, clip_ids: list[int]) -> None:
        k_pairs, seed = self.options["pairs_per_image"], self.options["seed"]
        img_labels = all_labels[self._image_index]
        clip_of = np.zeros((k_pairs, len(img_labels)), dtype=np.int64)
        for digit in range(len(CLASSES)):
            pool = np.array([c for c in clip_ids if self._manifest[c]["digit"] == digit])
            if len(pool) < k_pairs:
                raise ConfigError(f"The 'pairs_per_image' option must be <= {len(pool)} (clips of digit {digit} in "
                                  f"the {self.split} split). Got {k_pairs}.")
            perm = np.random.default_rng([seed, digit, len(pool)]).permutation(pool)
            where = np.flatnonzero(img_labels == digit)
            for rank, j in enumerate(where):
                for k in range(k_pairs):
                    clip_of[k, j] = perm[(rank * k_pairs + k) % len(pool)]
        self._clip_of = clip_of.reshape(-1)  # item k * n_images + j
        n_img = len(img_labels)
        self._img_of = np.tile(np.arange(n_img), k_pairs)
        self.labels = np.tile(img_labels, k_pairs).astype(np.int64)
        self.sample_ids = [
            f"img{int(self._image_index[j]):04d}-{Path(self._manifest[c]['file']).stem}"
            for j, c in zip(self._img_of, self._clip_of)
        ]

    # -- sample construction --------------------------------------------------------------------------------------
    def _sample(self, i: int, rng: np.random.Generator) -> dict[str, Any]:
        opts = self.options
        clip_id = int(self._clip_of[i])
        clean_img = self._images[self._image_index[self._img_of[i]]]
        image, box = corrupt_image(clean_img, opts["image_noise"], opts["occlusion"], rng)
        wave, start = place_clip(self._clips[clip_id], self.audio_config.num_samples, opts["offset"], rng)
        snr = None
        if opts["snr_db"] is not None:
            snr = float(rng.uniform(*opts["snr_db"]))
            noisy = add_noise_at_snr(wave, snr, rng, signal_power=self._powers[clip_id])
        else:
            noisy = wave
        return {"image": image, "image_clean": clean_img, "waveform": noisy, "waveform_clean": wave,
                "clip_id": clip_id, "snr_db": snr, "start": start, "box": box}

    def _rng(self, i: int) -> np.random.Generator:
        if self.options["augment"]:
            # fresh corruption at every access, drawn from torch's generator so a seeded training run
            # (and each seeded DataLoader worker) is reproducible
            return np.random.default_rng(int(torch.randint(0, 2**62, (1,)).item()))
        return sample_rng(self.options["seed"], self.split, i)

    def __getitem__(self, index: int) -> dict[str, Any]:
        i = self._index(index)
        s = self._sample(i, self._rng(i))
        return {
            "audio": log_mel(torch.from_numpy(s["waveform"]), self.audio_config).unsqueeze(0),
            "image": image_to_tensor(s["image"], self.image_config),
            "label": int(self.labels[i]),
        }

    def batch(self, indices: Any) -> dict[str, torch.Tensor]:
        """Stack the items at ``indices`` (one batched log-mel call; faster than ``[self[i] for i in indices]``)."""
        idx = [self._index(i) for i in indices]
        samples = [self._sample(i, self._rng(i)) for i in idx]
        waves = torch.from_numpy(np.stack([s["waveform"] for s in samples]))
        return {
            "audio": log_mel(waves, self.audio_config).unsqueeze(1),
            "image": torch.stack([image_to_tensor(s["image"], self.image_config) for s in samples]),
            "label": torch.from_numpy(self.labels[idx]),
        }

    def raw(self, index: int) -> dict[str, Any]:
        """The sample for display; always the deterministic (non-augmented) version.

        Returns
        -------
        dict
            ``image`` (8, 8) float in [0, 1] as fed, ``image_clean``, ``waveform``
            (float32, ``audio_config.num_samples``) as fed, ``waveform_clean``,
            ``sample_rate``, ``label``, ``class_name``, ``sample_id`` and ``meta``
            (voice, accent, variant, speed, pitch, word, clip file and duration,
            image index, and the corruption applied: SNR drawn, image noise std,
            occlusion size and its ``(top, left, side)`` box).
        """
        i = self._index(index)
        s = self._sample(i, sample_rng(self.options["seed"], self.split, i))
        row = self._manifest[s["clip_id"]]
        label = int(self.labels[i])
        meta = {
            "voice": row["voice"], "accent": row["accent"], "variant": row["variant"],
            "speed": row["speed"], "pitch": row["pitch"], "word": WORDS[label],
            "clip_file": row["file"], "clip_duration": row["duration"], "clip_start_s":
            s["start"] / self.audio_config.sample_rate, "image_index": int(self._image_index[self._img_of[i]]),
            "pair": int(i // len(self._image_index)),
            "corruption": {"preset": self.options["preset"], "snr_db": s["snr_db"],
                           "image_noise": self.options["image_noise"], "occlusion": self.options["occlusion"],
                           "occlusion_box": s["box"]},
        }
        return {
            "image": s["image"], "image_clean": s["image_clean"], "waveform": s["waveform"],
            "waveform_clean": s["waveform_clean"], "sample_rate": self.audio_config.sample_rate, "label": label,
            "class_name": self.classes[label], "sample_id": self.sample_ids[i], "meta": meta,
        }
