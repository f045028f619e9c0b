import hashlib
import json

import numpy as np
import platformdirs
import pytest
import torch

from snnviz.analysis.cache import DiskCache, array_digest, get_cache, make_key, model_fingerprint, resolve_cache_dir


@pytest.fixture
def store(tmp_path):
    return DiskCache(tmp_path / "cache")


def test_diskcache_roundtrip(store):
    key = make_key("demo", 1, n=3)
    store.save(key, {"x": np.arange(6, dtype=np.float32).reshape(2, 3), "names": np.array(["a", "bc"])},
               {"classes": ["a", "b"]})
    arrays, meta = store.load(key)
    np.testing.assert_array_equal(arrays["x"], np.arange(6).reshape(2, 3))
    assert arrays["x"].dtype == np.float32
    assert arrays["names"].tolist() == ["a", "bc"]
    assert meta == {"classes": ["a", "b"]}


def test_diskcache_missing_is_none(store):
    assert store.load("nothing-here") is None


@pytest.mark.parametrize("damage", ["truncate", "flip", "sidecar"])
def test_diskcache_corrupt_entry_is_ignored_and_removed(store, damage):
    key = make_key("demo", 1)
    store.save(key, {"x": np.arange(100)})
    data, side = store.paths(key)
    raw = data.read_bytes()
    if damage == "truncate":
        data.write_bytes(raw[:-10])
    elif damage == "flip":
        data.write_bytes(raw[:50] + bytes([raw[50] ^ 0xFF]) + raw[51:])
    else:
        side.write_text("{not json")
    assert store.load(key) is None
    assert not data.exists() and not side.exists()
    store.save(key, {"x": np.arange(3)})  # rebuilt
    assert store.load(key)[0]["x"].tolist() == [0, 1, 2]


def test_diskcache_never_unpickles(store):
    key = "evil"
    data, side = store.paths(key)
    data.parent.mkdir(parents=True)
    np.savez(data, x=np.array([{"a": 1}], dtype=object))  # pickled inside the .npz
    blob = data.read_bytes()
    side.write_text(json.dumps({"format": 1, "length": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
                                "meta": {}}))
    assert store.load(key) is None


def test_diskcache_rejects_object_arrays_and_bad_keys(store):
    with pytest.raises(ValueError, match="dtype object"):
        store.save("k", {"x": np.array([None, 1], dtype=object)})
    with pytest.raises(ValueError, match="plain file name"):
        store.paths("../escape")


def test_diskcache_clear(store):
    store.save("a", {"x": np.zeros(2)})
    store.save("b", {"x": np.zeros(2)})
    assert store.clear() == 4
    assert store.load("a") is None


def test_resolve_cache_dir_order(tmp_path, monkeypatch):
    monkeypatch.delenv("SNNVIZ_CACHE_DIR", raising=False)
    assert resolve_cache_dir() == resolve_cache_dir(platformdirs.user_cache_dir("snnviz"))
    monkeypatch.setenv("SNNVIZ_CACHE_DIR", str(tmp_path / "env"))
    assert resolve_cache_dir() == tmp_path / "env"
    assert resolve_cache_dir(tmp_path / "arg") == tmp_path / "arg"


def test_get_cache_accepts_each_kind(tmp_path, monkeypatch):
    monkeypatch.setenv("SNNVIZ_CACHE_DIR", str(tmp_path))
    assert get_cache(None) is None and get_cache(False) is None
    assert get_cache(True).directory == tmp_path
    assert get_cache(str(tmp_path / "x")).directory == tmp_path / "x"
    store = DiskCache(tmp_path)
    assert get_cache(store) is store
    with pytest.raises(TypeError, match="Got int"):
        get_cache(3)


def test_make_key_depends_on_every_part():
    base = make_key("emb", 1, model="m", data={"split": "test"})
    assert base == make_key("emb", 1, data={"split": "test"}, model="m")
    assert base != make_key("emb", 2, model="m", data={"split": "test"})
    assert base != make_key("emb", 1, model="m", data={"split": "train"})
    assert base.startswith("emb-")


def test_array_digest_sees_dtype_shape_and_values():
    x = np.arange(6, dtype=np.float32)
    assert array_digest(x) == array_digest(x.copy())
    assert array_digest(x) != array_digest(x.reshape(2, 3))
    assert array_digest(x) != array_digest(x.astype(np.float64))
    y = x.copy()
    y[3] += 1
    assert array_digest(x) != array_digest(y)


def test_model_fingerprint_tracks_weights():
    torch.manual_seed(0)
    a = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    b = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    b.load_state_dict(a.state_dict())
    assert model_fingerprint(a) == model_fingerprint(b)
    with torch.no_grad():
        b[0].weight[0, 0] += 1e-3
    assert model_fingerprint(a) != model_fingerprint(b)
    assert len(model_fingerprint(a.to(torch.bfloat16))) == 64
