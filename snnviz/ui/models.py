"""Which models the app offers, and loading them safely (no Streamlit here: testable alone).

Model files are offered from one folder (``--models-dir`` / ``SNNVIZ_MODELS_DIR``,
default ``assets/models``). A name picked in the browser can only resolve to a
``.safetensors`` file directly inside that folder: no path separators, no
``..``, no symlink that leaves the folder.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from snnviz.checkpoint import file_sha256, load_checkpoint
from snnviz.errors import CheckpointError

__all__ = [
    "LoadedModel",
    "models_dir",
    "list_models",
    "resolve_model_path",
    "load_model_file",
    "load_model_bytes",
    "BUNDLED",
    "DEFAULT_MODEL",
]

ENV_VAR = "SNNVIZ_MODELS_DIR"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ("avdigits-arcface", "avdigits-softmax", "avdigits-sphere3d")
DEFAULT_MODEL = "avdigits-arcface"


@dataclass
class LoadedModel:
    """A model in eval mode with its metadata, shared by every browser session.

    ``lock`` serialises forward passes: snnTorch neurons keep per-call buffers on
    the module and a :class:`~snnviz.recording.Recorder` hooks the module itself,
    so two sessions must not run the same model object at once.
    """

    name: str
    model: Any
    meta: dict[str, Any]
    sha256: str
    device: str
    path: str | None = None
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @property
    def key(self) -> str:
        """A stable cache key: content hash and device."""
        return f"{self.sha256[:16]}@{self.device}"

    @property
    def classes(self) -> list[str]:
        return list(self.meta.get("classes") or [str(i) for i in range(self.model.config.num_classes)])


def models_dir() -> Path:
    """The folder of offered models: ``$SNNVIZ_MODELS_DIR`` or ``assets/models`` of the project."""
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser().resolve() if env else PROJECT_ROOT / "assets" / "models"


def list_models(folder: Path | None = None) -> dict[str, Path]:
    """``{name: path}`` for every ``*.safetensors`` model in ``folder`` (bundled ones first).

    Training states (``*.train.safetensors``) and files whose real location is
    outside the folder (symlinks out) are left out.
    """
    folder = (folder or models_dir()).resolve()
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.glob("*.safetensors")):
        if path.name.endswith(".train.safetensors") or path.resolve().parent != folder or not path.is_file():
            continue
        found[path.name[: -len(".safetensors")]] = path
    bundled = [n for n in BUNDLED if n in found]
    return {n: found[n] for n in bundled + [n for n in found if n not in bundled]}


def resolve_model_path(name: str, folder: Path | None = None) -> Path:
    """Resolve a model name from the browser to a file inside the models folder, or raise.

    Raises
    ------
    CheckpointError
        If the name has a path separator or ``..``, or does not name a model in the folder.
    """
    folder = (folder or models_dir()).resolve()
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise CheckpointError(f"The model name {name!r} is not a plain file name inside the models folder.")
    available = list_models(folder)
    if name not in available:
        raise CheckpointError(
            f"There is no model {name!r} in the models folder; available: {', '.join(available) or 'none'}."
        )
    return available[name]


def load_model_file(path: Path, device: str = "cpu") -> LoadedModel:
    """Load a checkpoint file for the app."""
    model, meta = load_checkpoint(path, device=device)
    return LoadedModel(
        name=path.name[: -len(".safetensors")],
        model=model,
        meta=meta,
        sha256=file_sha256(path),
        device=str(device),
        path=str(path),
    )


def load_model_bytes(data: bytes, name: str, device: str = "cpu") -> LoadedModel:
    """Load an uploaded checkpoint (kept in memory, never written to disk)."""
    if not name.lower().endswith(".safetensors"):
        suffix = Path(name).suffix or "(none)"
        if suffix.lower() in {".pt", ".pth", ".pkl", ".ckpt", ".bin"}:
            raise CheckpointError(
                f"The uploaded file {name!r} is a pickle-based PyTorch file; snnviz never unpickles files "
                "(they can run code), convert it to .safetensors."
            )
        raise CheckpointError(f"The uploaded file {name!r} must be a .safetensors checkpoint (got extension {suffix}).")
    model, meta = load_checkpoint(data, device=device, name=name)
    return LoadedModel(
        name=f"upload: {name}", model=model, meta=meta, sha256=hashlib.sha256(data).hexdigest(), device=str(device)
    )


def device_choices() -> list[str]:
    """``auto`` plus the devices available here."""
    from snnviz.device import available_devices

    return ["auto", *available_devices()]


def torch_threads_note() -> str:
    return f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads"
