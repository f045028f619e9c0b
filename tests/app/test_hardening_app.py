"""The app under hostile uploads and forged widget state: one ``st.error`` each, and the page keeps working.

The sidebar is driven through a script that calls the app's own ``render_sidebar()``: under
``st.navigation``, AppTest (Streamlit 1.67) drops the sidebar's elements on every run after
the first, so an upload (which needs a second run) could not be observed through ``app.py``.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

MODELS = Path(__file__).resolve().parents[2] / "assets" / "models"
BUNDLED = "avdigits-arcface"


class _Payload:
    """Unpickling this object would create the marker file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _sidebar_page():
    import streamlit as st

    from snnviz.ui.sidebar import render_sidebar
    from snnviz.ui.state import current_context

    render_sidebar()
    ctx = current_context()
    if ctx is not None:
        st.markdown(f"model {ctx.loaded.name} on {len(ctx.dataset)} samples")


@pytest.fixture
def sidebar():
    """The app's sidebar above a page that uses the chosen model (run it with ``.run()``)."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_function(_sidebar_page, default_timeout=120)


def _upload_model(app, name: str, data: bytes):
    app.file_uploader(key="sidebar_upload").set_value((name, data, "application/octet-stream"))
    app.run()
    assert not app.exception, app.exception
    return [e.value for e in app.sidebar.error]


def _still_working(app, name: str = BUNDLED) -> None:
    loaded = app.session_state["_loaded_model"]
    assert loaded is not None and loaded.name == name  # the folder's model is still in use
    assert any(m.value.startswith(f"model {name} on ") for m in app.markdown)


@pytest.mark.parametrize(("name", "data", "match"), [
    ("random.safetensors", np.random.default_rng(0).bytes(4096), "random.safetensors"),
    ("empty.safetensors", b"", "it is only 0 bytes long"),
    ("huge.safetensors", struct.pack("<Q", 2**62) + b"{}", "header claims"),
    ("notes.txt", b"hello", "must be a .safetensors checkpoint"),
])
def test_sidebar_upload_of_a_broken_model_shows_one_error(sidebar, name, data, match):
    sidebar.run()
    errors = _upload_model(sidebar, name, data)
    assert len(errors) == 1 and match in errors[0] and "\n" not in errors[0]
    _still_working(sidebar)


@pytest.mark.parametrize("name", ["evil.pt", "evil.safetensors"])
def test_sidebar_upload_of_a_pickle_runs_nothing(sidebar, tmp_path, name):
    marker = tmp_path / "pwned"
    sidebar.run()
    errors = _upload_model(sidebar, name, pickle.dumps(_Payload(str(marker))))
    assert len(errors) == 1 and "never unpickles" in errors[0]
    assert not marker.exists()
    _still_working(sidebar)


def test_sidebar_upload_of_a_truncated_checkpoint_then_a_good_one(sidebar):
    good = (MODELS / f"{BUNDLED}.safetensors").read_bytes()
    sidebar.run()
    errors = _upload_model(sidebar, "cut.safetensors", good[: len(good) // 3])
    assert len(errors) == 1 and "cut.safetensors' is corrupt or truncated" in errors[0]
    _still_working(sidebar)
    assert _upload_model(sidebar, "mine.safetensors", good) == []
    _still_working(sidebar, "upload: mine.safetensors")


@pytest.mark.parametrize("forged", ["../../etc/passwd", "/etc/passwd", "nope", "upload: ghost.safetensors",
                                    "avdigits-arcface/../../x", "avdigits-arcface\x00"])
def test_a_forged_model_choice_cannot_leave_the_models_folder(forged):
    # the sidebar passes the browser's choice to load_model; only names listed in the folder resolve
    from snnviz.errors import CheckpointError
    from snnviz.ui.state import load_model

    with pytest.raises(CheckpointError) as info:
        load_model(forged, "cpu")
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------- the Samples page uploads
def _wav(wave: np.ndarray, rate: int = 16000, subtype: str = "PCM_16") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, wave, rate, format="WAV", subtype=subtype)
    return buf.getvalue()


def _bomb_png(side: int = 100_000) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


@pytest.fixture
def samples(app):
    app.run()
    app.switch_page("app_pages/samples.py")
    app.run()
    assert not app.exception, app.exception
    return app


def _errors(app) -> list[str]:
    return [e.value for e in app.error]


def test_samples_upload_of_hostile_files_shows_errors_and_keeps_the_page(samples):
    nan = np.zeros(1600, np.float32)
    nan[3] = np.nan
    samples.file_uploader(key="samples_upload_audio").set_value(("nan.wav", _wav(nan, subtype="FLOAT"), "audio/wav"))
    samples.file_uploader(key="samples_upload_image").set_value(("bomb.png", _bomb_png(), "image/png"))
    samples.run()
    assert not samples.exception, samples.exception
    errors = _errors(samples)
    assert any("'nan.wav' contains NaN or infinite samples" in e for e in errors), errors
    assert any("'bomb.png' is too large to open safely" in e for e in errors), errors
    assert all("\n" not in e for e in errors)
    assert samples.subheader and samples.dataframe  # the gallery and the sample are still shown
    samples.file_uploader(key="samples_upload_audio").set_value(("text.wav", b"plain text" * 20, "audio/wav"))
    samples.file_uploader(key="samples_upload_image").set_value(None)
    samples.run()
    assert any("'text.wav' is not readable audio" in e for e in _errors(samples))


def test_samples_upload_of_ten_minutes_is_cropped_with_a_notice(samples):
    t = np.arange(16000) / 16000
    ten_minutes = np.tile((0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32), 600)
    samples.file_uploader(key="samples_upload_audio").set_value(("long.wav", _wav(ten_minutes), "audio/wav"))
    samples.run()
    assert not samples.exception, samples.exception
    assert not _errors(samples)
    assert any("long.wav: cropped from 600.0 s to 1.0 s" in c.value for c in samples.caption)
