"""Caches never trust their contents: damaged, swapped or foreign entries are detected and rebuilt.

``tests/test_cache.py`` covers a truncated file, a flipped byte, a broken sidecar and a pickled
array. Here: sidecars of the wrong type, swapped data files, intact entries with the wrong content
(the embeddings and projection loaders check what they get back), and many threads at once.
"""

from __future__ import annotations

import hashlib
import json
import threading

import numpy as np
import pytest
import torch

from snnviz.analysis.cache import DiskCache, make_key
from snnviz.analysis.embeddings import extract_embeddings
from snnviz.analysis.projection import project_cached
from snnviz.config import ModelConfig
from snnviz.models import build_model


@pytest.fixture
def store(tmp_path):
    return DiskCache(tmp_path / "cache")


def _reseal(store: DiskCache, key: str, arrays: dict, meta: dict | None = None) -> None:
    """Write an entry whose checksum is valid but whose content was not made by the code that reads it."""
    data, side = store.paths(key)
    data.parent.mkdir(parents=True, exist_ok=True)
    with open(data, "wb") as fh:
        np.savez(fh, **arrays)
    blob = data.read_bytes()
    side.write_text(json.dumps({"format": 1, "length": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
                                "meta": meta or {}}))


@pytest.mark.parametrize("sidecar", ["[]", '"text"', "3", "null", '{"length": "12", "sha256": "x"}',
                                     '{"sha256": "x"}', '{"length": 10, "sha256": 5, "meta": []}', ""])
def test_diskcache_sidecar_of_the_wrong_shape_is_a_miss(store, sidecar):
    store.save("k", {"x": np.arange(5)})
    data, side = store.paths("k")
    side.write_text(sidecar)
    assert store.load("k") is None
    assert not data.exists() and not side.exists()


def test_diskcache_swapped_data_files_are_detected(store):
    store.save("a", {"x": np.zeros(50)})
    store.save("b", {"x": np.ones(50)})
    data_a, _ = store.paths("a")
    data_b, _ = store.paths("b")
    blob_a, blob_b = data_a.read_bytes(), data_b.read_bytes()
    assert len(blob_a) == len(blob_b)  # same length: only the hash tells them apart
    data_a.write_bytes(blob_b)
    data_b.write_bytes(blob_a)
    assert store.load("a") is None and store.load("b") is None


def test_diskcache_sidecar_meta_that_is_not_an_object_is_a_miss(store):
    _reseal(store, "k", {"x": np.arange(3)}, meta=None)
    data, side = store.paths("k")
    record = json.loads(side.read_text())
    record["meta"] = [1, 2, 3]
    side.write_text(json.dumps(record))
    assert store.load("k") is None


def test_diskcache_directories_in_place_of_files_are_a_miss(store):
    data, side = store.paths("k")
    data.mkdir(parents=True)
    side.write_text("{}")
    assert store.load("k") is None
    assert data.is_dir()  # not ours to delete


def test_diskcache_many_threads_never_see_a_wrong_entry(store):
    # sessions share one cache folder: concurrent writers and readers of the same key
    expected = np.arange(2000, dtype=np.float64)
    errors: list[BaseException] = []
    hits = []

    def work(seed: int) -> None:
        try:
            for i in range(15):
                if (seed + i) % 3 == 0:
                    store.save("shared", {"x": expected}, {"n": 2000})
                got = store.load("shared")
                if got is not None:
                    np.testing.assert_array_equal(got[0]["x"], expected)
                    assert got[1] == {"n": 2000}
                    hits.append(1)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert hits  # some loads succeeded while others wrote


# --------------------------------------------------------------------------- the loaders on top
class _TinySet(torch.utils.data.Dataset):
    def __init__(self, n: int = 6) -> None:
        g = torch.Generator().manual_seed(0)
        self.audio = torch.rand(n, 1, 16, 20, generator=g)
        self.image = torch.rand(n, 1, 8, 8, generator=g)
        self.labels = np.arange(n) % 3
        self.sample_ids = [f"s{i}" for i in range(n)]
        self.classes = ["a", "b", "c"]

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> dict:
        return {"audio": self.audio[i], "image": self.image[i], "label": int(self.labels[i])}

    def fingerprint(self) -> str:
        return f"tiny-{len(self)}"


def _tiny_model():
    torch.manual_seed(0)
    return build_model(ModelConfig(num_steps=2, n_mels=16, visual_channels=(4,), audio_channels=(4,),
                                   feature_dim=16, fusion_hidden=16, embed_dim=8, num_classes=3)).eval()


def test_extract_embeddings_rebuilds_an_intact_entry_with_the_wrong_content(tmp_path):
    model, data = _tiny_model(), _TinySet()
    store = DiskCache(tmp_path)
    first = extract_embeddings(model, data, cache=store)
    key = next(tmp_path.glob("*.npz")).stem
    arrays, meta = store.load(key)
    short = {name: a[:2] for name, a in arrays.items()}  # two samples where the split has six
    _reseal(store, key, short, meta)
    again = extract_embeddings(model, data, cache=store)
    assert len(again) == 6
    np.testing.assert_allclose(again.embeddings["fused"], first.embeddings["fused"], atol=1e-6)
    _reseal(store, key, {"labels": arrays["labels"]}, {"modalities": ["fused"]})  # arrays missing
    assert len(extract_embeddings(model, data, cache=store)) == 6
    assert len(store.load(key)[0]["labels"]) == 6  # rebuilt in place


def test_project_cached_rebuilds_an_entry_of_the_wrong_shape(tmp_path):
    X = np.random.default_rng(0).normal(size=(12, 3))
    store = DiskCache(tmp_path)
    first = project_cached(X, cache=store)
    key = next(tmp_path.glob("projection-*.npz")).stem
    _reseal(store, key, {"xyz": np.ones((5, 3))}, {"method": "exact"})
    again = project_cached(X, cache=store)
    np.testing.assert_allclose(again.xyz_, first.xyz_, atol=1e-9)
    assert store.load(key)[0]["xyz"].shape == (12, 3)


def test_make_key_cannot_escape_the_cache_folder(store):
    key = make_key("embeddings", 1, path="../../etc/passwd")  # parts are hashed into the name
    data, side = store.paths(key)
    assert data.parent == store.directory and side.parent == store.directory
    for bad in (make_key("../../etc", 1), "../x", "a/b", "a\\b", ".hidden", ""):
        with pytest.raises(ValueError, match="plain file name"):
            store.paths(bad)


def test_project_cached_rebuilds_an_entry_missing_its_arrays(tmp_path):
    X = np.random.default_rng(0).normal(size=(12, 3))
    store = DiskCache(tmp_path)
    project_cached(X, cache=store)
    key = next(tmp_path.glob("projection-*.npz")).stem
    _reseal(store, key, {"other": np.ones(3)}, {})
    assert project_cached(X, cache=store).xyz_.shape == (12, 3)
    _reseal(store, key, {"xyz": np.full((12, 3), np.nan)}, {"method": "exact"})
    rebuilt = project_cached(X, cache=store)
    np.testing.assert_allclose(np.linalg.norm(rebuilt.xyz_, axis=1), 1.0, rtol=1e-6)
