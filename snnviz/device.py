"""Device selection: ``resolve_device("auto")`` picks cuda > mps > cpu."""

from __future__ import annotations

import torch

from snnviz.errors import ConfigError

__all__ = ["resolve_device", "available_devices"]

_CHOICES = ("auto", "cpu", "cuda", "mps")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def available_devices() -> list[str]:
    """Return the device names usable on this machine, best first.

    Returns
    -------
    list of str
        A subset of ``["cuda", "mps", "cpu"]``; ``"cpu"`` is always present.
    """
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    if _mps_available():
        found.append("mps")
    found.append("cpu")
    return found


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """Turn a device request into a :class:`torch.device`.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda", "mps"} or torch.device or None
        ``"auto"`` (or None) picks cuda, then mps, then cpu. ``"cuda:1"`` style
        indices are accepted.

    Returns
    -------
    torch.device

    Raises
    ------
    ConfigError
        If the name is unknown or the requested backend is not available.

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if isinstance(device, torch.device):
        device = str(device)
    if device is None or device == "auto":
        return torch.device(available_devices()[0])
    if not isinstance(device, str):
        raise ConfigError(f"The 'device' parameter must be a string or torch.device. Got {type(device).__name__}.")
    kind = device.split(":", 1)[0]
    if kind not in _CHOICES:
        raise ConfigError(f"The 'device' parameter must be one of {', '.join(_CHOICES)}. Got {device!r}.")
    if kind == "cuda" and not torch.cuda.is_available():
        raise ConfigError("The 'device' parameter asks for 'cuda', but no CUDA GPU is available here.")
    if kind == "mps" and not _mps_available():
        raise ConfigError("The 'device' parameter asks for 'mps', but the MPS backend is not available here.")
    return torch.device(device)
