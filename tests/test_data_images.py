"""Tests for snnviz.data.images: decoding uploads and building model inputs."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from snnviz.config import ImageConfig
from snnviz.data.images import image_to_tensor, read_image
from snnviz.errors import ImageError


def _encode(img, fmt="PNG"):
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def test_read_image_grey_png_is_unit_float(tmp_path):
    arr = np.array([[0, 255], [128, 64]], dtype=np.uint8)
    Image.fromarray(arr, mode="L").save(tmp_path / "g.png")
    out = read_image(tmp_path / "g.png")
    assert out.shape == (2, 2) and out.dtype == np.float32
    np.testing.assert_allclose(out, arr / 255.0, atol=1e-6)


def test_read_image_rgba_is_composited_on_white():
    img = Image.new("RGBA", (3, 3), (255, 0, 0, 0))  # fully transparent red
    out = read_image(_encode(img), name="a.png")
    assert out.shape == (3, 3, 3)
    np.testing.assert_allclose(out, 1.0)


def test_read_image_handles_palette_cmyk_and_16_bit():
    pal = Image.new("P", (4, 4))
    pal.putpalette([0, 0, 255] * 256)
    np.testing.assert_allclose(read_image(_encode(pal))[0, 0], [0, 0, 1])
    cmyk = Image.new("CMYK", (4, 4), (0, 0, 0, 0))  # no ink = white
    assert read_image(_encode(cmyk, "JPEG")).shape == (4, 4, 3)
    deep = Image.fromarray(np.full((2, 2), 65535, dtype=np.uint16))
    np.testing.assert_allclose(read_image(_encode(deep)), 1.0)


def test_read_image_rejects_garbage_naming_the_file(tmp_path):
    (tmp_path / "x.png").write_bytes(b"not an image at all")
    with pytest.raises(ImageError, match="x.png"):
        read_image(tmp_path / "x.png")
    with pytest.raises(ImageError, match="upload.jpg.*empty"):
        read_image(b"", name="upload.jpg")


def test_read_image_keeps_decompression_bomb_limit(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    data = _encode(Image.new("L", (20, 20)))  # 400 px > 2 x limit
    with pytest.raises(ImageError, match="big.png.*too large"):
        read_image(data, name="big.png")


def test_image_to_tensor_normalises_with_config():
    cfg = ImageConfig(size=2, channels=3, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
    x = image_to_tensor(np.full((2, 2, 3), 255, dtype=np.uint8), cfg)
    assert x.shape == (3, 2, 2) and x.dtype == torch.float32
    torch.testing.assert_close(x, torch.ones(3, 2, 2))


def test_image_to_tensor_converts_channels_and_resizes():
    rgb = np.zeros((10, 20, 3), dtype=np.float32)
    rgb[..., 1] = 1.0  # pure green
    grey = image_to_tensor(rgb, ImageConfig(size=8, channels=1))
    assert grey.shape == (1, 8, 8)
    torch.testing.assert_close(grey, torch.full((1, 8, 8), 0.587), atol=1e-5, rtol=0)
    assert image_to_tensor(np.zeros((8, 8)), ImageConfig(size=32, channels=3, mean=(0,) * 3, std=(1,) * 3)).shape \
        == (3, 32, 32)


def test_image_to_tensor_rejects_bad_arrays():
    cfg = ImageConfig()
    with pytest.raises(ImageError, match=r"\[0, 1\].*2"):
        image_to_tensor(np.full((8, 8), 2.0), cfg)
    with pytest.raises(ImageError, match="shape"):
        image_to_tensor(np.zeros((2, 8, 8, 1)), cfg)
    with pytest.raises(ImageError, match="NaN"):
        image_to_tensor(np.full((8, 8), np.nan), cfg)
