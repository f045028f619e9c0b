"""Tests for the AV-Digits dataset and the registry in front of it."""

import numpy as np
import pytest
import torch

from snnviz.config import AudioConfig, ImageConfig
from snnviz.data import available_datasets, load_dataset, log_mel
from snnviz.data.avdigits import read_manifest, spoken_digits_dir
from snnviz.errors import ConfigError


@pytest.fixture(scope="module")
def test_split():
    return load_dataset("av-digits", split="test")


@pytest.fixture(scope="module")
def train_split():
    return load_dataset("av-digits", split="train")


def test_manifest_covers_ten_digits_with_enough_voices():
    rows = read_manifest()
    assert len(rows) >= 600
    for digit in range(10):
        voices = {r["voice"] for r in rows if r["digit"] == digit}
        assert len(voices) >= 60
    assert len({r["accent"] for r in rows}) >= 8
    assert all((spoken_digits_dir() / r["file"]).is_file() for r in rows[:20])


def test_av_digits_test_split_is_speaker_independent(test_split, train_split):
    rows = {r["file"]: r for r in read_manifest()}
    test_voices = {rows[test_split.raw(i)["meta"]["clip_file"]]["voice"] for i in range(0, len(test_split), 7)}
    train_voices = {r["voice"] for r in rows.values() if r["voice"] in set(train_split.voices)}
    assert len(test_split) >= 1000
    assert test_voices and not test_voices & train_voices
    assert not set(test_split.voices) & set(train_split.voices)
    all_voices = {r["voice"] for r in rows.values()}
    assert len(test_split.voices) >= 0.2 * len(all_voices)


def test_av_digits_items_are_model_ready(test_split):
    item = test_split[0]
    assert set(item) == {"audio", "image", "label"}
    assert item["audio"].shape == (1, 40, 63) and item["audio"].dtype == torch.float32
    assert item["image"].shape == (1, 8, 8) and item["image"].dtype == torch.float32
    assert item["label"] == int(test_split.labels[0])
    batch = test_split.batch([0, 5, 9])
    assert batch["audio"].shape == (3, 1, 40, 63) and batch["label"].tolist() == test_split.labels[[0, 5, 9]].tolist()
    torch.testing.assert_close(batch["audio"][1], test_split[5]["audio"])


def test_av_digits_is_deterministic_and_raw_matches_item(test_split):
    a, b = test_split[17], test_split[17]
    torch.testing.assert_close(a["audio"], b["audio"])
    raw = test_split.raw(17)
    torch.testing.assert_close(log_mel(raw["waveform"], test_split.audio_config)[None], a["audio"])
    torch.testing.assert_close(torch.from_numpy(raw["image"])[None], a["image"])
    assert raw["class_name"] == test_split.classes[raw["label"]] and raw["sample_rate"] == 16000
    assert raw["waveform"].dtype == np.float32 and raw["meta"]["word"] in raw["meta"]["clip_file"]
    again = load_dataset("av-digits", split="test")
    torch.testing.assert_close(again[17]["image"], a["image"])


def test_av_digits_ids_labels_and_pairs_are_consistent(test_split):
    assert len(set(test_split.sample_ids)) == len(test_split) == len(test_split.labels)
    assert test_split.labels.dtype == np.int64
    for i in (0, 400, 1079):
        meta = test_split.raw(i)["meta"]
        assert int(meta["clip_file"].split("_")[1]) == test_split.labels[i]  # the clip says the image's digit


def test_av_digits_corruption_applies_and_clean_preset_removes_it(test_split):
    raw = test_split.raw(3)
    snr = raw["meta"]["corruption"]["snr_db"]
    assert -4.0 <= snr <= 8.0
    assert raw["meta"]["corruption"]["occlusion_box"][2] == 3
    assert not np.allclose(raw["image"], raw["image_clean"])
    clean = load_dataset("av-digits", split="test", preset="clean").raw(3)
    np.testing.assert_array_equal(clean["image"], clean["image_clean"])
    np.testing.assert_array_equal(clean["waveform"], clean["waveform_clean"])
    assert clean["meta"]["corruption"]["snr_db"] is None


def test_av_digits_options_change_fingerprint_and_are_validated(test_split):
    other = load_dataset("av-digits", split="test", snr_db=(0, 10), seed=3)
    assert other.fingerprint() != test_split.fingerprint()
    assert test_split.fingerprint() == load_dataset("av-digits", split="test").fingerprint()
    assert other.options["snr_db"] == [0.0, 10.0]
    with pytest.raises(ConfigError, match="Unknown option.*bogus.*Valid options"):
        load_dataset("av-digits", bogus=1)
    with pytest.raises(ConfigError, match="'image_noise'.*Got 2"):
        load_dataset("av-digits", image_noise=2)
    with pytest.raises(ConfigError, match="augment.*train"):
        load_dataset("av-digits", split="test", augment=True)
    with pytest.raises(ConfigError, match="'preset'.*Got 'noisy'"):
        load_dataset("av-digits", preset="noisy")


def test_av_digits_augment_draws_fresh_corruption():
    ds = load_dataset("av-digits", split="train", augment=True, pairs_per_image=1)
    assert len(ds) == 1437
    assert not torch.equal(ds[0]["audio"], ds[0]["audio"])


def test_av_digits_accepts_other_feature_configs():
    ds = load_dataset("av-digits", split="test", audio=AudioConfig(n_mels=32),
                      image=ImageConfig(size=16, channels=3, mean=(0, 0, 0), std=(1, 1, 1)))
    item = ds[0]
    assert item["audio"].shape == (1, 32, 63) and item["image"].shape == (3, 16, 16)


def test_load_dataset_rejects_unknown_names():
    assert {"av-digits", "cifar10-av", "urbansound8k-av", "paired-folders"} <= set(available_datasets())
    with pytest.raises(ConfigError, match="'name'.*av-digits.*Got 'mnist'"):
        load_dataset("mnist")
    with pytest.raises(ConfigError, match="'split'.*Got 'val'"):
        load_dataset("av-digits", split="val")
