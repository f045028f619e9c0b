"""Safe checkpoints: one ``.safetensors`` file that rebuilds its model alone.

The file holds the weights and, in its JSON metadata header, everything else:
the format version, the :class:`~snnviz.config.ModelConfig`, the class names,
the dataset with its options and feature settings, and the training history and
metrics when present. Nothing is ever unpickled: ``.pt``/``.pth``/pickle files are
refused before a byte of them is interpreted.

Examples
--------
>>> import tempfile, os, torch
>>> from snnviz.models import build_model
>>> model = build_model().eval()
>>> path = os.path.join(tempfile.mkdtemp(), "m.safetensors")
>>> save_checkpoint(model, path, meta={"classes": [str(i) for i in range(10)]})
>>> loaded, meta = load_checkpoint(path)
>>> meta["classes"][:3]
['0', '1', '2']
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as _st_load_bytes
from safetensors.torch import load_file as _st_load_file
from safetensors.torch import save as _st_save_bytes
from torch.overrides import TorchFunctionMode

from snnviz import __version__
from snnviz.config import ModelConfig
from snnviz.errors import CheckpointError, ConfigError
from snnviz.models import AVSpikeNet, build_model

__all__ = ["save_checkpoint", "load_checkpoint", "checkpoint_bytes", "read_metadata", "file_sha256", "FORMAT_VERSION"]

FORMAT_VERSION = 1
_META_KEY = "snnviz"
_MAX_HEADER = 16 * 1024 * 1024  # bytes; real headers are a few KB
_PICKLE_SUFFIXES = {".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".bin", ".tar"}


def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's content (the cache key of a checkpoint)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _state_tensors(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    # contiguous CPU copies: safetensors refuses shared or strided storage
    return {k: v.detach().to("cpu").contiguous().clone() for k, v in model.state_dict().items()}


def _header(model: AVSpikeNet, meta: dict[str, Any] | None) -> dict[str, str]:
    full = dict(meta or {})
    full["format_version"] = FORMAT_VERSION
    full["snnviz_version"] = __version__
    full["model_config"] = model.config.to_dict()
    try:
        text = json.dumps(full, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise CheckpointError(
            f"The checkpoint metadata must be JSON-serialisable (finite numbers only): {err}."
        ) from err
    return {_META_KEY: text}


def checkpoint_bytes(model: AVSpikeNet, *, meta: dict[str, Any] | None = None) -> bytes:
    """Serialise ``model`` and ``meta`` to the bytes of a ``.safetensors`` checkpoint (e.g. for a download)."""
    return _st_save_bytes(_state_tensors(model), metadata=_header(model, meta))


def save_checkpoint(model: AVSpikeNet, path: str | os.PathLike, *, meta: dict[str, Any] | None = None) -> Path:
    """Write ``model`` with ``meta`` to ``path`` atomically (a temp file renamed into place).

    Parameters
    ----------
    model : AVSpikeNet
    path : path-like
        Must end in ``.safetensors``.
    meta : dict, optional
        JSON-serialisable: classes, dataset, audio/image configs, history, metrics, ...

    Returns
    -------
    Path
    """
    path = Path(path)
    if path.suffix != ".safetensors":
        raise CheckpointError(f"A checkpoint path must end in '.safetensors'. Got {str(path)!r}.")
    data = checkpoint_bytes(model, meta=meta)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files; a checkpoint is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _check_raw(head: bytes, size: int, label: str, suffix: str = "") -> None:
    """Refuse pickles and malformed headers before anything parses the payload."""
    # A safetensors file starts with its header length (u64, little-endian) and then "{"; the first bytes of the
    # length can be anything, so the pickle signatures (0x80 protocol byte, "PK" zip of torch.save) only count
    # when the file does not look like safetensors. Nothing here is ever unpickled either way.
    looks_safetensors = size >= 9 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] <= size - 8
    pickle_magic = head[:1] == b"\x80" or head[:2] == b"PK"
    if suffix.lower() in _PICKLE_SUFFIXES or (pickle_magic and not looks_safetensors):
        raise CheckpointError(
            f"{label} looks like a pickle-based PyTorch file; snnviz never unpickles files "
            "(they can run code), convert it to .safetensors."
        )
    if size < 8:
        raise CheckpointError(f"{label} is not a safetensors file: it is only {size} bytes long.")
    (n,) = struct.unpack("<Q", head[:8])
    if n > min(_MAX_HEADER, size - 8):
        raise CheckpointError(
            f"{label} is not a valid safetensors file: its header claims {n} bytes but the file has {size - 8}."
        )
    if len(head) > 8 and head[8:9] != b"{":
        raise CheckpointError(f"{label} is not a valid safetensors file: the header is not JSON.")


def _parse_header(raw: bytes, label: str) -> dict[str, Any]:
    (n,) = struct.unpack("<Q", raw[:8])
    try:
        header = json.loads(raw[8 : 8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{label} is not a valid safetensors file: its header is not valid JSON.") from err
    if not isinstance(header, dict):
        raise CheckpointError(f"{label} is not a valid safetensors file: its header is not a JSON object.")
    meta = header.get("__metadata__") or {}
    if _META_KEY not in meta:
        raise CheckpointError(
            f"{label} is a safetensors file but not an snnviz checkpoint (no '{_META_KEY}' metadata)."
        )
    try:
        info = json.loads(meta[_META_KEY])
    except (TypeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{label} has corrupt snnviz metadata (not valid JSON).") from err
    if not isinstance(info, dict):
        raise CheckpointError(f"{label} has corrupt snnviz metadata (not a JSON object).")
    version = info.get("format_version")
    if version != FORMAT_VERSION:
        raise CheckpointError(
            f"{label} has checkpoint format version {version!r}; this snnviz reads version {FORMAT_VERSION}."
        )
    return info


def read_metadata(source: str | os.PathLike | bytes, *, name: str | None = None) -> dict[str, Any]:
    """Read only the snnviz metadata of a checkpoint (cheap: the weights are not loaded)."""
    label, raw, _ = _read_head(source, name)
    return _parse_header(raw, label)


def _read_head(source, name):
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = f"The uploaded file {name!r}" if name else "The uploaded file"
        _check_raw(data[:9], len(data), label, Path(name or "").suffix)
        (n,) = struct.unpack("<Q", data[:8])
        return label, data[: 8 + n], data
    path = Path(source)
    label = f"The checkpoint {str(path)!r}"
    if not path.is_file():
        raise CheckpointError(f"{label} does not exist or is not a file.")
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(9)
        _check_raw(head, size, label, path.suffix)
        (n,) = struct.unpack("<Q", head[:8])
        fh.seek(0)
        raw = fh.read(8 + n)
    return label, raw, None


def load_checkpoint(
    source: str | os.PathLike | bytes, device: str | torch.device = "cpu", *, name: str | None = None
) -> tuple[AVSpikeNet, dict[str, Any]]:
    """Rebuild a model from a checkpoint file (or its bytes), in eval mode on ``device``.

    Parameters
    ----------
    source : path-like or bytes
        A ``.safetensors`` file written by :func:`save_checkpoint`, or its content (an upload).
    device : str or torch.device
    name : str, optional
        File name shown in error messages for in-memory content.

    Returns
    -------
    (AVSpikeNet, dict)
        The model and the metadata (``model_config``, ``classes``, ``dataset``, ``history``, ...).

    Raises
    ------
    CheckpointError
        For a pickle file, a corrupt/truncated file, a wrong format version, an
        invalid config, missing/unexpected tensors, wrong shapes or dtypes, or
        non-finite weights; the message names the file and the offending key.
    """
    label, raw, data = _read_head(source, name)
    meta = _parse_header(raw, label)
    try:
        config = ModelConfig.from_dict(meta.get("model_config") or {})
    except ConfigError as err:
        raise CheckpointError(f"{label} has an invalid model config: {err}") from err
    try:
        tensors = _st_load_bytes(data) if data is not None else _st_load_file(str(source))
    except (SafetensorError, OSError, ValueError, RuntimeError) as err:
        raise CheckpointError(f"{label} is corrupt or truncated: {str(err).splitlines()[0]}.") from err
    # Check names, shapes and dtypes against a model without storage first: a tiny
    # file whose config asks for a huge network must not make us allocate it.
    _check_tensors(_expected_tensors(config), tensors, label)
    model = build_model(config)
    _check_tensors(model.state_dict(), tensors, label)
    model.load_state_dict(tensors, strict=True)
    model.eval()
    return model.to(device), meta


class _ParametersOnMeta(TorchFunctionMode):
    """Create parameters and running statistics (``torch.empty/zeros/ones``) on the meta device.

    Buffers made with ``torch.tensor`` (e.g. snnTorch's thresholds, read back with
    ``.item()``) stay real; they are scalars.
    """

    _FACTORIES = (torch.empty, torch.zeros, torch.ones)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func in self._FACTORIES:
            kwargs["device"] = "meta"
        return func(*args, **kwargs)


def _expected_tensors(config: ModelConfig) -> dict[str, torch.Tensor]:
    """The state-dict names, shapes and dtypes a config asks for, allocating (almost) nothing."""
    with _ParametersOnMeta():
        return build_model(config).state_dict()


def _check_tensors(expected: dict[str, torch.Tensor], tensors: dict[str, torch.Tensor], label: str) -> None:
    missing = [k for k in expected if k not in tensors]
    if missing:
        raise CheckpointError(f"{label} is missing the tensor {missing[0]!r} ({len(missing)} missing in all).")
    extra = [k for k in tensors if k not in expected]
    if extra:
        raise CheckpointError(f"{label} has an unexpected tensor {extra[0]!r} ({len(extra)} unexpected in all).")
    for key, ref in expected.items():
        got = tensors[key]
        if tuple(got.shape) != tuple(ref.shape):
            raise CheckpointError(
                f"{label} has tensor {key!r} of shape {tuple(got.shape)}; the config expects {tuple(ref.shape)}."
            )
        if got.dtype != ref.dtype:
            raise CheckpointError(f"{label} has tensor {key!r} of dtype {got.dtype}; expected {ref.dtype}.")
        if got.is_floating_point() and not torch.isfinite(got).all():
            raise CheckpointError(f"{label} has non-finite values (NaN or Inf) in tensor {key!r}.")
