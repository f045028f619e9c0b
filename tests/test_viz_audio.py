import numpy as np
import pytest

from snnviz.config import AudioConfig
from snnviz.viz.audio import decimate_envelope, spectrogram_figure, waveform_figure


def test_decimate_envelope_keeps_peaks_and_order():
    signal = np.zeros(10_000)
    signal[1234] = 1.0
    signal[8765] = -2.0
    idx, vals = decimate_envelope(signal, 100)
    assert idx.size <= 100
    assert np.all(np.diff(idx) > 0)
    assert vals.max() == 1.0 and vals.min() == -2.0


def test_waveform_figure_seconds_axis_and_decimation_note():
    wav = np.sin(np.linspace(0, 200 * np.pi, 16_000)).astype(np.float32)
    fig = waveform_figure(wav, 16_000, max_points=1000)
    line = fig.data[0]
    assert len(line.x) <= 1000
    assert line.x[0] == 0.0 and line.x[-1] == pytest.approx(15_999 / 16_000)
    assert "decimated for display" in fig.layout.title.text and "of 16,000 samples" in fig.layout.title.text


def test_waveform_figure_short_clip_is_not_decimated():
    fig = waveform_figure(np.ones((1, 50)), 100)
    assert len(fig.data[0].x) == 50
    assert "decimated" not in fig.layout.title.text


def test_waveform_figure_rejects_stereo():
    with pytest.raises(ValueError, match=r"mono signal \(S,\) or \(1, S\). Got \(2, 10\)"):
        waveform_figure(np.zeros((2, 10)), 16_000)


def test_spectrogram_figure_time_axis_from_config_and_band_frequencies():
    cfg = AudioConfig()
    spec = np.random.default_rng(0).normal(size=(1, cfg.n_mels, cfg.frames))
    fig = spectrogram_figure(spec, config=cfg)
    heat = fig.data[0]
    assert np.asarray(heat.z).shape == (40, 63)
    assert heat.x[1] == pytest.approx(cfg.hop_length / cfg.sample_rate)
    centres = np.asarray(heat.customdata)[:, 0]
    assert np.all(np.diff(centres) > 0) and cfg.f_min < centres[0] and centres[-1] < cfg.f_max
    assert fig.layout.xaxis.title.text == "time (s)"


def test_spectrogram_figure_frames_axis_without_rate():
    fig = spectrogram_figure(np.zeros((8, 5)))
    assert list(fig.data[0].x) == [0, 1, 2, 3, 4]
    assert fig.layout.xaxis.title.text == "frame"
