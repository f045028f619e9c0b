"""Tests for the paired-folder loaders (cifar10-av, urbansound8k-av, paired-folders) on tiny fixture trees."""

import numpy as np
import pytest
from PIL import Image

from snnviz.data import load_dataset, write_audio
from snnviz.data.folders import CIFAR10_CLASSES, URBANSOUND_CLASSES
from snnviz.errors import ConfigError, DataError


def _png(path, value, size=(12, 10), fmt=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    arr = np.full((size[1], size[0], 3), value, dtype=np.uint8)
    Image.fromarray(arr).save(path, format=fmt)


def _wav(path, sr=16000, seconds=0.3, channels=1, freq=300.0):
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(sr * seconds)) / sr
    wave = (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    write_audio(path, np.stack([wave] * channels, 1) if channels > 1 else wave, sr, format="WAV")


@pytest.fixture
def cifar_tree(tmp_path):
    """3 classes with 4 pairs each, plus a stereo 44.1 kHz clip, an upper-case extension and a missing partner."""
    root = tmp_path / "cifar"
    for c, cls in enumerate(CIFAR10_CLASSES[:3]):
        for k in range(4):
            _png(root / "vision" / cls / f"{cls}_{k}.png", 20 * c + k)
            _wav(root / "audio" / cls / f"{cls}_{k}.wav", freq=200.0 + 50 * k)
    _wav(root / "audio" / "airplane" / "airplane_0.wav", sr=44100, channels=2)  # replace with stereo 44.1 kHz
    (root / "audio" / "bird" / "bird_3.wav").rename(root / "audio" / "bird" / "bird_3.WAV")
    _png(root / "vision" / "bird" / "bird_9.png", 99)  # no partner
    (root / "vision" / "bird" / "notes.txt").write_text("ignore me")
    return root


def test_cifar10_av_pairs_by_basename_and_reports_drops(cifar_tree):
    with pytest.warns(UserWarning, match="dropped.*1 image file\\(s\\) without an audio partner"):
        ds = load_dataset("cifar10-av", split="all", root=cifar_tree)
    assert ds.classes == CIFAR10_CLASSES and len(ds) == 12
    assert ds.report.dropped["image file(s) without an audio partner"] == 1
    assert ds.report.dropped["image file(s) with an unknown extension"] == 1
    assert ds.report.dropped["expected class folder(s) missing on the vision and audio side"] == 7
    assert "bird/bird_3" in ds.sample_ids  # the upper-case .WAV still pairs
    assert ds.describe()["class_counts"]["cat"] == 0


def test_cifar10_av_items_have_model_shapes_and_raw_reports_conversion(cifar_tree):
    with pytest.warns(UserWarning):
        ds = load_dataset("cifar10-av", split="all", root=cifar_tree)
    i = ds.sample_ids.index("airplane/airplane_0")
    item = ds[i]
    assert item["audio"].shape == (1, 40, 63) and item["image"].shape == (3, 32, 32) and item["label"] == 0
    raw = ds.raw(i)
    assert raw["image"].shape == (10, 12, 3) and raw["waveform"].shape == (16000,) and raw["sample_rate"] == 16000
    assert raw["meta"]["pairing"] == "basename" and raw["meta"]["audio_file"].endswith("airplane_0.wav")
    assert "down-mixed 2 channels" in raw["meta"]["audio_notices"]
    assert "resampled 44100 Hz -> 16000 Hz" in raw["meta"]["audio_notices"]


def test_paired_folders_ordered_split_is_first_70_percent(cifar_tree):
    with pytest.warns(UserWarning):
        train = load_dataset("cifar10-av", split="train", root=cifar_tree)
    with pytest.warns(UserWarning):
        test = load_dataset("cifar10-av", split="test", root=cifar_tree)
    assert [s for s in train.sample_ids if s.startswith("airplane/")] == [f"airplane/airplane_{k}" for k in range(3)]
    assert [s for s in test.sample_ids if s.startswith("airplane/")] == ["airplane/airplane_3"]
    assert not set(train.sample_ids) & set(test.sample_ids) and len(train) + len(test) == 12


def test_paired_folders_random_split_is_seeded_and_disjoint(cifar_tree):
    kw = {"root": cifar_tree, "split_mode": "random", "seed": 1}
    with pytest.warns(UserWarning):
        a = load_dataset("cifar10-av", split="train", **kw)
    with pytest.warns(UserWarning):
        b = load_dataset("cifar10-av", split="train", **kw)
    with pytest.warns(UserWarning):
        t = load_dataset("cifar10-av", split="test", **kw)
    with pytest.warns(UserWarning):
        ordered = load_dataset("cifar10-av", split="train", root=cifar_tree)
    assert a.sample_ids == b.sample_ids and not set(a.sample_ids) & set(t.sample_ids)
    assert a.fingerprint() != ordered.fingerprint() and a.fingerprint() == b.fingerprint()


def test_urbansound8k_av_layout_pairs_by_order_when_names_differ(tmp_path):
    root = tmp_path / "us8k"
    for k in range(3):
        _png(root / "Dataset_v3_vision" / "siren" / f"img{k}.jpg", 40 * k, fmt="JPEG")
        _wav(root / "Dataset_v3_sound" / "siren" / f"{100 + k}-8-0-{k}.wav", seconds=4.5)
    _wav(root / "Dataset_v3_sound" / "siren" / "999-8-0-9.wav")  # one clip too many
    with pytest.warns(UserWarning, match="1 audio file\\(s\\) beyond the image count"):
        ds = load_dataset("urbansound8k-av", split="all", root=root)
    assert ds.classes == URBANSOUND_CLASSES and len(ds) == 3
    raw = ds.raw(0)
    assert raw["meta"]["pairing"] == "order" and raw["meta"]["audio_file"] == "siren/100-8-0-0.wav"
    assert raw["waveform"].shape == (64000,) and "cropped from 4.5 s to 4.0 s" in raw["meta"]["audio_notices"]
    assert ds[0]["image"].shape == (3, 64, 64) and ds[0]["label"] == URBANSOUND_CLASSES.index("siren")


def test_paired_folders_drops_unreadable_files_and_mismatched_classes(tmp_path):
    v, a = tmp_path / "v", tmp_path / "a"
    for k in range(2):
        _png(v / "x" / f"{k}.png", 10)
        _wav(a / "x" / f"{k}.wav")
    (a / "x" / "1.wav").write_bytes(b"RIFF broken")
    _png(v / "only_vision" / "0.png", 1)
    with pytest.warns(UserWarning) as record:
        ds = load_dataset("paired-folders", split="all", vision_dir=v, audio_dir=a)
    assert ds.classes == ["x"] and ds.sample_ids == ["x/0"]
    assert ds.report.dropped == {"unreadable audio file(s)": 1, "image file(s) without an audio partner": 1,
                                 "class folder(s) with no audio folder": 1}
    assert "x/1.wav" in str(record[0].message)


def test_paired_folders_errors_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="needs root=PATH"):
        load_dataset("cifar10-av")
    with pytest.raises(DataError, match="'vision_dir' folder .* does not exist"):
        load_dataset("cifar10-av", root=tmp_path)
    (tmp_path / "v" / "c").mkdir(parents=True)
    (tmp_path / "a" / "c").mkdir(parents=True)
    with pytest.raises(DataError, match="No image/audio pairs"):
        load_dataset("paired-folders", vision_dir=tmp_path / "v", audio_dir=tmp_path / "a")
    with pytest.raises(ConfigError, match="'split_mode'.*Got 'shuffled'"):
        load_dataset("paired-folders", vision_dir=tmp_path / "v", audio_dir=tmp_path / "a", split_mode="shuffled")
