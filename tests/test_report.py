import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from snnviz.report import evaluate_checkpoint, write_report

MODELS = Path(__file__).resolve().parents[1] / "assets" / "models"
ARCFACE, SOFTMAX = MODELS / "avdigits-arcface.safetensors", MODELS / "avdigits-softmax.safetensors"


@pytest.fixture(autouse=True)
def _cache(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("SNNVIZ_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "report-cache"))


@pytest.fixture(scope="module")
def evaluations():
    return [evaluate_checkpoint(ARCFACE), evaluate_checkpoint(SOFTMAX)]


def test_evaluation_matches_the_accuracy_stored_at_training(evaluations):
    for ev in evaluations:
        stored = ev.meta["metrics"]["test_accuracy"]
        for modality, accuracy in ev.accuracy().items():
            assert accuracy == pytest.approx(stored[modality], abs=1e-9)
        data = ev.to_json()
        assert data["samples"] == 1080 and set(data["metrics"]) == {"audio", "visual", "fused"}
        assert len(data["per_class"]["fused"]) == 10
        json.dumps(data, allow_nan=False)  # no NaN or inf leaks into the JSON


@pytest.mark.slow
def test_report_is_one_self_contained_html_file(evaluations, tmp_path):
    out = write_report(evaluations, tmp_path / "r.html")
    text = out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
    assert not re.search(r"<script[^>]+src=", text)  # nothing to fetch: it opens offline
    assert text.count("Plotly.newPlot") >= 10  # sphere, compactness, confusion, firing, energy, history x 2
    assert "avdigits-arcface" in text and "avdigits-softmax" in text
    assert "Accuracy per modality" in text and "Per-class metrics" in text


def test_eval_command_prints_json(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "snnviz", "eval", str(ARCFACE), "--json"], capture_output=True,
                          text=True, check=True)
    data = json.loads(proc.stdout)
    assert data["model"] == "avdigits-arcface" and data["accuracy"]["fused"] > 0.9
