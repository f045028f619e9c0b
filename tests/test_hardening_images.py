"""Hostile and odd images, and paired folders of anything: a model input or a one-line DataError, never a crash."""

from __future__ import annotations

import io
import struct
import tempfile
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import event, given, settings
from hypothesis import strategies as st
from PIL import Image

from snnviz.config import AudioConfig, ImageConfig
from snnviz.data.folders import PairedFolders
from snnviz.data.images import image_to_tensor, read_image
from snnviz.errors import DataError, ImageError

RGB = ImageConfig(size=8, channels=3, mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
GREY = ImageConfig(size=8, channels=1)
FUZZ = settings(max_examples=50, deadline=None)


def _encode(img: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **options)
    return buf.getvalue()


def _noise(h: int = 20, w: int = 30, channels: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(h, w, channels), dtype=np.uint8)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels in a few dozen bytes (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def _model_inputs(data: bytes, name: str) -> np.ndarray:
    picture = read_image(data, name=name)
    assert picture.dtype == np.float32 and 0.0 <= picture.min() and picture.max() <= 1.0
    for cfg in (RGB, GREY):
        x = image_to_tensor(picture, cfg)
        assert tuple(x.shape) == (cfg.channels, 8, 8) and x.isfinite().all()
    return picture


# --------------------------------------------------------------------------- odd but valid images
def test_read_image_composites_rgba_on_white():
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[:2] = (255, 0, 0, 255)  # opaque red on top, fully transparent below
    picture = _model_inputs(_encode(Image.fromarray(rgba, "RGBA"), "PNG"), "alpha.png")
    np.testing.assert_allclose(picture[0, 0], [1, 0, 0])
    np.testing.assert_allclose(picture[3, 3], [1, 1, 1])


def test_read_image_expands_palettes_with_transparency():
    picture = _model_inputs(_encode(Image.fromarray(_noise()).convert("P"), "GIF", transparency=0), "pal.gif")
    assert picture.shape == (20, 30, 3)


def test_read_image_keeps_the_range_of_16_bit_images():
    deep = np.array([[0, 65535], [32768, 1]], np.uint16)
    picture = _model_inputs(_encode(Image.fromarray(deep), "PNG"), "deep.png")
    np.testing.assert_allclose(picture, deep / 65535.0, atol=1e-6)


def test_read_image_converts_cmyk():
    picture = _model_inputs(_encode(Image.fromarray(_noise()).convert("CMYK"), "JPEG", quality=95), "print.jpg")
    assert picture.shape == (20, 30, 3)


@pytest.mark.parametrize(("size", "mode"), [((1, 1), "RGB"), ((5000, 1), "L"), ((1, 700), "1")])
def test_read_image_handles_tiny_and_extreme_shapes(size, mode):
    picture = _model_inputs(_encode(Image.new(mode, size, 1), "PNG"), "odd.png")
    assert picture.shape[:2] == (size[1], size[0])


# --------------------------------------------------------------------------- broken or hostile images
def test_read_image_refuses_a_decompression_bomb_by_its_header():
    with pytest.raises(ImageError, match="'bomb.png' is too large to open safely"):
        read_image(_png_header_only(100_000, 100_000), name="bomb.png")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_read_image_enforces_pillows_limit_not_only_twice_it():
    # between MAX_IMAGE_PIXELS and twice that Pillow only warns; we refuse
    side = int(np.sqrt(Image.MAX_IMAGE_PIXELS)) + 10
    with pytest.raises(ImageError, match=r"too large to open safely: \d+x\d+ = [\d,]+ pixels, more than the limit"):
        read_image(_png_header_only(side, side), name="big.png")


@pytest.mark.parametrize(("data", "match"), [
    (_encode(Image.fromarray(_noise()), "JPEG")[:200], "cannot be decoded"),
    (_encode(Image.fromarray(_noise()), "JPEG")[:20] + bytes(300), "is not a readable image"),
    (b"RIFF....WAVEfmt " + bytes(32), "is not a readable image"),
    (b"", "is empty"),
])
def test_read_image_explains_corrupt_files(data, match):
    with pytest.raises(ImageError, match=match) as info:
        read_image(data, name="photo.jpg")
    assert "photo.jpg" in str(info.value) and "\n" not in str(info.value)


def test_read_image_refuses_float_tiffs_with_nan():
    data = _encode(Image.fromarray(np.full((4, 4), np.nan, np.float32)), "TIFF")
    with pytest.raises(ImageError, match="'nan.tiff' contains NaN or infinite values"):
        read_image(data, name="nan.tiff")


@FUZZ
@given(data=st.binary(max_size=600), keep=st.integers(0, 2000), flip=st.integers(0, 2000))
def test_read_image_fuzzed_bytes_give_an_image_or_an_image_error(data, keep, flip):
    good = bytearray(_encode(Image.fromarray(_noise(6, 5)), "PNG"))
    good[flip % len(good)] ^= 0xA5
    for blob in (data, bytes(good[: keep % (len(good) + 1)]), bytes(good)):
        try:
            _model_inputs(blob, "fuzz.png")
        except ImageError as err:
            assert "\n" not in str(err)


# --------------------------------------------------------------------------- paired folders of anything
def _wav(seconds: float = 0.05, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.sin(np.arange(int(seconds * rate)) / 3.0).astype(np.float32), rate, format="WAV")
    return buf.getvalue()


_GOOD_PNG = _encode(Image.fromarray(_noise(4, 4)), "PNG")
_GOOD_WAV = _wav()
_CONTENT = {
    "png": _GOOD_PNG,
    "png_truncated": _GOOD_PNG[:40],
    "png_empty": b"",
    "png_text": b"not an image",
    "wav": _GOOD_WAV,
    "wav_truncated": _GOOD_WAV[:50],
    "wav_text": b"not a sound",
    "wav_nan": None,  # filled in below
}
_nan = io.BytesIO()
sf.write(_nan, np.array([0.1, np.nan, 0.2], np.float32), 8000, format="WAV", subtype="FLOAT")
_CONTENT["wav_nan"] = _nan.getvalue()

def _files(kind: str):
    """Files of one side: mostly good ``kind`` files with their own extension, some broken or misnamed."""
    kinds = [kind] * 4 + sorted(k for k in _CONTENT if k.startswith(kind + "_"))
    # None = the kind's own extension, else a wrong or odd one
    return st.lists(st.tuples(st.sampled_from(["a", "b", "c", "dup"]), st.sampled_from(kinds),
                              st.sampled_from([None, None, None, ".txt", ".JPG", ".flac"])), max_size=5)


def _tree(root: Path, layout: dict[str, tuple[list, list]]) -> tuple[Path, Path]:
    vision, audio = root / "vision", root / "audio"
    for cls, (images, sounds) in layout.items():
        for side, files in ((vision, images), (audio, sounds)):
            (side / cls).mkdir(parents=True, exist_ok=True)
            for stem, kind, ext in files:
                (side / cls / f"{stem}{ext or '.' + kind[:3]}").write_bytes(_CONTENT[kind])
    vision.mkdir(exist_ok=True)
    audio.mkdir(exist_ok=True)
    return vision, audio


@FUZZ
@given(layout=st.dictionaries(st.sampled_from(["cat", "dog", "x y"]), st.tuples(_files("png"), _files("wav")),
                              max_size=3),
       pairing=st.sampled_from(["auto", "basename", "order"]), verify=st.booleans())
def test_paired_folders_give_finite_inputs_or_data_errors(layout, pairing, verify):
    with tempfile.TemporaryDirectory() as tmp:
        vision, audio = _tree(Path(tmp), layout)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                ds = PairedFolders(vision, audio, "all", audio=AudioConfig(duration=0.1, sample_rate=8000,
                                                                           n_fft=256, hop_length=128, f_max=4000.0),
                                   image=RGB, pairing=pairing, verify=verify)
        except DataError as err:
            assert "\n" not in str(err)
            event(f"dataset refused: {str(err)[:30]}")
            return
        assert len(ds) == ds.report.pairs > 0
        for i in range(len(ds)):
            try:
                item = ds[i]
            except DataError as err:  # a file that passes the header check but does not decode
                assert "\n" not in str(err)
                continue
            event("item loaded")
            assert item["audio"].isfinite().all() and tuple(item["image"].shape) == (3, 8, 8)
            assert item["image"].isfinite().all() and 0 <= item["label"] < len(ds.classes)
