"""Images: decode files and uploads, turn arrays into model inputs.

:func:`read_image` decodes anything Pillow reads (PNG, JPEG, BMP, GIF, TIFF,
WebP...) into a float array in [0, 1]: grey images become ``(H, W)``, colour
images ``(H, W, 3)``. Transparent images are composited on white, palette and
CMYK images are converted to RGB, 16-bit images keep their full range, and the
EXIF orientation is applied. Pillow's decompression-bomb limit stays in force.

:func:`image_to_tensor` turns such an array into ``(C, H, W)`` following an
:class:`snnviz.config.ImageConfig`: channel conversion (grey <-> RGB), a
centre crop to a square and a resize to ``size`` when needed, then
``(x - mean) / std`` per channel.

Examples
--------
>>> import numpy as np
>>> from snnviz.config import ImageConfig
>>> x = image_to_tensor(np.zeros((8, 8)), ImageConfig(size=8, channels=1))
>>> tuple(x.shape)
(1, 8, 8)
"""

from __future__ import annotations

import functools
import io
import os
from pathlib import Path
from typing import IO, Any

import numpy as np
import torch
import torch.nn.functional as F

from snnviz.config import ImageConfig
from snnviz.errors import ImageError

__all__ = ["IMAGE_EXTENSIONS", "read_image", "image_to_tensor", "to_float_image"]

ImageSource = str | os.PathLike | bytes | bytearray | IO[bytes]

#: File extensions (lower case) that :func:`read_image` is expected to decode.
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")

_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601-2, as Pillow's "L"


def _source_name(source: Any, name: str | None) -> str:
    if name:
        return str(name)
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "<in-memory image>"))


def _open_source(source: ImageSource, label: str) -> Any:
    if isinstance(source, (bytes, bytearray)):
        if len(source) == 0:
            raise ImageError(f"The image file '{label}' is empty (0 bytes).")
        return io.BytesIO(bytes(source))
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ImageError(f"The image file '{label}' does not exist.")
        if path.stat().st_size == 0:
            raise ImageError(f"The image file '{label}' is empty (0 bytes).")
        return path
    if hasattr(source, "read"):
        return source
    kind = type(source).__name__
    raise ImageError(f"Cannot read an image from a {kind}; give a path, bytes or a binary file object.")


def _pil_to_array(img: Any) -> np.ndarray:
    from PIL import Image

    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or arr.max() > 255 else 255.0
        return np.clip(arr / top, 0.0, 1.0).astype(np.float32)
    if mode == "F":
        return np.clip(np.asarray(img, dtype=np.float32), 0.0, 1.0)
    if mode in ("1", "L"):
        return np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    if mode == "P":
        img = img.convert("RGBA")
    if mode == "LA":
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "PA", "La", "RGBa"):
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
        if mode == "LA":
            return np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    if img.mode != "RGB":
        img = img.convert("RGB")  # CMYK, YCbCr, LAB, HSV...
    return np.asarray(img, dtype=np.float32) / 255.0


def _check_pixels(size: tuple[int, int], label: str) -> None:
    """Refuse images above Pillow's ``MAX_IMAGE_PIXELS`` (Pillow itself only raises at twice that)."""
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    width, height = size
    if limit and width * height > limit:
        raise ImageError(f"The image '{label}' is too large to open safely: {width}x{height} = {width * height:,} "
                         f"pixels, more than the limit of {limit:,}.")


def read_image(source: ImageSource, *, name: str | None = None) -> np.ndarray:
    """Decode an image file, bytes or file-like object.

    Parameters
    ----------
    source : path, bytes or binary file-like
    name : str, optional
        Name used in error messages (e.g. the name of an uploaded file).

    Returns
    -------
    np.ndarray of float32 in [0, 1]
        ``(H, W)`` for grey images, ``(H, W, 3)`` for colour ones.

    Raises
    ------
    ImageError
        If the source is missing, empty, not an image, truncated, or larger
        than Pillow's decompression-bomb limit. The message names the file.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    label = _source_name(source, name)
    handle = _open_source(source, label)
    try:
        with Image.open(handle) as img:
            _check_pixels(img.size, label)  # before decoding; no warnings filter: that is process-wide state
            img.load()
            img = ImageOps.exif_transpose(img)
            arr = _pil_to_array(img)
    except Image.DecompressionBombError as err:
        raise ImageError(f"The image '{label}' is too large to open safely: {err}") from err
    except UnidentifiedImageError as err:
        raise ImageError(f"The file '{label}' is not a readable image.") from err
    except (OSError, ValueError, SyntaxError) as err:
        raise ImageError(f"The image '{label}' cannot be decoded: {err}.") from err
    if not np.isfinite(arr).all():  # float TIFFs can hold NaN/Inf
        raise ImageError(f"The image '{label}' contains NaN or infinite values.")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    return np.ascontiguousarray(arr, dtype=np.float32)


def to_float_image(array: np.ndarray) -> np.ndarray:
    """Return ``array`` as float32 in [0, 1] with shape (H, W) or (H, W, C).

    uint8 is divided by 255, uint16 by 65535, bool becomes 0/1; float input
    must already lie in [0, 1].

    Raises
    ------
    ImageError
        For a wrong shape, an unsupported dtype, NaN/Inf, or floats outside [0, 1].
    """
    arr = np.asarray(array)
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (1, 3, 4)) or 0 in arr.shape:
        raise ImageError(f"An image must have shape (H, W) or (H, W, C) with C in 1, 3, 4. Got shape {arr.shape}.")
    if arr.dtype == np.bool_:
        out = arr.astype(np.float32)
    elif arr.dtype == np.uint8:
        out = arr.astype(np.float32) / 255.0
    elif arr.dtype == np.uint16:
        out = arr.astype(np.float32) / 65535.0
    elif np.issubdtype(arr.dtype, np.floating):
        out = arr.astype(np.float32)
        if not np.isfinite(out).all():
            raise ImageError("The image contains NaN or infinite values.")
        lo, hi = float(out.min()), float(out.max())
        if lo < -1e-6 or hi > 1 + 1e-6:
            raise ImageError(f"A float image must have values in [0, 1]. Got values in [{lo:.3g}, {hi:.3g}].")
        out = np.clip(out, 0.0, 1.0)
    else:
        raise ImageError(f"An image must be uint8, uint16, bool or float in [0, 1]. Got dtype {arr.dtype}.")
    if out.ndim == 3 and out.shape[2] == 4:
        alpha = out[:, :, 3:4]
        out = out[:, :, :3] * alpha + (1.0 - alpha)  # composite on white
    if out.ndim == 3 and out.shape[2] == 1:
        out = out[:, :, 0]
    return out


def image_to_tensor(array: np.ndarray, cfg: ImageConfig) -> torch.Tensor:
    """Turn an image array into the model's visual input.

    Parameters
    ----------
    array : np.ndarray, shape (H, W) or (H, W, C)
        uint8, uint16, bool, or float in [0, 1] (see :func:`to_float_image`).
    cfg : ImageConfig
        Target ``size``, ``channels``, ``mean`` and ``std``.

    Returns
    -------
    torch.Tensor of float32, shape (cfg.channels, cfg.size, cfg.size)

    Raises
    ------
    ImageError
        If the array is not a valid image.
    """
    img = to_float_image(array)
    if img.ndim == 2:
        img = img[:, :, None]
    if cfg.channels == 1 and img.shape[2] == 3:
        img = (img @ _LUMA)[:, :, None]
    elif cfg.channels == 3 and img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    x = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))  # (C, H, W)
    h, w = x.shape[1:]
    if h != w:
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        x = x[:, top : top + side, left : left + side]
    if x.shape[1] != cfg.size:
        x = F.interpolate(x[None], size=(cfg.size, cfg.size), mode="bilinear", align_corners=False,
                          antialias=x.shape[1] > cfg.size)[0].clamp(0.0, 1.0)
    if cfg.mean == (0.0,) * cfg.channels and cfg.std == (1.0,) * cfg.channels:
        return x.contiguous()
    mean, std = _stats(cfg.mean, cfg.std)
    return ((x - mean) / std).contiguous()


@functools.lru_cache(maxsize=16)
def _stats(mean: tuple[float, ...], std: tuple[float, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    return (torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1),
            torch.tensor(std, dtype=torch.float32).view(-1, 1, 1))
