"""The Samples page: upload preparation, image enlarging, and the page itself on a bundled model."""

from __future__ import annotations

import io

import numpy as np
import pytest

from snnviz.config import AudioConfig, ImageConfig
from snnviz.ui.samples import enlarge_image, head_scores, image_to_display, prepare_upload


def _wav(seconds: float, sample_rate: int = 16000, channels: int = 1) -> bytes:
    from snnviz.data.audio import write_audio

    t = np.arange(int(seconds * sample_rate)) / sample_rate
    wave = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    if channels > 1:
        wave = np.stack([wave] * channels, axis=1)
    buf = io.BytesIO()
    write_audio(buf, wave, sample_rate, format="WAV")
    return buf.getvalue()


def _png(size: int = 32) -> bytes:
    from PIL import Image

    arr = (np.indices((size, size)).sum(0) % 2 * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def test_prepare_upload_reads_a_short_stereo_wav_and_says_what_it_did():
    pair = prepare_upload(("tone.wav", _wav(0.5, 22050, channels=2)), None, AudioConfig(), ImageConfig())
    assert pair.errors == [] and pair.ready and pair.image is None
    assert tuple(pair.audio.shape) == (1, 40, AudioConfig().frames)
    assert pair.waveform.shape == (16000,)
    assert pair.notices == ["tone.wav: down-mixed 2 channels", "tone.wav: resampled 22050 Hz -> 16000 Hz",
                            "tone.wav: padded from 0.50 s to 1.0 s"]


def test_prepare_upload_crops_a_long_clip():
    pair = prepare_upload(("long.wav", _wav(2.5)), None, AudioConfig(), ImageConfig())
    assert pair.notices == ["long.wav: cropped from 2.5 s to 1.0 s"]


def test_prepare_upload_resizes_an_image_to_the_model_input():
    pair = prepare_upload(None, ("check.png", _png(32)), AudioConfig(), ImageConfig(size=8, channels=1))
    assert pair.errors == [] and tuple(pair.image.shape) == (1, 8, 8) and pair.audio is None
    assert pair.notices == ["check.png: resized from 32×32 to 8×8"]


def test_prepare_upload_reports_broken_files_by_name_and_keeps_the_good_one():
    pair = prepare_upload(("broken.wav", b"not audio at all"), ("fine.png", _png(8)), AudioConfig(), ImageConfig())
    assert pair.audio is None and pair.image is not None and pair.ready
    assert len(pair.errors) == 1 and "broken.wav" in pair.errors[0]
    bad = prepare_upload(None, ("empty.png", b""), AudioConfig(), ImageConfig())
    assert not bad.ready and "empty.png" in bad.errors[0]


def test_enlarge_image_repeats_pixels():
    big = enlarge_image(np.array([[0.0, 1.0], [1.0, 0.0]]), 5)
    assert big.shape == (6, 6)
    np.testing.assert_array_equal(big[:3, :3], 0.0)
    np.testing.assert_array_equal(big[:3, 3:], 1.0)
    assert enlarge_image(np.zeros((300, 400, 3)), 192).shape == (300, 400, 3)
    with pytest.raises(ValueError, match=r"'image' parameter must have shape \(H, W\) or \(H, W, C\). Got \(4,\)"):
        enlarge_image(np.zeros(4))


def test_image_to_display_rescales_a_normalised_input():
    shown = image_to_display(np.array([[[-1.0, 0.0], [1.0, 3.0]]]))
    np.testing.assert_allclose(shown, [[0.0, 0.25], [0.5, 1.0]])
    assert image_to_display(np.zeros((3, 2, 2))).shape == (2, 2, 3)


def test_head_scores_uses_the_checkpoint_scale():
    cos = {"fused": np.array([0.5, 0.0])}
    p16 = head_scores(cos, "cosine", {"train_config": {"scale": 16.0}})["fused"]
    p4 = head_scores(cos, "cosine", {"train_config": {"scale": 4.0}})["fused"]
    np.testing.assert_allclose(p16.sum(), 1.0)
    assert p16[0] > p4[0] > 0.5


# --------------------------------------------------------------------------- the page
def _table(at):
    return next(df for df in at.dataframe if df.key == "samples_table").value


def _heading(at) -> str:
    return at.subheader[0].value


@pytest.fixture
def samples(app):
    app.run()  # AppTest needs one run of the entry script before it can switch pages
    app.switch_page("app_pages/samples.py")
    app.run()
    assert not app.exception, app.exception
    return app


def test_samples_page_filter_by_class_changes_the_rows(samples):
    everything = _table(samples)
    samples.multiselect(key="samples_classes").set_value(["3"])
    samples.run()
    assert not samples.exception, samples.exception
    threes = _table(samples)
    assert 0 < len(threes) < len(everything)
    assert set(threes["class"]) == {"3"}
    samples.radio(key="samples_correctness").set_value("correct")
    samples.run()
    assert (_table(samples)["fused →"] == "3").all()


def test_samples_page_random_misclassified_opens_a_wrong_sample(samples):
    before = _heading(samples)
    samples.button(key="samples_random_wrong").click()
    samples.run()
    assert not samples.exception, samples.exception
    after = _heading(samples)
    if any("classifies every sample" in i.value for i in samples.info):
        pytest.skip("the bundled model makes no mistake on this split")
    assert after != before and "❌ predicted" in after
    sample_id = after.split(" — ")[0]
    table = _table(samples)
    row = table[table["id"] == sample_id].iloc[0]
    assert row["fused →"] != row["class"] and not row["correct"]
    first = samples.session_state["sample_index"]
    samples.button(key="samples_random_wrong").click()
    samples.run()
    assert "❌ predicted" in _heading(samples)
    wrong = (table["fused →"] != table["class"]).sum()
    assert wrong == 1 or samples.session_state["sample_index"] != first  # never the same sample twice running


def test_samples_page_table_selection_opens_the_row(samples):
    samples.multiselect(key="samples_classes").set_value(["7"])
    samples.run()
    wanted = _table(samples)["id"].iloc[2]
    samples.session_state["samples_table"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    samples.run()
    assert not samples.exception, samples.exception
    assert _heading(samples).startswith(f"{wanted} — class 7")


def test_samples_page_upload_runs_the_model(samples):
    samples.file_uploader(key="samples_upload_audio").upload("tone.wav", _wav(0.5), "audio/wav")
    samples.run()
    assert not samples.exception, samples.exception
    assert any("tone.wav: padded from 0.50 s to 1.0 s" in c.value for c in samples.caption)
    keys = [c.proto.id for c in samples.get("plotly_chart")]
    assert any(k.endswith("samples_upload_predictions") for k in keys)
    samples.file_uploader(key="samples_upload_image").upload("broken.png", b"no image", "image/png")
    samples.run()
    assert any("broken.png" in e.value for e in samples.error)
