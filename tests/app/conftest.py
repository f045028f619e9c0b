"""AppTest fixtures: the real app on the bundled models, with a private disk cache."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "assets" / "models"
TIMEOUT = 120  # seconds; the first visit of a page may extract embeddings or run UMAP


@pytest.fixture(autouse=True)
def _app_env(monkeypatch, tmp_path_factory):
    cache = tmp_path_factory.getbasetemp() / "snnviz-cache"  # shared by the session: warm after first use
    monkeypatch.setenv("SNNVIZ_CACHE_DIR", str(cache))
    monkeypatch.delenv("SNNVIZ_MODELS_DIR", raising=False)
    monkeypatch.chdir(ROOT)


@pytest.fixture
def app():
    """A fresh AppTest of ``app.py`` (run it with ``app.run()``)."""
    from streamlit.testing.v1 import AppTest

    if not (MODELS / "avdigits-arcface.safetensors").is_file():
        pytest.fail("The bundled models are missing from assets/models (run `make models`).")
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def _plotly_specs(at) -> list[dict]:
    import json

    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


@pytest.fixture
def plotly_specs():
    """A function returning the Plotly figure JSON of every chart on an AppTest page."""
    return _plotly_specs
