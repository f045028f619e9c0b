import json
import os
import pickle
import struct

import pytest
import torch
from safetensors.torch import save_file

from snnviz.checkpoint import FORMAT_VERSION, file_sha256, load_checkpoint, read_metadata, save_checkpoint
from snnviz.config import ModelConfig
from snnviz.errors import CheckpointError
from snnviz.models import build_model

TINY = ModelConfig(num_steps=2, visual_channels=(4, 8), audio_channels=(4, 8), feature_dim=16, fusion_hidden=16,
                   embed_dim=8)


@pytest.fixture
def saved(tmp_path):
    model = build_model(TINY).eval()
    path = save_checkpoint(model, tmp_path / "m.safetensors", meta={"classes": [str(i) for i in range(10)]})
    return model, path


def test_round_trip_reproduces_logits_exactly(saved, av_batch):
    model, path = saved
    loaded, meta = load_checkpoint(path)
    assert not loaded.training
    assert loaded.config == TINY
    assert meta["classes"][9] == "9" and meta["format_version"] == FORMAT_VERSION
    with torch.inference_mode():
        a, b = model(*av_batch), loaded(*av_batch)
    for m in a.logits:
        assert torch.equal(a.logits[m], b.logits[m])


def test_load_from_bytes_and_metadata_only(saved):
    _, path = saved
    data = path.read_bytes()
    model, meta = load_checkpoint(data, name="upload.safetensors")
    assert meta == read_metadata(path)
    assert len(file_sha256(path)) == 64


def test_save_is_atomic_and_checks_suffix(tmp_path, saved):
    model, path = saved
    with pytest.raises(CheckpointError, match="must end in '.safetensors'"):
        save_checkpoint(model, tmp_path / "m.pt")
    with pytest.raises(CheckpointError, match="JSON-serialisable"):
        save_checkpoint(model, path, meta={"bad": float("nan")})
    assert load_checkpoint(path)[1]["classes"]  # the old file survived the failed save
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("suffix", [".pt", ".safetensors"])
def test_pickle_files_are_refused_without_running_them(tmp_path, suffix):
    marker = tmp_path / "pwned"
    path = tmp_path / f"evil{suffix}"
    path.write_bytes(pickle.dumps(_Payload(str(marker))))
    with pytest.raises(CheckpointError, match="pickle-based PyTorch file; snnviz never unpickles"):
        load_checkpoint(path)
    assert not marker.exists()


def test_a_header_length_starting_with_0x80_is_not_mistaken_for_pickle(tmp_path):
    # the u64 header length can start with 0x80, the protocol byte that opens a pickle
    model = build_model(TINY).eval()
    for pad in range(256):  # the low byte of the header length takes every value within 256 paddings
        path = save_checkpoint(model, tmp_path / "m.safetensors", meta={"pad": "x" * pad})
        if path.read_bytes()[0] == 0x80:
            break
    assert path.read_bytes()[0] == 0x80
    assert load_checkpoint(path)[1]["pad"] == "x" * pad


def test_torch_save_zip_is_refused(tmp_path):
    path = tmp_path / "weights.safetensors"
    torch.save({"w": torch.zeros(2)}, path)
    with pytest.raises(CheckpointError, match="pickle-based"):
        load_checkpoint(path)


def _raw_header(path):
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + n]), data[8 + n :]


def test_corrupt_files_name_the_file(tmp_path, saved):
    _, path = saved
    empty = tmp_path / "empty.safetensors"
    empty.write_bytes(b"")
    with pytest.raises(CheckpointError, match=r"empty.safetensors' is not a safetensors file: it is only 0 bytes"):
        load_checkpoint(empty)
    trunc = tmp_path / "trunc.safetensors"
    trunc.write_bytes(path.read_bytes()[: os.path.getsize(path) // 2])
    with pytest.raises(CheckpointError, match="trunc.safetensors' is corrupt or truncated"):
        load_checkpoint(trunc)
    huge = tmp_path / "huge.safetensors"
    huge.write_bytes(struct.pack("<Q", 2**60) + b"{}")
    with pytest.raises(CheckpointError, match="header claims"):
        load_checkpoint(huge)
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.safetensors")


def _resave(tmp_path, tensors, meta_json):
    out = tmp_path / "edited.safetensors"
    save_file(tensors, str(out), metadata={"snnviz": json.dumps(meta_json)})
    return out


def test_wrong_tensors_are_reported_by_key(tmp_path, saved):
    model, path = saved
    header, _ = _raw_header(path)
    meta = json.loads(header["__metadata__"]["snnviz"])
    state = {k: v.clone() for k, v in model.state_dict().items()}

    missing = dict(state)
    missing.pop("fusion.fc2.weight")
    with pytest.raises(CheckpointError, match="missing the tensor 'fusion.fc2.weight'"):
        load_checkpoint(_resave(tmp_path, missing, meta))

    extra = dict(state, **{"spare.weight": torch.zeros(1)})
    with pytest.raises(CheckpointError, match="unexpected tensor 'spare.weight'"):
        load_checkpoint(_resave(tmp_path, extra, meta))

    shape = dict(state, **{"fusion.fc2.weight": torch.zeros(3, 3)})
    with pytest.raises(CheckpointError, match=r"'fusion.fc2.weight' of shape \(3, 3\); the config expects \(8, 16\)"):
        load_checkpoint(_resave(tmp_path, shape, meta))

    dtype = dict(state, **{"fusion.fc2.weight": state["fusion.fc2.weight"].double()})
    with pytest.raises(CheckpointError, match="dtype torch.float64; expected torch.float32"):
        load_checkpoint(_resave(tmp_path, dtype, meta))

    nan = dict(state, **{"fusion.fc2.weight": torch.full_like(state["fusion.fc2.weight"], float("nan"))})
    with pytest.raises(CheckpointError, match=r"non-finite values \(NaN or Inf\) in tensor 'fusion.fc2.weight'"):
        load_checkpoint(_resave(tmp_path, nan, meta))


def test_bad_metadata_is_reported(tmp_path, saved):
    model, path = saved
    header, _ = _raw_header(path)
    meta = json.loads(header["__metadata__"]["snnviz"])
    state = model.state_dict()
    with pytest.raises(CheckpointError, match="format version 99; this snnviz reads version 1"):
        load_checkpoint(_resave(tmp_path, state, dict(meta, format_version=99)))
    bad_cfg = dict(meta, model_config=dict(meta["model_config"], wings=2))
    with pytest.raises(CheckpointError, match=r"invalid model config: Unknown ModelConfig key\(s\): wings"):
        load_checkpoint(_resave(tmp_path, state, bad_cfg))
    plain = tmp_path / "plain.safetensors"
    save_file(dict(state), str(plain))
    with pytest.raises(CheckpointError, match="not an snnviz checkpoint"):
        load_checkpoint(plain)
