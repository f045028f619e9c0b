"""The Spikes page: neuron selection and input encoding helpers, and the page itself on a bundled model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from snnviz.recording import LayerRecord
from snnviz.ui.spikes import default_layer, input_record, layer_label, select_neurons


def _conv_layer(seed: int = 0) -> LayerRecord:
    gen = torch.Generator().manual_seed(seed)
    spikes = torch.rand(4, 1, 2 * 3 * 3, generator=gen) < torch.linspace(0.0, 1.0, 18)  # later neurons busier
    membrane = torch.randn(4, 1, 18, generator=gen)
    return LayerRecord(name="visual.lif1", branch="visual", spikes=spikes, membrane=membrane, threshold=1.0,
                       shape=(2, 3, 3))


def test_select_neurons_most_active_keeps_the_busiest_in_index_order():
    layer = _conv_layer()
    counts = layer.spikes[:, 0].sum(0).numpy()
    shown = select_neurons(layer, "most active", 5)
    ids = shown.neuron_index.numpy()
    assert ids.tolist() == sorted(ids.tolist()) and len(ids) == 5
    assert counts[ids].min() >= np.sort(counts)[-5]
    np.testing.assert_array_equal(shown.spikes.numpy(), layer.spikes[:, :, ids].numpy())
    np.testing.assert_array_equal(shown.membrane.numpy(), layer.membrane[:, :, ids].numpy())
    assert shown.shape == layer.shape and shown.name == layer.name


def test_select_neurons_random_is_seeded():
    layer = _conv_layer()
    a = select_neurons(layer, "random", 6, seed=3).neuron_index.tolist()
    assert a == select_neurons(layer, "random", 6, seed=3).neuron_index.tolist()
    assert a != select_neurons(layer, "random", 6, seed=4).neuron_index.tolist()


def test_select_neurons_channel_keeps_that_channel_of_a_subset():
    layer = _conv_layer()
    layer.neuron_index = torch.arange(18)
    assert select_neurons(layer, "channel", 64, channel=1).neuron_index.tolist() == list(range(9, 18))
    assert select_neurons(layer, "channel", 4, channel=0).neuron_index.tolist() == [0, 1, 2, 3]


def test_select_neurons_maps_recorded_subsets_to_layer_ids():
    layer = _conv_layer()
    layer.neuron_index = torch.arange(0, 36, 2)[:18]  # recorded every other neuron of a bigger layer
    layer.shape = (4, 3, 3)
    ids = select_neurons(layer, "channel", 64, channel=1).neuron_index.tolist()
    assert ids == [10, 12, 14, 16]


def test_select_neurons_rejects_bad_arguments():
    layer = _conv_layer()
    with pytest.raises(ValueError, match="'mode' parameter must be one of most active, random, channel. Got 'all'"):
        select_neurons(layer, "all")
    with pytest.raises(ValueError, match=r"'channel' parameter must be an int in \[0, 1\]. Got 2"):
        select_neurons(layer, "channel", channel=2)
    fc = LayerRecord(name="fusion.lif1", branch="fusion", spikes=torch.zeros(2, 1, 4, dtype=torch.bool),
                     membrane=None, threshold=1.0, shape=(4,))
    with pytest.raises(ValueError, match="has no channels"):
        select_neurons(fc, "channel")


def test_layer_label_names_branch_kind_and_size():
    assert layer_label(_conv_layer()) == "visual · lif1 — conv 2×3×3 (18 neurons)"


def test_default_layer_prefers_visual():
    assert default_layer(["audio.lif1", "visual.lif1", "fusion.lif1"]) == "visual.lif1"
    assert default_layer(["fusion.lif1"]) == "fusion.lif1"


def test_input_record_rate_gives_seeded_spike_frames():
    x = torch.tensor([[[0.0, 1.0], [0.5, 0.5]]])  # (1, 2, 2)
    rec = input_record(x, 64, "rate", branch="visual", seed=1)
    assert rec.shape == (1, 2, 2) and rec.spikes.shape == (64, 1, 4) and rec.membrane is None
    rate = rec.spikes[:, 0].float().mean(0)
    assert rate[0] == 0 and rate[1] == 1 and 0.3 < rate[2] < 0.7
    assert torch.equal(rec.spikes, input_record(x, 64, "rate", branch="visual", seed=1).spikes)


def test_input_record_direct_repeats_the_analogue_input():
    x = torch.tensor([[[0.2, -1.5]]])
    rec = input_record(x, 3, "direct", branch="audio", seed=0)
    assert not rec.spikes.any()
    np.testing.assert_allclose(rec.membrane[:, 0].numpy(), [[0.2, -1.5]] * 3)


# --------------------------------------------------------------------------- the page
def _raster_title(at, plotly_specs) -> str:
    titles = [spec["layout"]["title"]["text"] for spec in plotly_specs(at) if spec.get("frames")]
    return next(t for t in titles if " spikes" in t)


def test_spikes_page_runs_and_picking_a_layer_changes_the_raster(app, plotly_specs):
    app.run()  # AppTest needs one run of the entry script before it can switch pages
    app.switch_page("app_pages/spikes.py")
    app.run()
    assert not app.exception, app.exception
    assert app.selectbox(key="spikes_layer").value == "visual.lif1"
    first = _raster_title(app, plotly_specs)
    assert first.startswith("visual.lif1:")
    assert any(label.startswith("fusion · lif1") for label in app.selectbox(key="spikes_layer").options)
    app.selectbox(key="spikes_layer").set_value("fusion.lif1")
    app.run()
    assert not app.exception, app.exception
    assert _raster_title(app, plotly_specs).startswith("fusion.lif1:")
    assert "Channel" not in [w.label for w in app.number_input]
    assert len(app.radio(key="spikes_mode").options) == 2  # no "channel" for an fc layer


def test_spikes_page_neuron_count_caps_the_raster(app, plotly_specs):
    app.run()  # AppTest needs one run of the entry script before it can switch pages
    app.switch_page("app_pages/spikes.py")
    app.run()
    app.slider(key="spikes_count").set_value(16)
    app.run()
    assert not app.exception, app.exception
    assert "showing 16 of" in _raster_title(app, plotly_specs)
    app.radio(key="spikes_mode").set_value("channel")
    app.run()
    assert not app.exception, app.exception
    assert app.number_input(key="spikes_channel_visual.lif1").value == 0


def test_spikes_page_membrane_picks_survive_a_change_of_neurons(app, plotly_specs):
    app.run()
    app.switch_page("app_pages/spikes.py")
    app.run()
    picker = app.multiselect(key="spikes_neurons_visual.lif1")
    chosen = picker.options[:2]
    picker.set_value([int(c) for c in chosen])
    app.run()
    assert not app.exception, app.exception
    traces = [t["name"] for s in plotly_specs(app) if "membrane" in s["layout"]["title"]["text"] for t in s["data"]]
    assert [n for n in traces if n.startswith("neuron")] == [f"neuron {c}" for c in chosen]
    app.radio(key="spikes_mode").set_value("random")
    app.slider(key="spikes_count").set_value(8)
    app.run()
    assert not app.exception, app.exception
    kept = app.multiselect(key="spikes_neurons_visual.lif1").value
    assert set(kept) <= set(int(o) for o in app.multiselect(key="spikes_neurons_visual.lif1").options)
