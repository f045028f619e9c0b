"""Tests for snnviz.data.audio: reading, resampling, padding and log-mel features."""

import io

import librosa
import numpy as np
import pytest
import torch

from snnviz.config import AudioConfig
from snnviz.data.audio import (
    audio_info,
    fix_length,
    load_audio_for_model,
    log_mel,
    read_audio,
    resample,
    to_mono,
    waveform_to_features,
    write_audio,
)
from snnviz.errors import AudioError

CFG = AudioConfig()


def _tone(freq=440.0, sr=16000, seconds=0.5, channels=1):
    t = np.arange(int(sr * seconds)) / sr
    wave = (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.stack([wave] * channels, axis=1) if channels > 1 else wave


def _wav_bytes(wave, sr, fmt="WAV"):
    buf = io.BytesIO()
    write_audio(buf, wave, sr, format=fmt)
    return buf.getvalue()


def test_read_audio_roundtrips_flac_file(tmp_path):
    wave = _tone()
    write_audio(tmp_path / "a.flac", wave, 16000)
    back, sr = read_audio(tmp_path / "a.flac")
    assert sr == 16000 and back.dtype == np.float32 and back.shape == wave.shape
    np.testing.assert_allclose(back, wave, atol=1e-4)


def test_read_audio_accepts_bytes_and_file_objects():
    data = _wav_bytes(_tone(channels=2), 44100)
    from_bytes, sr = read_audio(data, name="up.wav")
    from_file, _ = read_audio(io.BytesIO(data))
    assert sr == 44100 and from_bytes.shape == (8000, 2)
    np.testing.assert_array_equal(from_bytes, from_file)


def test_read_audio_rejects_non_audio_naming_the_file(tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("this is not a sound")
    with pytest.raises(AudioError, match="notes.wav"):
        read_audio(bad)
    with pytest.raises(AudioError, match="upload.mp3"):
        read_audio(b"\x00\x01garbage" * 10, name="upload.mp3")


def test_read_audio_rejects_empty_and_missing_files(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioError, match="empty.wav.*empty"):
        read_audio(tmp_path / "empty.wav")
    with pytest.raises(AudioError, match="does not exist"):
        read_audio(tmp_path / "missing.wav")
    with pytest.raises(AudioError, match="empty"):
        read_audio(b"", name="x.wav")


def test_read_audio_rejects_nan_samples():
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.array([0.0, np.nan, 0.1], dtype=np.float32), 8000, format="WAV", subtype="FLOAT")
    with pytest.raises(AudioError, match="nan.wav.*NaN"):
        read_audio(buf.getvalue(), name="nan.wav")


def test_audio_info_reads_header(tmp_path):
    write_audio(tmp_path / "s.wav", _tone(sr=8000, seconds=0.25, channels=2), 8000, format="WAV")
    info = audio_info(tmp_path / "s.wav")
    assert info["sample_rate"] == 8000 and info["channels"] == 2 and info["frames"] == 2000
    assert info["duration"] == pytest.approx(0.25)


def test_to_mono_averages_channels():
    wave = np.stack([np.ones(4), -np.ones(4) * 0.5], axis=1)
    np.testing.assert_allclose(to_mono(wave), 0.25)


def test_resample_keeps_frequency_and_length():
    wave = _tone(1000.0, sr=44100, seconds=1.0)
    out = resample(wave, 44100, 16000)
    assert out.shape == (16000,) and out.dtype == np.float32
    spectrum = np.abs(np.fft.rfft(out))
    assert np.argmax(spectrum) == pytest.approx(1000, abs=2)  # 1 Hz bins for a 1 s clip


def test_fix_length_pads_and_crops():
    wave = np.arange(1, 6, dtype=np.float32)
    np.testing.assert_array_equal(fix_length(wave, 7), [1, 2, 3, 4, 5, 0, 0])
    np.testing.assert_array_equal(fix_length(wave, 3), [1, 2, 3])
    np.testing.assert_array_equal(fix_length(wave, 3, align="center"), [2, 3, 4])
    np.testing.assert_array_equal(fix_length(wave, 7, align="center"), [0, 1, 2, 3, 4, 5, 0])
    with pytest.raises(AudioError, match="align"):
        fix_length(wave, 3, align="end")


def test_log_mel_matches_librosa_reference():
    rng = np.random.default_rng(0)
    wave = (rng.standard_normal(16000) * 0.1 + _tone(seconds=1.0)).astype(np.float32)
    ours = log_mel(wave, CFG).numpy()
    mel = librosa.feature.melspectrogram(y=wave, sr=16000, n_fft=512, hop_length=256, n_mels=40, fmin=50.0,
                                         fmax=8000.0, power=2.0, center=True, pad_mode="constant")
    db = librosa.power_to_db(mel, ref=np.max, top_db=80.0)
    assert ours.shape == (40, 63) == db.shape
    np.testing.assert_allclose(ours, (db + 80.0) / 80.0, atol=2e-3)


def test_log_mel_is_in_unit_range_and_zero_for_silence():
    feats = log_mel(torch.randn(2, 16000), CFG)
    assert feats.shape == (2, 40, 63)
    assert float(feats.min()) >= 0.0 and float(feats.max()) == pytest.approx(1.0)
    assert float(log_mel(np.zeros(16000), CFG).abs().max()) == 0.0


def test_waveform_to_features_shape_for_stereo_44k():
    feats = waveform_to_features(_tone(sr=44100, seconds=2.0, channels=2), 44100, CFG)
    assert feats.shape == (1, CFG.n_mels, CFG.frames) == (1, 40, 63)


def test_load_audio_for_model_reports_what_it_did():
    data = _wav_bytes(_tone(sr=8000, seconds=3.0, channels=2), 8000)
    feats, wave, notices = load_audio_for_model(data, CFG, name="clip.wav")
    assert feats.shape == (1, 40, 63) and wave.shape == (16000,)
    assert notices == ["down-mixed 2 channels", "resampled 8000 Hz -> 16000 Hz", "cropped from 3.0 s to 1.0 s"]
    _, _, notices = load_audio_for_model(_wav_bytes(_tone(seconds=0.5), 16000), CFG)
    assert notices == ["padded from 0.50 s to 1.0 s"]


def test_write_audio_rejects_unknown_format_and_nan(tmp_path):
    with pytest.raises(AudioError, match="'format'.*OGG"):
        write_audio(tmp_path / "x.ogg", _tone(), 16000, format="OGG")
    with pytest.raises(AudioError, match="non-finite"):
        write_audio(tmp_path / "x.wav", np.array([np.inf], dtype=np.float32), 16000, format="WAV")
