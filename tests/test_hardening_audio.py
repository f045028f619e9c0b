"""Hostile and odd audio: every clip either becomes finite features of the model's shape or a one-line AudioError.

Covers uploads and dataset files (through :func:`load_audio_for_model`, what the Samples page
and the paired-folder loader call) and arrays (through :func:`waveform_to_features`).
"""

from __future__ import annotations

import io
import struct
import tracemalloc

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from snnviz.config import AudioConfig
from snnviz.data.audio import SAMPLE_RATE_RANGE, load_audio_for_model, read_audio, waveform_to_features
from snnviz.errors import AudioError

CFG = AudioConfig()
SHAPE = (1, CFG.n_mels, CFG.frames)
FUZZ = settings(max_examples=50, deadline=None)


def _encode(wave: np.ndarray, sample_rate: int, fmt: str = "WAV", subtype: str = "PCM_16") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, wave, sample_rate, format=fmt, subtype=subtype)
    return buf.getvalue()


def _tone(sample_rate: int, seconds: float = 1.0, freq: float = 440.0, channels: int = 1) -> np.ndarray:
    t = np.arange(int(sample_rate * seconds)) / sample_rate
    wave = (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.repeat(wave[:, None], channels, axis=1) if channels > 1 else wave


def _ok(out) -> tuple[np.ndarray, list[str]]:
    features, waveform, notices = out
    feats = features.numpy()
    assert feats.shape == SHAPE and np.isfinite(feats).all() and feats.min() >= 0.0 and feats.max() <= 1.0
    assert waveform.shape == (CFG.num_samples,) and np.isfinite(waveform).all()
    return feats, notices


def _refused(data: bytes, name: str) -> str:
    with pytest.raises(AudioError) as info:
        load_audio_for_model(data, CFG, name=name)
    message = str(info.value)
    assert name in message and "\n" not in message and " at 0x" not in message, message
    return message


# --------------------------------------------------------------------------- broken files
@pytest.mark.parametrize(("data", "match"), [
    (b"", "is empty (0 bytes)"),
    (b"this is plain text, not a RIFF file" * 4, "is not readable audio"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", "is not readable audio"),
    (b"\x89PNG\r\n\x1a\n" + bytes(64), "is not readable audio"),
])
def test_load_audio_for_model_refuses_non_audio_named_wav(data, match):
    assert match in _refused(data, "clip.wav")


def test_load_audio_for_model_refuses_a_header_without_samples():
    assert "has no samples" in _refused(_encode(np.zeros(0, np.float32), 16000), "nothing.wav")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_load_audio_for_model_refuses_float_wav_with_non_finite_samples(bad):
    wave = _tone(16000, 0.1)
    wave[10] = bad
    assert "NaN or infinite samples" in _refused(_encode(wave, 16000, subtype="FLOAT"), "bad.wav")


@pytest.mark.parametrize("rate", [1, 999, 768_001, 2**31 - 1])
def test_load_audio_for_model_refuses_absurd_header_sample_rates(rate):
    data = bytearray(_encode(_tone(16000, 0.01), 16000))
    data[24:28] = struct.pack("<I", rate)  # the WAV fmt chunk's sample rate
    assert f"has a sample rate of {rate} Hz; snnviz reads 1000 to 768000 Hz" in _refused(bytes(data), "rate.wav")


# --------------------------------------------------------------------------- odd but valid files
def test_load_audio_for_model_pads_a_single_sample():
    feats, notices = _ok(load_audio_for_model(_encode(np.array([0.5], np.float32), 16000), CFG, name="one.wav"))
    assert notices == ["padded from 0.00 s to 1.0 s"]


def test_load_audio_for_model_crops_ten_minutes_with_a_notice():
    ten_minutes = np.tile(_tone(16000, 1.0), 600)
    _, notices = _ok(load_audio_for_model(_encode(ten_minutes, 16000), CFG, name="long.wav"))
    assert notices == ["cropped from 600.0 s to 1.0 s"]


def test_load_audio_for_model_never_decodes_a_compressed_hour_in_full():
    buf = io.BytesIO()
    with sf.SoundFile(buf, "w", 8000, 1, format="FLAC", subtype="PCM_16") as fh:
        block = np.zeros(8000 * 600, np.int16)
        for _ in range(6):
            fh.write(block)  # one hour of silence: ~100 KB of FLAC, 115 MB as float32
    data = buf.getvalue()
    assert len(data) < 1_000_000
    tracemalloc.start()
    try:
        out = load_audio_for_model(data, CFG, name="hour.flac")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    feats, notices = _ok(out)
    assert notices == ["resampled 8000 Hz -> 16000 Hz", "cropped from 3600.0 s to 1.0 s"]
    assert peak < 20e6, f"decoding used {peak / 1e6:.0f} MB"
    assert not feats.any()  # silence maps to zeros


def test_load_audio_for_model_down_mixes_eight_channels():
    wave = np.random.default_rng(0).uniform(-0.5, 0.5, size=(16000, 8)).astype(np.float32)
    _, notices = _ok(load_audio_for_model(_encode(wave, 16000, subtype="FLOAT"), CFG, name="eight.wav"))
    assert notices == ["down-mixed 8 channels"]
    _, mono, _ = load_audio_for_model(_encode(wave, 16000, subtype="FLOAT"), CFG, name="eight.wav")
    np.testing.assert_allclose(mono, wave.mean(axis=1), atol=1e-6)


@pytest.mark.parametrize("rate", [8000, 96000, 44100, 767_999])
def test_load_audio_for_model_resamples_keeping_the_pitch(rate):
    feats, notices = _ok(load_audio_for_model(_encode(_tone(rate), rate), CFG, name="tone.wav"))
    assert notices == [f"resampled {rate} Hz -> 16000 Hz"]
    reference = waveform_to_features(_tone(16000), 16000, CFG).numpy()
    assert np.argmax(feats[0].mean(axis=1)) == np.argmax(reference[0].mean(axis=1))  # same mel band is loudest


def test_load_audio_for_model_handles_clipped_and_over_range_audio():
    square = np.sign(_tone(16000)).astype(np.float32)  # full-scale, clipped
    _ok(load_audio_for_model(_encode(square, 16000), CFG, name="clipped.wav"))
    loud = _tone(16000) * 1e6  # float WAV far outside [-1, 1]
    feats, _ = _ok(load_audio_for_model(_encode(loud, 16000, subtype="FLOAT"), CFG, name="loud.wav"))
    quiet = waveform_to_features(_tone(16000), 16000, CFG).numpy()
    np.testing.assert_allclose(feats, quiet, atol=1e-3)  # dB relative to the clip's peak: the level cancels


def test_load_audio_for_model_maps_silence_to_zeros():
    feats, _ = _ok(load_audio_for_model(_encode(np.zeros(16000, np.float32), 16000), CFG, name="silent.wav"))
    assert not feats.any()


def test_read_audio_keeps_every_sample_when_asked_for_the_whole_file():
    wave, sr = read_audio(_encode(_tone(16000, 3.0), 16000), name="three.wav")
    assert sr == 16000 and wave.shape == (48000,)


# --------------------------------------------------------------------------- properties
_DTYPES = st.sampled_from([np.float32, np.float64, np.int16, np.int32, np.uint8, np.bool_])


@st.composite
def _waveforms(draw):
    dtype = draw(_DTYPES)
    shape = draw(st.one_of(st.tuples(st.integers(0, 3000)),
                           st.tuples(st.integers(0, 1200), st.integers(0, 9)),
                           st.tuples(st.integers(0, 4), st.integers(1, 3), st.integers(1, 3))))
    if np.dtype(dtype).kind == "f":
        elements = st.floats(width=32 if dtype == np.float32 else 64, allow_nan=True, allow_infinity=True)
        base = draw(hnp.arrays(dtype, shape, elements=elements, fill=st.sampled_from([0.0, 1e30, -1e-30, 0.25])))
    else:
        base = draw(hnp.arrays(dtype, shape))
    return base


@FUZZ
@given(wave=_waveforms(), rate=st.one_of(st.integers(-10, 2_000_000), st.sampled_from([8000, 16000, 44100, 96000])))
def test_waveform_to_features_gives_finite_features_or_an_audio_error(wave, rate):
    try:
        features = waveform_to_features(wave, rate, CFG)
    except AudioError as err:
        assert "\n" not in str(err)
        lo, hi = SAMPLE_RATE_RANGE
        assert (wave.ndim not in (1, 2) or 0 in wave.shape or not lo <= rate <= hi
                or not np.isfinite(wave.astype(np.float64)).all())
        return
    feats = features.numpy()
    assert feats.shape == SHAPE and np.isfinite(feats).all() and 0.0 <= feats.min() and feats.max() <= 1.0


@FUZZ
@given(rate=st.integers(1000, 200_000), channels=st.integers(1, 8), frames=st.integers(0, 3000),
       subtype=st.sampled_from(["PCM_16", "PCM_U8", "FLOAT", "PCM_24"]),
       edits=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 255)), max_size=4))
def test_load_audio_for_model_survives_damaged_wav_headers(rate, channels, frames, subtype, edits):
    wave = np.random.default_rng(frames).uniform(-1, 1, size=(frames, channels)).astype(np.float32)
    data = bytearray(_encode(wave, rate, subtype=subtype))
    for pos, value in edits:
        if pos < len(data):
            data[pos] = value
    try:
        out = load_audio_for_model(bytes(data), CFG, name="fuzz.wav")
    except AudioError as err:
        assert "fuzz.wav" in str(err) and "\n" not in str(err)
    else:
        _ok(out)
