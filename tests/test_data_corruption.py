"""Tests for snnviz.data.corruption: SNR, occlusion and clip placement."""

import numpy as np
import pytest

from snnviz.data.corruption import add_noise_at_snr, corrupt_image, place_clip, sample_rng


def test_add_noise_at_snr_hits_the_requested_ratio():
    rng = np.random.default_rng(0)
    speech = np.sin(np.linspace(0, 400 * np.pi, 16000)).astype(np.float32)
    noisy = add_noise_at_snr(speech, 3.0, rng)
    noise = noisy - speech
    measured = 10 * np.log10(np.mean(speech**2) / np.mean(noise**2))
    assert measured == pytest.approx(3.0, abs=0.1)


def test_add_noise_at_snr_uses_given_signal_power_for_padded_clips():
    padded = np.zeros(1000, dtype=np.float32)
    noisy = add_noise_at_snr(padded, 0.0, np.random.default_rng(1), signal_power=0.25)
    assert np.mean(noisy**2) == pytest.approx(0.25, rel=0.1)


def test_corrupt_image_blanks_one_square_and_stays_in_range():
    img = np.ones((8, 8), dtype=np.float32)
    out, box = corrupt_image(img, 0.0, 3, np.random.default_rng(2))
    top, left, side = box
    assert side == 3 and out.sum() == 64 - 9
    assert (out[top : top + 3, left : left + 3] == 0).all()
    noisy, no_box = corrupt_image(img, 0.5, 0, np.random.default_rng(2))
    assert no_box is None and noisy.min() >= 0 and noisy.max() <= 1 and not np.allclose(noisy, img)
    assert (img == 1).all()  # the input is left untouched


def test_place_clip_offsets():
    clip = np.arange(1, 4, dtype=np.float32)
    window, start = place_clip(clip, 6, "center", np.random.default_rng(0))
    assert start == 1 and window.tolist() == [0, 1, 2, 3, 0, 0]
    window, start = place_clip(clip, 6, "random", np.random.default_rng(0))
    assert 0 <= start <= 3 and window[start : start + 3].tolist() == [1, 2, 3]
    window, start = place_clip(np.arange(10, dtype=np.float32), 4, "start", np.random.default_rng(0))
    assert window.tolist() == [0, 1, 2, 3]


def test_sample_rng_depends_on_seed_split_and_index():
    draw = lambda *key: sample_rng(*key).random()  # noqa: E731
    assert draw(0, "train", 5) == draw(0, "train", 5)
    assert len({draw(0, "train", 5), draw(1, "train", 5), draw(0, "test", 5), draw(0, "train", 6)}) == 4
