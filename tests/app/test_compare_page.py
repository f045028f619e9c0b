"""AppTest of the Compare page on the bundled models: two models side by side on the same split."""

from __future__ import annotations

import pytest

PAGE = "app_pages/compare.py"


@pytest.fixture
def page(app):
    """The app on the Compare page, after its first run."""
    app.run()
    app.switch_page(PAGE)
    return app.run()


def _frame(at, column: str):
    """The first table with ``column`` (``st.dataframe`` keys only reach AppTest when selections are on)."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"No table with a {column!r} column.")


def _titles(specs) -> list[str]:
    return [spec.get("layout", {}).get("title", {}).get("text") or "" for spec in specs]


def test_compare_page_runs_without_exception(page, plotly_specs):
    assert not page.exception
    assert page.selectbox(key="compare_model_a").value == "avdigits-arcface"
    assert page.selectbox(key="compare_model_b").value == "avdigits-softmax"
    accuracy = _frame(page, "modality")
    assert accuracy["modality"].tolist() == ["audio only", "visual only", "fused"]
    titles = _titles(plotly_specs(page))
    for part in ("Compactness", "Separation", "avdigits-arcface — fused (UMAP", "avdigits-softmax — fused (UMAP",
                 "Confusion matrix", "firing rate per layer", "energy per sample"):
        assert any(part in t or part in t.replace("<br>", " ") for t in titles), part
    assert any("L2-normalised here" in c.value for c in page.caption)
    assert not page.warning  # same dataset, same split


@pytest.mark.slow  # embeds the split with a third model
def test_compare_page_swapping_model_b_changes_the_numbers(page, plotly_specs):
    before = _frame(page, "modality")
    metrics_before = _frame(page, "metric")
    page.selectbox(key="compare_model_b").set_value("avdigits-sphere3d").run()
    assert not page.exception
    after = _frame(page, "modality")
    assert "B: avdigits-sphere3d (%)" in after.columns
    assert after.iloc[:, 2].tolist() != before.iloc[:, 2].tolist()
    assert after.iloc[:, 1].tolist() == before.iloc[:, 1].tolist()  # model A is unchanged
    assert _frame(page, "metric").iloc[:, 2].tolist() != metrics_before.iloc[:, 2].tolist()
    assert any("exact (D = 3)" in t for t in _titles(plotly_specs(page)))


@pytest.mark.slow  # projects the audio embeddings of both models (UMAP)
def test_compare_page_modality_changes_the_confusions(page, plotly_specs):
    def confusions():
        return [t for t in _titles(plotly_specs(page)) if t.startswith("Confusion matrix")]

    before = confusions()
    assert len(before) == 2 and all(", fused (accuracy" in t for t in before)
    page.radio(key="compare_modality").set_value("audio").run()
    assert not page.exception
    after = confusions()
    assert len(after) == 2 and all(", audio (accuracy" in t for t in after)
    assert [t.split("(accuracy")[1] for t in after] != [t.split("(accuracy")[1] for t in before]


def test_compare_page_same_model_twice_asks_for_two(page):
    page.selectbox(key="compare_model_b").set_value("avdigits-arcface").run()
    assert not page.exception
    assert any("two different models" in i.value for i in page.info)


def test_compare_page_honours_compare_models(app):
    app.run()
    app.session_state["compare_models"] = ["avdigits-sphere3d", "avdigits-arcface"]
    app.switch_page(PAGE)
    app.run()
    assert not app.exception
    assert app.selectbox(key="compare_model_a").value == "avdigits-sphere3d"
    assert app.selectbox(key="compare_model_b").value == "avdigits-arcface"
