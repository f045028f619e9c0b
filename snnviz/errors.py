"""Exceptions raised by snnviz.

Every error carries one clear sentence that names what was wrong (the file, the
parameter, the shape) so the app can show ``str(err)`` as it is.
"""

from __future__ import annotations

__all__ = [
    "SnnvizError",
    "ConfigError",
    "CheckpointError",
    "DataError",
    "AudioError",
    "ImageError",
    "RecordingError",
]


class SnnvizError(Exception):
    """Base class of every error snnviz raises on purpose."""


class ConfigError(SnnvizError, ValueError):
    """A configuration value or key is invalid."""


class CheckpointError(SnnvizError):
    """A checkpoint file cannot be read, is corrupt, or does not match its config."""


class DataError(SnnvizError):
    """A dataset, folder or sample cannot be used."""


class AudioError(DataError):
    """An audio file or waveform cannot be read or turned into features."""


class ImageError(DataError):
    """An image file or array cannot be read or turned into a model input."""


class RecordingError(SnnvizError):
    """A recording request names layers or parameters that do not exist."""
