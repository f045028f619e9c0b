"""AppTest of the Hypersphere page on the bundled models: globe, map selection, metrics, margins."""

from __future__ import annotations

import pytest

PAGE = "app_pages/hypersphere.py"


@pytest.fixture
def page(app):
    """The app on the Hypersphere page, after its first run."""
    app.run()
    app.switch_page(PAGE)
    return app.run()


def _chart(specs, title_part: str) -> dict:
    for spec in specs:
        if title_part in (spec.get("layout", {}).get("title", {}).get("text") or ""):
            return spec
    raise AssertionError(f"No chart whose title contains {title_part!r}.")


def _frame(at, column: str):
    """The first table with ``column`` (``st.dataframe`` keys only reach AppTest when selections are on)."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"No table with a {column!r} column.")


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _customdata(spec: dict) -> list[int]:
    """Sample indices drawn in a figure's class traces, in trace order."""
    import base64

    import numpy as np

    out: list[int] = []
    for trace in spec["data"]:
        custom = trace.get("customdata")
        if isinstance(custom, dict):  # Plotly's typed-array JSON
            custom = np.frombuffer(base64.b64decode(custom["bdata"]), dtype=custom["dtype"]).tolist()
        out.extend(int(c) for c in custom or [])
    return out


def test_hypersphere_page_runs_without_exception(page, plotly_specs):
    assert not page.exception
    assert page.selectbox(key="hypersphere_model").value == "avdigits-arcface"
    assert page.radio(key="hypersphere_modality").value == "fused"
    specs = plotly_specs(page)
    globe = _chart(specs, "embeddings —")
    assert any(t["type"] == "scatter3d" and t.get("name") == "chosen sample" for t in globe["data"])
    flat = _chart(specs, "Equal-area map")
    assert flat["layout"]["dragmode"] == "lasso"
    assert any(t.get("name") == "chosen sample" for t in flat["data"])
    _chart(specs, "Classification margin")  # arcface has a cosine head
    table = _frame(page, "nearest class")
    assert len(table) == 10 and {"class", "silhouette", "k-NN acc"} <= set(table.columns)
    assert any("original 64-dimensional" in c.value for c in page.caption)


@pytest.mark.slow  # projects the visual embeddings (UMAP)
def test_hypersphere_page_visual_modality_changes_metrics_and_figures(page, plotly_specs):
    before, globe_before = _metrics(page), _chart(plotly_specs(page), "embeddings —")
    page.radio(key="hypersphere_modality").set_value("visual").run()
    assert not page.exception
    after, globe_after = _metrics(page), _chart(plotly_specs(page), "embeddings —")
    assert after["Accuracy"] != before["Accuracy"]
    assert after["Mean intra-class angle"] != before["Mean intra-class angle"]
    assert "visual only" in globe_after["layout"]["title"]["text"]
    assert globe_before["data"][1]["x"] != globe_after["data"][1]["x"]


def test_hypersphere_page_lists_a_map_selection(page, plotly_specs):
    drawn = _customdata(_chart(plotly_specs(page), "Equal-area map"))
    chosen = drawn[:3] + drawn[-2:]
    points = [{"curve_number": 0, "point_index": i, "customdata": c} for i, c in enumerate(chosen)]
    page.session_state["hypersphere_map"] = {"selection": {"points": points, "point_indices": [], "box": [],
                                                           "lasso": [{"x": [0, 1, 1], "y": [0, 0, 1]}]}}
    page.run()
    assert not page.exception
    listed = _frame(page, "margin")
    assert sorted(listed["index"].tolist()) == sorted(chosen)
    assert page.selectbox(key="hypersphere_pick").value in chosen
    assert len(page.get("audio")) == 1
    # least-certain-first ordering reorders the same samples by margin
    page.selectbox(key="hypersphere_order").set_value("margin").run()
    margins = _frame(page, "margin")["margin"].tolist()
    assert margins == sorted(margins)


def test_hypersphere_page_open_on_spikes_chooses_the_sample(page):
    target = 7
    page.session_state["hypersphere_map"] = {"selection": {"points": [{"customdata": target}]}}
    page.run()
    page.button(key="hypersphere_open_spikes").click().run()
    assert not page.exception
    assert page.session_state["sample_index"] == target


def test_hypersphere_page_worst_classes_follow_the_metric(page):
    def marked():
        return next(m.value for m in page.markdown if m.value.startswith("Worst by"))

    first = marked()
    page.selectbox(key="hypersphere_worst_by").set_value("mean_dev_deg").run()
    assert marked() != first
    assert "mean angular deviation" in marked()


@pytest.mark.slow  # embeds the split with a second model
def test_hypersphere_page_sphere3d_model_is_drawn_exactly(page, plotly_specs):
    page.selectbox(key="hypersphere_model").set_value("avdigits-sphere3d").run()
    assert not page.exception
    assert "exact sphere (D = 3)" in _chart(plotly_specs(page), "embeddings —")["layout"]["title"]["text"]
    assert any("class mean directions" in c.value for c in page.caption)


@pytest.mark.slow  # embeds the split with a second model
def test_hypersphere_page_softmax_margins_say_what_they_are(page, plotly_specs):
    page.selectbox(key="hypersphere_model").set_value("avdigits-softmax").run()
    assert not page.exception
    _chart(plotly_specs(page), "Margin to the class mean directions (linear head)")
    assert any("linear (softmax) head" in c.value for c in page.caption)


@pytest.mark.slow  # embeds the split with a second model
def test_hypersphere_page_keeps_the_users_model_pick(page):
    page.selectbox(key="hypersphere_model").set_value("avdigits-softmax").run()
    page.radio(key="hypersphere_modality").set_value("audio").run()
    assert not page.exception
    assert page.selectbox(key="hypersphere_model").value == "avdigits-softmax"
    assert page.radio(key="hypersphere_modality").value == "audio"


def test_hypersphere_page_honours_compare_models_from_the_learn_page(app):
    app.run()
    app.session_state["compare_models"] = ["assets/models/avdigits-softmax.safetensors", "avdigits-arcface"]
    app.switch_page(PAGE)
    app.run()
    assert not app.exception
    assert app.selectbox(key="hypersphere_model").value == "avdigits-softmax"
