"""AppTest of the Learn page on its own: every block renders, and the controls change what they should."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "app_pages" / "learn.py"


@pytest.fixture
def learn():
    """The Learn page, run once (the first run of a session loads the AV-Digits sample)."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(PAGE), default_timeout=120).run()


def _chart(at, title_part: str | None = None, trace_name: str | None = None) -> dict:
    """The first chart whose title contains ``title_part`` or that has a trace called ``trace_name``."""
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec.get("layout", {}).get("title", {}).get("text") or ""
        names = {t.get("name") for t in spec["data"]}
        if (title_part and title_part in title) or (trace_name and trace_name in names):
            return spec
    raise AssertionError(f"No chart with title {title_part!r} or trace {trace_name!r}.")


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_learn_page_runs_without_exception(learn):
    assert not learn.exception
    assert len(learn.get("plotly_chart")) >= 6
    keys = [w.key for w in learn.slider] + [w.key for w in learn.radio] + [w.key for w in learn.selectbox]
    assert keys and all(k.startswith("learn_") for k in keys)


def test_learn_page_beta_changes_the_spike_count(learn):
    before = int(_metric(learn, "spikes"))
    spikes_before = _chart(learn, trace_name="output spikes S[t]")
    learn.slider(key="learn_lif_beta").set_value(0.5).run()
    assert not learn.exception
    after = int(_metric(learn, "spikes"))
    assert after < before
    assert _chart(learn, trace_name="output spikes S[t]") != spikes_before


def test_learn_page_margin_changes_the_decision_boundaries(learn):
    def arcface_gaps(at) -> list[float]:
        spec = _chart(at, trace_name="gap")
        (gap,) = [t for t in spec["data"] if t.get("name") == "gap" and t["xaxis"] == "x4"]  # the ArcFace panel
        return [end - start for start, end in gap["meta"]]

    before = arcface_gaps(learn)
    assert len(before) == 3 and before == pytest.approx([0.5] * 3, abs=0.02)
    learn.slider(key="learn_margin_arcface_m").set_value(0.9).run()
    assert not learn.exception
    assert arcface_gaps(learn) == pytest.approx([0.9] * 3, abs=0.02)
    assert f"{math.degrees(0.9):.1f}°" in " ".join(c.value for c in learn.caption)


def test_learn_page_encodings_switch(learn):
    for method in ("latency", "delta", "direct", "rate"):
        learn.radio(key="learn_enc_method").set_value(method).run()
        assert not learn.exception, method
        if method == "direct":  # what the default model is fed
            assert any("encoding = 'direct' with T = 8" in c.value for c in learn.caption)
    learn.radio(key="learn_enc_modality").set_value("spectrogram").run()
    raster = _chart(learn, title_part="raster")
    z = raster["data"][0]["z"]  # Plotly sends arrays as typed binary with their shape
    assert z["shape"].replace(" ", "") == f"{40 * 63},25"  # every (band, frame) value is one neuron, T = 25


def test_learn_page_toy_training_animates(learn):
    assert any("Press **Train**" in i.value for i in learn.info)
    learn.button(key="learn_toy_train").click().run()
    assert not learn.exception
    animation = _chart(learn, title_part="training step by step")
    assert len(animation["frames"]) == 31  # a snapshot every 10 of 300 steps, and step 0
    rows = learn.dataframe[0].value
    assert list(rows["loss"]) == ["softmax", "arcface"]


def test_learn_page_says_when_the_bundled_models_are_missing(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SNNVIZ_MODELS_DIR", str(tmp_path))  # an empty models folder
    at = AppTest.from_file(str(PAGE), default_timeout=120).run()
    assert not at.exception
    message = next(i.value for i in at.info if "bundled models are missing" in i.value)
    assert "avdigits-arcface.safetensors" in message and "avdigits-softmax.safetensors" in message


@pytest.mark.slow
def test_learn_page_compares_two_models_side_by_side(monkeypatch, tmp_path):
    import torch
    from streamlit.testing.v1 import AppTest

    from snnviz.checkpoint import save_checkpoint
    from snnviz.config import ModelConfig
    from snnviz.models import build_model

    torch.manual_seed(0)
    for name, head in (("avdigits-arcface", "cosine"), ("avdigits-softmax", "linear")):  # untrained stand-ins
        save_checkpoint(build_model(ModelConfig(head=head)).eval(), tmp_path / f"{name}.safetensors",
                        meta={"classes": [str(d) for d in range(10)], "dataset": {"name": "av-digits", "options": {}}})
    monkeypatch.setenv("SNNVIZ_MODELS_DIR", str(tmp_path))
    at = AppTest.from_file(str(PAGE), default_timeout=300).run()
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    table = at.dataframe[-1].value
    assert list(table.columns) == ["metric", "arcface", "softmax"]
    assert "mean intra-class angle (°)" in list(table["metric"])
    assert at.session_state["compare_models"] == ["avdigits-arcface", "avdigits-softmax"]
