"""Frozen configuration dataclasses.

A checkpoint stores every config below as JSON, so the file alone rebuilds the
model and feeds it the way it was trained. ``ModelConfig()`` with no arguments
is the AV-Digits model.

Examples
--------
>>> cfg = ModelConfig(num_steps=4)
>>> ModelConfig.from_dict(cfg.to_dict()) == cfg
True
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from snnviz.errors import ConfigError

__all__ = ["ModelConfig", "AudioConfig", "ImageConfig", "TrainConfig", "config_from_dict", "parse_value"]

C = TypeVar("C", bound="_Config")

VISUAL_VARIANTS = ("digits", "resnet18")
ENCODINGS = ("direct", "rate")
HEADS = ("cosine", "linear")
RESET_MECHANISMS = ("subtract", "zero", "none")
SURROGATES = ("atan", "fast_sigmoid", "sigmoid", "triangular", "straight_through")


def _allowed_types(annotation: Any) -> tuple[type, ...]:
    """Map a field annotation to the runtime types it accepts."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        out: tuple[type, ...] = ()
        for arg in typing.get_args(annotation):
            out += _allowed_types(arg)
        return out
    if annotation is type(None):
        return (type(None),)
    if origin is tuple or annotation is tuple:
        return (tuple,)
    if origin is dict or annotation is dict:
        return (dict,)
    if annotation is float:
        return (float, int)
    return (annotation,)


class _Config:
    """Shared behaviour: type checks, ``to_dict``/``from_dict``, ``replace``."""

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, list):  # JSON has no tuples
                object.__setattr__(self, f.name, tuple(value))
                value = tuple(value)
            allowed = _allowed_types(hints[f.name])
            bad_bool = isinstance(value, bool) and bool not in allowed
            if bad_bool or not isinstance(value, allowed):
                names = " or ".join(sorted({t.__name__ for t in allowed}))
                raise ConfigError(f"The {type(self).__name__} field '{f.name}' must be {names}. Got {value!r}.")
            if hints[f.name] is float and not isinstance(value, float):
                object.__setattr__(self, f.name, float(value))
        self._validate()

    def _validate(self) -> None:  # pragma: no cover - overridden
        pass

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (tuples become lists)."""
        out = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls: type[C], data: Mapping[str, Any]) -> C:
        """Build a config from a dict; unknown keys are an error that lists the valid ones."""
        return config_from_dict(cls, data)

    def replace(self: C, **changes: Any) -> C:
        """Return a copy with some fields changed (validated like a new config)."""
        _check_keys(type(self), changes)
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


def _check_keys(cls: type, data: Mapping[str, Any]) -> None:
    valid = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(data) - set(valid))
    if unknown:
        raise ConfigError(f"Unknown {cls.__name__} key(s): {', '.join(unknown)}. Valid keys are: {', '.join(valid)}.")


def config_from_dict(cls: type[C], data: Mapping[str, Any]) -> C:
    """Build the config ``cls`` from ``data``, rejecting unknown keys.

    Raises
    ------
    ConfigError
        If ``data`` is not a mapping, has unknown keys, or holds invalid values.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"A {cls.__name__} must be given as a mapping. Got {type(data).__name__}.")
    _check_keys(cls, data)
    try:
        return cls(**dict(data))
    except TypeError as err:  # e.g. a missing required field
        raise ConfigError(f"Cannot build {cls.__name__}: {err}.") from err


def parse_value(cls: type, key: str, text: str) -> Any:
    """Parse the command-line text ``text`` for field ``key`` of config ``cls``.

    ``--set num_steps=4`` style overrides use this: the value is read with the
    field's own type, so ``"4"`` becomes ``4`` for an int field and an error
    names the key and the expected type otherwise.
    """
    _check_keys(cls, {key: None})
    hint = typing.get_type_hints(cls)[key]
    allowed = _allowed_types(hint)
    if type(None) in allowed and text.lower() in ("none", "null"):
        return None
    if bool in allowed:
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"The '{key}' setting must be true or false. Got {text!r}.")
    if dict in allowed:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            raise ConfigError(f"The '{key}' setting must be a JSON object. Got {text!r}.") from err
        if not isinstance(value, dict):
            raise ConfigError(f"The '{key}' setting must be a JSON object. Got {text!r}.")
        return value
    if tuple in allowed:
        parts = [p for p in text.replace("(", "").replace(")", "").split(",") if p.strip()]
        try:
            return tuple(float(p) if "." in p or "e" in p.lower() else int(p) for p in parts)
        except ValueError as err:
            raise ConfigError(f"The '{key}' setting must be a comma-separated list of numbers. Got {text!r}.") from err
    for typ in (int, float):
        if typ in allowed:
            try:
                return typ(text)
            except ValueError:
                continue
    if str in allowed:
        return text
    names = " or ".join(sorted({t.__name__ for t in allowed}))
    raise ConfigError(f"The '{key}' setting must be {names}. Got {text!r}.")


def _choice(owner: str, name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"The {owner} field '{name}' must be one of {', '.join(choices)}. Got {value!r}.")


def _positive(owner: str, name: str, value: float, *, allow_zero: bool = False) -> None:
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ConfigError(f"The {owner} field '{name}' must be {bound}. Got {value!r}.")


# Sanity limits: a checkpoint's config is data from anywhere, and must not make one forward pass run for hours.
_MODEL_LIMITS = {"num_classes": 100_000, "num_steps": 1024, "image_channels": 16, "image_size": 1024,
                 "resnet_width": 1024, "n_mels": 512, "feature_dim": 16_384, "fusion_hidden": 16_384,
                 "embed_dim": 8192}


@dataclasses.dataclass(frozen=True)
class ModelConfig(_Config):
    """Architecture of an :class:`~snnviz.models.AVSpikeNet`.

    The defaults describe the AV-Digits model: a small conv SNN for 8x8 grey
    digits, a compact conv SNN over a 40-band log-mel spectrogram, a spiking MLP
    that fuses both, and cosine heads over L2-normalised 64-d embeddings.
    """

    num_classes: int = 10
    num_steps: int = 8  # T, time steps per forward pass
    encoding: str = "direct"  # "direct" (constant current) or "rate" (Bernoulli spikes)
    # visual branch
    visual: str = "digits"  # "digits" or "resnet18"
    image_channels: int = 1
    image_size: int = 8
    visual_channels: tuple[int, ...] = (16, 32)  # conv widths of the "digits" variant
    resnet_width: int = 64  # width of the first ResNet-18 stage (64 in the paper)
    # audio branch
    audio_channels: tuple[int, ...] = (16, 32)
    n_mels: int = 40
    # features, fusion, embeddings
    feature_dim: int = 128  # spiking neurons at the end of each branch
    fusion_hidden: int = 256
    embed_dim: int = 64  # D, the sphere S^(D-1) the embeddings live on
    normalize: bool = True  # L2-normalise embeddings
    head: str = "cosine"  # "cosine" for margin losses, "linear" for the softmax baseline
    dropout: float = 0.0
    # neurons
    beta: float = 0.9
    threshold: float = 1.0
    reset_mechanism: str = "subtract"
    surrogate: str = "atan"
    surrogate_slope: float = 2.0
    learn_beta: bool = False

    def _validate(self) -> None:
        own = "ModelConfig"
        _choice(own, "visual", self.visual, VISUAL_VARIANTS)
        _choice(own, "encoding", self.encoding, ENCODINGS)
        _choice(own, "head", self.head, HEADS)
        _choice(own, "reset_mechanism", self.reset_mechanism, RESET_MECHANISMS)
        _choice(own, "surrogate", self.surrogate, SURROGATES)
        for name in (
            "num_classes",
            "num_steps",
            "image_channels",
            "image_size",
            "resnet_width",
            "n_mels",
            "feature_dim",
            "fusion_hidden",
            "embed_dim",
        ):
            _positive(own, name, getattr(self, name))
        for name, limit in _MODEL_LIMITS.items():
            if getattr(self, name) > limit:
                raise ConfigError(f"The ModelConfig field '{name}' must be <= {limit}. Got {getattr(self, name)}.")
        if self.num_classes < 2:
            raise ConfigError(f"The ModelConfig field 'num_classes' must be >= 2. Got {self.num_classes}.")
        for name in ("visual_channels", "audio_channels"):
            value = getattr(self, name)
            if not value or len(value) > 8 or any(
                not isinstance(c, int) or isinstance(c, bool) or not 0 < c <= 4096 for c in value
            ):
                raise ConfigError(
                    f"The ModelConfig field '{name}' must be a list of 1 to 8 ints in [1, 4096]. Got {value!r}."
                )
        if not 0.0 <= self.beta <= 1.0:
            raise ConfigError(f"The ModelConfig field 'beta' must be a float in [0, 1]. Got {self.beta!r}.")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"The ModelConfig field 'dropout' must be a float in [0, 1). Got {self.dropout!r}.")
        _positive(own, "threshold", self.threshold)
        _positive(own, "surrogate_slope", self.surrogate_slope)
        if self.visual == "resnet18" and self.image_size < 16:
            raise ConfigError(
                f"The ModelConfig field 'image_size' must be >= 16 for visual='resnet18'. Got {self.image_size}."
            )


@dataclasses.dataclass(frozen=True)
class AudioConfig(_Config):
    """How a waveform becomes a log-mel spectrogram ``(1, n_mels, frames)``.

    Stored in every checkpoint so a model is always fed the way it was trained.
    ``frames = 1 + round(sample_rate * duration) // hop_length`` (centred STFT).
    """

    sample_rate: int = 16000
    duration: float = 1.0  # seconds; clips are padded or cropped to this
    n_fft: int = 512
    hop_length: int = 256
    n_mels: int = 40
    f_min: float = 50.0
    f_max: float = 8000.0
    top_db: float = 80.0  # dynamic range kept below each clip's peak

    @property
    def num_samples(self) -> int:
        """Samples per clip after padding/cropping."""
        return int(round(self.sample_rate * self.duration))

    @property
    def frames(self) -> int:
        """Spectrogram frames per clip (centred STFT)."""
        return 1 + self.num_samples // self.hop_length

    def _validate(self) -> None:
        own = "AudioConfig"
        for name in ("sample_rate", "duration", "n_fft", "hop_length", "n_mels", "top_db"):
            _positive(own, name, getattr(self, name))
        _positive(own, "f_min", self.f_min, allow_zero=True)
        if not self.f_min < self.f_max <= self.sample_rate / 2:
            raise ConfigError(
                f"The AudioConfig fields must satisfy f_min < f_max <= sample_rate / 2. "
                f"Got f_min={self.f_min}, f_max={self.f_max}, sample_rate={self.sample_rate}."
            )
        if self.hop_length > self.n_fft:
            raise ConfigError(
                f"The AudioConfig field 'hop_length' must be <= n_fft ({self.n_fft}). Got {self.hop_length}."
            )


@dataclasses.dataclass(frozen=True)
class ImageConfig(_Config):
    """How an image becomes a model input ``(channels, size, size)``.

    Pixels are first scaled to [0, 1], then normalised per channel with
    ``(x - mean) / std``.
    """

    size: int = 8
    channels: int = 1
    mean: tuple[float, ...] = (0.0,)
    std: tuple[float, ...] = (1.0,)

    def _validate(self) -> None:
        own = "ImageConfig"
        _positive(own, "size", self.size)
        if self.channels not in (1, 3):
            raise ConfigError(f"The ImageConfig field 'channels' must be 1 or 3. Got {self.channels}.")
        for name in ("mean", "std"):
            value = getattr(self, name)
            if len(value) != self.channels:
                raise ConfigError(
                    f"The ImageConfig field '{name}' must have one value per channel ({self.channels}). Got {value!r}."
                )
        if any(s <= 0 for s in self.std):
            raise ConfigError(f"The ImageConfig field 'std' must be positive. Got {self.std!r}.")


LOSS_NAMES = ("softmax", "normface", "cosface", "arcface", "sphereface")


@dataclasses.dataclass(frozen=True)
class TrainConfig(_Config):
    """How a model is trained (the model itself is a :class:`ModelConfig`).

    The loss is applied to the fused head, plus ``aux_audio``/``aux_visual``
    times the same loss on the audio and visual heads, so one checkpoint answers
    "audio only", "visual only" and "fused". AdamW with a cosine learning-rate
    schedule after ``warmup_epochs`` of linear warm-up. The best epoch by fused
    accuracy on a validation split carved from train (``val_fraction``) is kept.
    """

    dataset: str = "av-digits"
    root: str | None = None  # local folder of cifar10-av / urbansound8k-av
    dataset_options: dict = dataclasses.field(default_factory=dict)
    loss: str = "arcface"
    scale: float = 16.0  # s of the margin losses
    margin: float = 0.3  # m (radians for arcface; integer for sphereface)
    aux_audio: float = 0.5
    aux_visual: float = 0.5
    epochs: int = 20
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-4
    warmup_epochs: float = 0.5
    val_fraction: float = 0.1
    seed: int = 0
    device: str = "auto"
    amp: bool = False  # mixed precision (bfloat16 autocast on CUDA only)
    max_steps_per_epoch: int | None = None  # cap for quick runs and tests
    eval_batch_size: int = 256
    num_workers: int = 0  # DataLoader worker processes (features are computed there)
    spec_augment: bool = False  # mel shift + frequency/time masks on training spectrograms

    def loss_params(self) -> dict:
        """Keyword arguments of :func:`snnviz.losses.make_loss` for this config."""
        if self.loss == "softmax":
            return {}
        if self.loss == "normface":
            return {"s": self.scale}
        if self.loss == "sphereface":
            return {"s": self.scale, "m": int(round(self.margin))}
        return {"s": self.scale, "m": self.margin}

    def _validate(self) -> None:
        own = "TrainConfig"
        _choice(own, "loss", self.loss, LOSS_NAMES)
        _choice(own, "device", self.device.split(":", 1)[0], ("auto", "cpu", "cuda", "mps"))
        for name in ("epochs", "batch_size", "lr", "eval_batch_size", "scale"):
            _positive(own, name, getattr(self, name))
        for name in ("aux_audio", "aux_visual", "weight_decay", "warmup_epochs", "margin"):
            _positive(own, name, getattr(self, name), allow_zero=True)
        if not 0.0 < self.val_fraction < 0.5:
            raise ConfigError(
                f"The TrainConfig field 'val_fraction' must be a float in (0, 0.5). Got {self.val_fraction!r}."
            )
        _positive(own, "num_workers", self.num_workers, allow_zero=True)
        if self.max_steps_per_epoch is not None:
            _positive(own, "max_steps_per_epoch", self.max_steps_per_epoch)
