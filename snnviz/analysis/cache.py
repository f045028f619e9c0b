"""A small disk cache of numpy arrays, safe to load: ``.npz`` data plus a JSON sidecar.

Each entry is ``<key>.npz`` (written with :func:`numpy.savez`, read with
``allow_pickle=False``) and ``<key>.json`` holding the data file's length and
SHA-256 and some metadata. An entry whose file is missing, truncated, altered
or unreadable is treated as a miss, removed, and rebuilt by the caller. Nothing
is ever unpickled.

The location is, in order: the argument, the ``SNNVIZ_CACHE_DIR`` environment
variable, ``platformdirs.user_cache_dir("snnviz")``.

Examples
--------
>>> import tempfile
>>> store = DiskCache(tempfile.mkdtemp())
>>> key = make_key("demo", 1, n=3)
>>> store.save(key, {"x": np.arange(3)}, {"note": "hi"})
>>> arrays, meta = store.load(key)
>>> arrays["x"].tolist(), meta["note"]
([0, 1, 2], 'hi')
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DiskCache", "get_cache", "resolve_cache_dir", "make_key", "array_digest", "model_fingerprint",
           "ENV_VAR"]

ENV_VAR = "SNNVIZ_CACHE_DIR"
_CHUNK = 1 << 20


def resolve_cache_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """Return the cache directory: ``cache_dir``, else ``$SNNVIZ_CACHE_DIR``, else the user cache dir."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("snnviz"))


def _code_version() -> str:
    from snnviz import __version__

    return __version__


def make_key(kind: str, format_version: int, **parts: Any) -> str:
    """A cache key: ``<kind>-<sha256 prefix>`` of the parts, the format version and the snnviz version.

    ``parts`` must be JSON-serialisable (strings, numbers, lists, dicts).
    """
    blob = json.dumps({"kind": kind, "format": format_version, "snnviz": _code_version(), "parts": parts},
                      sort_keys=True, default=str)
    return f"{kind}-{hashlib.sha256(blob.encode()).hexdigest()[:32]}"


def array_digest(*arrays: np.ndarray) -> str:
    """SHA-256 over the dtypes, shapes and bytes of ``arrays``."""
    h = hashlib.sha256()
    for arr in arrays:
        arr = np.ascontiguousarray(arr)
        h.update(f"{arr.dtype.str}{arr.shape}".encode())
        h.update(memoryview(arr).cast("B"))
    return h.hexdigest()


def model_fingerprint(model: Any) -> str:
    """SHA-256 of a torch model's ``state_dict`` tensors and its config.

    Two models with the same class, config and weights get the same
    fingerprint, wherever they came from (a checkpoint file or training).

    Parameters
    ----------
    model : torch.nn.Module
        If it has a ``config`` with ``to_dict()``, the config is hashed too.

    Returns
    -------
    str
        64 hex digits.
    """
    import torch

    h = hashlib.sha256(type(model).__name__.encode())
    config = getattr(model, "config", None)
    if config is not None and hasattr(config, "to_dict"):
        h.update(json.dumps(config.to_dict(), sort_keys=True, default=str).encode())
    for name, tensor in sorted(model.state_dict().items()):
        t = tensor.detach().to("cpu").contiguous().reshape(-1)
        h.update(f"{name}:{t.dtype}:{tuple(tensor.shape)}".encode())
        h.update(t.view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _atomic_write(path: Path, write: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class DiskCache:
    """Arrays and JSON metadata stored under ``directory``, verified on every load.

    Parameters
    ----------
    directory : str or path, optional
        See :func:`resolve_cache_dir`. Created on the first save.
    """

    def __init__(self, directory: str | os.PathLike | None = None) -> None:
        self.directory = resolve_cache_dir(directory)

    def __repr__(self) -> str:
        return f"DiskCache({str(self.directory)!r})"

    def paths(self, key: str) -> tuple[Path, Path]:
        """The data and sidecar paths of ``key``."""
        if not key or any(c in key for c in "/\\") or key.startswith("."):
            raise ValueError(f"The 'key' parameter must be a plain file name. Got {key!r}.")
        return self.directory / f"{key}.npz", self.directory / f"{key}.json"

    def save(self, key: str, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any] | None = None) -> None:
        """Store ``arrays`` (no object dtypes) and JSON-serialisable ``meta`` under ``key``."""
        data_path, side_path = self.paths(key)
        clean = {}
        for name, value in arrays.items():
            arr = np.asarray(value)
            if arr.dtype.hasobject:
                raise ValueError(f"Cannot cache array '{name}' of dtype object; convert it to numbers or strings.")
            clean[name] = arr
        self.directory.mkdir(parents=True, exist_ok=True)
        _atomic_write(data_path, lambda fh: np.savez(fh, **clean))
        sidecar = {"format": 1, "length": data_path.stat().st_size, "sha256": _file_sha256(data_path),
                   "meta": dict(meta or {})}
        _atomic_write(side_path, lambda fh: fh.write(json.dumps(sidecar, indent=1, default=str).encode()))

    def load(self, key: str) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
        """Return ``(arrays, meta)`` for ``key``, or None when absent or corrupt (a corrupt entry is removed)."""
        data_path, side_path = self.paths(key)
        if not data_path.is_file() or not side_path.is_file():
            return None
        try:
            sidecar = json.loads(side_path.read_text(encoding="utf-8"))
            if (data_path.stat().st_size != sidecar["length"] or _file_sha256(data_path) != sidecar["sha256"]):
                raise ValueError("length or checksum mismatch")
            with np.load(data_path, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            return arrays, dict(sidecar.get("meta", {}))
        except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError):
            self.remove(key)
            return None

    def remove(self, key: str) -> None:
        """Delete the entry ``key`` if present."""
        for path in self.paths(key):
            path.unlink(missing_ok=True)

    def clear(self) -> int:
        """Delete every entry in the directory; returns how many files were removed."""
        if not self.directory.is_dir():
            return 0
        removed = 0
        for path in self.directory.iterdir():
            if path.is_file() and path.suffix in (".npz", ".json"):
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def get_cache(cache: Any) -> DiskCache | None:
    """Interpret a ``cache`` argument: None/False = no caching, True = default location,
    a path = that directory, a :class:`DiskCache` = itself."""
    if cache is None or cache is False:
        return None
    if cache is True:
        return DiskCache()
    if isinstance(cache, DiskCache):
        return cache
    if isinstance(cache, (str, os.PathLike)):
        return DiskCache(cache)
    raise TypeError(f"The 'cache' parameter must be None, a bool, a path or a DiskCache. Got {type(cache).__name__}.")
