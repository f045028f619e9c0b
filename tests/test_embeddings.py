import time

import numpy as np
import pytest
import torch
from torch.utils.data import Dataset

from snnviz.analysis.cache import DiskCache
from snnviz.analysis.embeddings import EmbeddingSet, extract_embeddings
from snnviz.config import ModelConfig
from snnviz.models import build_model

N_MELS, FRAMES = 16, 20


class TinyAV(Dataset):
    """A real (if random) audio-visual dataset with the attributes snnviz datasets have."""

    def __init__(self, n=10, seed=0, split="test"):
        g = torch.Generator().manual_seed(seed)
        self.audio = torch.rand(n, 1, N_MELS, FRAMES, generator=g)
        self.image = torch.rand(n, 1, 8, 8, generator=g)
        self.labels = np.arange(n, dtype=np.int64) % 3
        self.sample_ids = [f"{split}-{i:03d}" for i in range(n)]
        self.classes = ["zero", "one", "two"]
        self.split = split

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"audio": self.audio[i], "image": self.image[i], "label": int(self.labels[i])}

    def fingerprint(self):
        return f"tiny-{self.split}-{len(self)}"


def tiny_model(head="cosine", seed=0):
    torch.manual_seed(seed)
    cfg = ModelConfig(num_steps=2, n_mels=N_MELS, visual_channels=(4,), audio_channels=(4,), feature_dim=16,
                      fusion_hidden=16, embed_dim=8, num_classes=3, head=head)
    return build_model(cfg)


class ForwardCounter:
    """Counts real forward calls through a forward hook."""

    def __init__(self, model):
        self.calls = 0
        self.handle = model.register_forward_hook(self._hook)

    def _hook(self, *args):
        self.calls += 1


def test_extract_embeddings_matches_direct_forward():
    model, data = tiny_model(), TinyAV()
    emb = extract_embeddings(model, data, batch_size=4)
    assert emb.modalities == ["audio", "visual", "fused"]
    assert emb.embeddings["fused"].shape == (10, 8) and emb.embeddings["fused"].dtype == np.float32
    assert emb.logits["audio"].shape == (10, 3)
    model.eval()
    with torch.inference_mode():
        out = model(data.audio, data.image)
    for m in emb.modalities:
        np.testing.assert_allclose(emb.embeddings[m], out.embeddings[m].numpy(), atol=1e-5)
        np.testing.assert_array_equal(emb.predictions[m], out.logits[m].argmax(1).numpy())
    np.testing.assert_allclose(np.linalg.norm(emb.embeddings["visual"], axis=1), 1.0, atol=1e-5)
    assert emb.sample_ids[3] == "test-003" and emb.classes == ["zero", "one", "two"] and emb.head == "cosine"
    np.testing.assert_array_equal(emb.labels, data.labels)


def test_extract_embeddings_reports_progress_and_restores_mode():
    model, seen = tiny_model(), []
    model.train()
    extract_embeddings(model, TinyAV(n=7), batch_size=3, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 7), (3, 7), (6, 7), (7, 7)]
    assert model.training


def test_extract_embeddings_second_call_hits_cache(tmp_path):
    model, data = tiny_model(), TinyAV()
    first = extract_embeddings(model, data, cache=tmp_path)
    counter = ForwardCounter(model)
    t0 = time.perf_counter()
    second = extract_embeddings(model, data, cache=tmp_path)
    assert time.perf_counter() - t0 < 1.0
    assert counter.calls == 0
    for m in first.modalities:
        np.testing.assert_array_equal(first.embeddings[m], second.embeddings[m])
        np.testing.assert_array_equal(first.logits[m], second.logits[m])
    assert second.sample_ids == first.sample_ids and second.classes == first.classes


def test_extract_embeddings_cache_key_tracks_model_and_data(tmp_path):
    model = tiny_model()
    extract_embeddings(model, TinyAV(), cache=tmp_path)
    counter = ForwardCounter(model)
    extract_embeddings(model, TinyAV(split="val"), cache=tmp_path)  # another dataset fingerprint
    assert counter.calls > 0
    calls = counter.calls
    with torch.no_grad():
        model.heads["fused"].weight.add_(0.01)
    extract_embeddings(model, TinyAV(), cache=tmp_path)  # weights changed
    assert counter.calls > calls


def test_extract_embeddings_rebuilds_corrupt_cache(tmp_path):
    model, data = tiny_model(), TinyAV()
    extract_embeddings(model, data, cache=tmp_path)
    for path in tmp_path.glob("*.npz"):
        path.write_bytes(path.read_bytes()[:-20])
    counter = ForwardCounter(model)
    again = extract_embeddings(model, data, cache=DiskCache(tmp_path))
    assert counter.calls > 0 and len(again) == 10
    assert DiskCache(tmp_path).load(next(tmp_path.glob("*.npz")).stem) is not None  # rewritten intact


def test_extract_embeddings_uses_env_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SNNVIZ_CACHE_DIR", str(tmp_path / "env"))
    extract_embeddings(tiny_model(), TinyAV(n=4), cache=True)
    assert len(list((tmp_path / "env").glob("embeddings-*.npz"))) == 1


def test_extract_embeddings_rejects_bad_batch_size():
    with pytest.raises(ValueError, match="The 'batch_size' parameter must be an int >= 1. Got 0."):
        extract_embeddings(tiny_model(), TinyAV(), batch_size=0)


def small_set():
    emb = {"fused": np.eye(4, dtype=np.float32)}
    logits = {"fused": np.array([[0.9, 0.1], [0.2, 0.6], [0.7, 0.3], [0.4, 0.5]], dtype=np.float32)}
    return EmbeddingSet(embeddings=emb, logits=logits, predictions={"fused": logits["fused"].argmax(1)},
                        labels=np.array([0, 1, 1, 1]), sample_ids=list("abcd"), classes=["x", "y"], head="cosine")


def test_embeddingset_accuracy_margins_subset():
    s = small_set()
    assert s.accuracy("fused") == pytest.approx(0.75)
    np.testing.assert_allclose(s.margins("fused"), [0.8, 0.4, -0.4, 0.1], atol=1e-6)
    sub = s.subset(np.array([True, False, True, False]))
    assert sub.sample_ids == ["a", "c"] and sub.accuracy("fused") == 0.5
    assert s.subset([3]).sample_ids == ["d"]
    with pytest.raises(ValueError, match="must be one of fused. Got 'audio'"):
        s.accuracy("audio")


def test_embeddingset_roundtrip_arrays():
    s = small_set()
    back = EmbeddingSet.from_arrays(*s.to_arrays())
    np.testing.assert_array_equal(back.logits["fused"], s.logits["fused"])
    assert back.sample_ids == s.sample_ids and back.head == "cosine"


def test_embeddingset_linear_head_has_no_margins():
    s = small_set()
    linear = EmbeddingSet(s.embeddings, s.logits, s.predictions, s.labels, s.sample_ids, s.classes, "linear")
    with pytest.raises(ValueError, match="need a cosine head"):
        linear.margins()
