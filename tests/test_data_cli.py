"""Tests for 'snnviz data list|info'."""

import json

import numpy as np
from PIL import Image

from snnviz.cli import main
from snnviz.data import write_audio


def test_data_list_names_every_dataset(capsys):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("av-digits", "cifar10-av", "urbansound8k-av", "paired-folders"):
        assert name in out


def test_data_info_av_digits_prints_counts_durations_and_corruption(capsys):
    assert main(["data", "info", "av-digits", "--set", "snr_db=[0,10]"]) == 0
    out = capsys.readouterr().out
    assert "total     4311     1080" in out
    assert "test audio: 160 clips, 16 voices" in out
    assert "white noise at SNR 0..10 dB" in out and "occlusion 3x3 px" in out


def test_data_info_json_for_a_folder_dataset(tmp_path, capsys):
    for k in range(4):
        (tmp_path / "vision" / "cat").mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.zeros((4, 4), dtype=np.uint8)).save(tmp_path / "vision" / "cat" / f"{k}.png")
        (tmp_path / "audio" / "cat").mkdir(parents=True, exist_ok=True)
        write_audio(tmp_path / "audio" / "cat" / f"{k}.wav", np.zeros(8000, dtype=np.float32), 16000, format="WAV")
    assert main(["data", "info", "paired-folders", "--vision-dir", str(tmp_path / "vision"),
                 "--audio-dir", str(tmp_path / "audio"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["splits"]["train"]["size"] == 3 and summary["splits"]["test"]["size"] == 1
    assert summary["splits"]["train"]["audio_durations"]["mean_s"] == 0.5


def test_data_info_reports_errors_with_exit_status_1(capsys):
    assert main(["data", "info", "cifar10-av"]) == 1
    assert "needs root=PATH" in capsys.readouterr().err
    assert main(["data", "info", "av-digits", "--set", "nonsense"]) == 1
    assert "KEY=VALUE" in capsys.readouterr().err
