"""Hostile and broken model files: every one is refused with a one-line CheckpointError, nothing runs.

``tests/test_checkpoint.py`` covers the basic cases on files (empty, truncated, huge header,
wrong tensors, bad metadata, pickles by suffix and magic bytes). Here: fuzzed bytes, crafted
headers, a config that asks for a huge network, uploads (bytes, never written to disk) and
the models folder (no path traversal, no symlink out).
"""

from __future__ import annotations

import json
import os
import pickle
import struct
import sys
import tempfile

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snnviz.checkpoint import FORMAT_VERSION, load_checkpoint, read_metadata, save_checkpoint
from snnviz.config import ModelConfig
from snnviz.errors import CheckpointError
from snnviz.models import build_model
from snnviz.ui.models import list_models, load_model_bytes, resolve_model_path

TINY = ModelConfig(num_steps=2, visual_channels=(4, 8), audio_channels=(4, 8), feature_dim=16, fusion_hidden=16,
                   embed_dim=8)
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def good_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("ckpt") / "tiny.safetensors"
    save_checkpoint(build_model(TINY).eval(), path, meta={"classes": [str(i) for i in range(10)]})
    return path.read_bytes()


def _header_file(header: dict, payload: bytes = b"") -> bytes:
    """The bytes of a safetensors file with this JSON header (8-byte little-endian length first)."""
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + payload


def _snnviz_meta(**changes) -> dict:
    info = {"format_version": FORMAT_VERSION, "model_config": TINY.to_dict(), "classes": list("0123456789")}
    info.update(changes)
    return {"snnviz": json.dumps(info)}


def _refused(data: bytes, name: str = "model.safetensors") -> str:
    """The message of the CheckpointError that loading ``data`` raises, checked to be one line."""
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(data, name=name)
    message = str(info.value)
    assert message and "\n" not in message, message
    return message


# --------------------------------------------------------------------------- fuzzed bytes
@FUZZ
@given(data=st.binary(max_size=512))
def test_load_checkpoint_random_bytes_give_one_line_errors(data):
    _refused(data)


@FUZZ
@given(header=st.dictionaries(st.text(max_size=8), st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8), max_size=4), payload=st.binary(max_size=64))
def test_load_checkpoint_fuzzed_json_headers_give_one_line_errors(header, payload):
    _refused(_header_file(header, payload))


@FUZZ
@given(cut=st.integers(min_value=0, max_value=10_000), flip=st.integers(min_value=0, max_value=10_000))
def test_load_checkpoint_truncated_or_bit_flipped_files_never_crash(good_bytes, cut, flip):
    truncated = good_bytes[: cut % len(good_bytes)]
    _refused(truncated)
    i = flip % len(good_bytes)
    flipped = good_bytes[:i] + bytes([good_bytes[i] ^ 0xFF]) + good_bytes[i + 1:]
    try:
        model, _ = load_checkpoint(flipped, name="flipped.safetensors")  # a flip inside a weight can be harmless
    except CheckpointError as err:
        assert "\n" not in str(err)
    else:
        assert all(torch.isfinite(v).all() for v in model.state_dict().values() if v.is_floating_point())


# --------------------------------------------------------------------------- crafted headers
@pytest.mark.parametrize(("header", "match"), [
    ({"__metadata__": "snnviz"}, "corrupt snnviz metadata"),
    ({"__metadata__": {"snnviz": "[1, 2]"}}, "not a JSON object"),
    ({"__metadata__": {"snnviz": "{"}}, "not valid JSON"),
    ({"__metadata__": _snnviz_meta(format_version="1")}, "format version '1'"),
    ({"__metadata__": _snnviz_meta(format_version=None)}, "format version None"),
    ({"__metadata__": _snnviz_meta(model_config=[1, 2])}, "must be given as a mapping. Got list"),
    ({"__metadata__": _snnviz_meta(model_config={"num_steps": "eight"})}, "invalid model config"),
    ({"__metadata__": _snnviz_meta(model_config={"embed_dim": -3})}, "invalid model config"),
    ({"__metadata__": _snnviz_meta(), "w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 4096]}},
     "corrupt or truncated"),
    ({"__metadata__": _snnviz_meta(), "w": {"dtype": "Q99", "shape": [1], "data_offsets": [0, 4]}},
     "corrupt or truncated"),
])
def test_load_checkpoint_crafted_headers_are_refused(header, match):
    assert match in _refused(_header_file(header, b"\0" * 16))


def test_load_checkpoint_header_length_beyond_the_upload_is_refused():
    message = _refused(struct.pack("<Q", 2**64 - 1) + b"{}")
    assert "header claims 18446744073709551615 bytes but the file has 2" in message


def test_load_checkpoint_config_asking_for_a_huge_network_allocates_nothing():
    # 10^12 hidden units would need 256 TB: the file must be refused before anything is built
    huge = dict(TINY.to_dict(), fusion_hidden=10**12)
    message = _refused(_header_file({"__metadata__": _snnviz_meta(model_config=huge)}))
    assert "'fusion_hidden' must be <= 16384" in message
    # within the config's limits but still far larger than its tensors: refused by the shape check on 'meta'
    big = dict(TINY.to_dict(), fusion_hidden=16384, feature_dim=16384)
    assert "is missing the tensor" in _refused(_header_file({"__metadata__": _snnviz_meta(model_config=big)}))


def test_load_checkpoint_refuses_a_fifo_without_blocking(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    fifo = tmp_path / "pipe.safetensors"
    os.mkfifo(fifo)
    with pytest.raises(CheckpointError, match="does not exist or is not a file"):
        load_checkpoint(fifo)
    with pytest.raises(CheckpointError, match="does not exist or is not a file"):
        read_metadata(tmp_path)


# --------------------------------------------------------------------------- uploads
class _Payload:
    """Unpickling this object would create the marker file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("name", ["evil.pt", "evil.pth", "evil.ckpt", "evil.safetensors", "evil"])
def test_load_model_bytes_refuses_pickles_without_running_them(tmp_path, name):
    marker = tmp_path / "pwned"
    data = pickle.dumps(_Payload(str(marker)))
    with pytest.raises(CheckpointError) as info:
        load_model_bytes(data, name)
    assert not marker.exists()
    assert "\n" not in str(info.value) and name in str(info.value)


def test_load_model_bytes_refuses_a_torch_zip_named_safetensors(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "zip.pt"
    torch.save({"payload": _Payload(str(marker))}, path)
    with pytest.raises(CheckpointError, match="pickle-based PyTorch file; snnviz never unpickles"):
        load_model_bytes(path.read_bytes(), "weights.safetensors")
    assert not marker.exists()


@pytest.mark.parametrize(("data", "match"), [
    (b"", "it is only 0 bytes long"),
    (b"\x00" * 7, "it is only 7 bytes long"),
    (os.urandom(4096), "model.safetensors"),
])
def test_load_model_bytes_explains_broken_uploads(data, match):
    with pytest.raises(CheckpointError, match=match):
        load_model_bytes(data, "model.safetensors")


def test_load_model_bytes_keeps_the_upload_in_memory(good_bytes, tmp_path, monkeypatch):
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    monkeypatch.chdir(tmp_path)
    loaded = load_model_bytes(good_bytes, "mine.safetensors")
    assert loaded.path is None and loaded.name == "upload: mine.safetensors"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"] and not any(spool.iterdir())


# --------------------------------------------------------------------------- the models folder
@pytest.fixture
def folder(tmp_path, good_bytes):
    models = tmp_path / "models"
    models.mkdir()
    (models / "good.safetensors").write_bytes(good_bytes)
    (models / "state.train.safetensors").write_bytes(good_bytes)
    (models / "dir.safetensors").mkdir()
    outside = tmp_path / "secret.safetensors"
    outside.write_bytes(good_bytes)
    (models / "escape.safetensors").symlink_to(outside)
    (models / "alias.safetensors").symlink_to(models / "good.safetensors")
    return models


def test_list_models_offers_only_files_inside_the_folder(folder):
    assert sorted(list_models(folder)) == ["alias", "good"]


@pytest.mark.parametrize("name", ["../secret", "../models/good", "/etc/passwd", "good/..", "sub/good", "..",
                                  "..\\good", "good\x00", "", "escape", "state.train", "dir", "secret"])
def test_resolve_model_path_refuses_names_outside_the_folder(folder, name):
    with pytest.raises(CheckpointError) as info:
        resolve_model_path(name, folder)
    assert "\n" not in str(info.value)


def test_resolve_model_path_refuses_non_strings(folder):
    with pytest.raises(CheckpointError, match="not a plain file name"):
        resolve_model_path(None, folder)  # type: ignore[arg-type]
    assert resolve_model_path("good", folder) == folder / "good.safetensors"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
def test_resolve_model_path_sees_a_symlink_swapped_to_point_outside(folder, tmp_path):
    assert resolve_model_path("alias", folder).name == "alias.safetensors"
    (folder / "alias.safetensors").unlink()
    (folder / "alias.safetensors").symlink_to(tmp_path / "secret.safetensors")
    with pytest.raises(CheckpointError, match="There is no model 'alias'"):
        resolve_model_path("alias", folder)
