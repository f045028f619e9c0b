import numpy as np
import pytest
import torch

from snnviz.recording import LayerRecord
from snnviz.viz.spikes import feature_map_figure, membrane_figure, raster_figure

CAP = 5_000_000  # bytes of figure JSON


def _layer(spikes, membrane=None, shape=None, index=None, name="visual.lif1", threshold=1.0):
    shape = shape or (spikes.shape[2],)
    return LayerRecord(name=name, branch=name.split(".")[0], spikes=spikes, membrane=membrane, threshold=threshold,
                       shape=shape, neuron_index=index)


def _random_layer(steps=8, batch=2, n=40, rate=0.3, shape=None, seed=0, name="visual.lif1"):
    gen = torch.Generator().manual_seed(seed)
    spikes = torch.rand(steps, batch, n, generator=gen) < rate
    membrane = torch.randn(steps, batch, n, generator=gen)
    return _layer(spikes, membrane, shape=shape, name=name)


def _spike_points(trace):
    return set(zip(np.asarray(trace.x).tolist(), np.asarray(trace.y).tolist()))


# ---------------------------------------------------------------- raster
def test_raster_figure_frames_accumulate_spikes_up_to_each_step():
    spikes = torch.zeros(3, 1, 4, dtype=torch.bool)
    spikes[0, 0, 1] = spikes[1, 0, 3] = spikes[2, 0, 1] = spikes[2, 0, 2] = True
    fig = raster_figure(_layer(spikes))
    assert [f.name for f in fig.frames] == ["0", "1", "2"]
    past, now = fig.frames[1].data
    assert _spike_points(past) == {(0, 1)} and _spike_points(now) == {(1, 3)}
    # at rest the figure shows every step: earlier steps + the last one
    assert _spike_points(fig.data[0]) | _spike_points(fig.data[1]) == {(0, 1), (1, 3), (2, 1), (2, 2)}
    assert tuple(fig.layout.xaxis.range) == (-0.5, 2.5)


def test_raster_figure_has_play_pause_and_slider():
    fig = raster_figure(_random_layer(steps=5))
    labels = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert any("play" in lab for lab in labels) and any("pause" in lab for lab in labels)
    slider = fig.layout.sliders[0]
    assert [s.label for s in slider.steps] == ["0", "1", "2", "3", "4"]
    assert slider.active == 4


def test_raster_figure_subsamples_and_reports_whole_layer_size():
    fig = raster_figure(_random_layer(n=500), max_neurons=64)
    assert "showing 64 of 500 neurons" in fig.layout.title.text
    assert tuple(fig.layout.yaxis.range) == (-0.5, 63.5)
    assert max(np.asarray(fig.data[0].y).max(), np.asarray(fig.data[1].y).max()) <= 63


def test_raster_figure_customdata_is_the_recorded_neuron_index():
    spikes = torch.zeros(2, 1, 3, dtype=torch.bool)
    spikes[:, 0, 2] = True
    layer = _layer(spikes, shape=(4, 5, 5), index=torch.tensor([3, 50, 97]))
    fig = raster_figure(layer)
    assert set(np.asarray(fig.frames[1].data[0].customdata).tolist()) == {97}
    assert "showing 3 of 100 neurons" in fig.layout.title.text


def test_raster_figure_static_has_no_frames_and_selects_sample():
    spikes = torch.zeros(2, 2, 3, dtype=torch.bool)
    spikes[0, 1, 0] = True
    fig = raster_figure(_layer(spikes), sample=1, animate=False)
    assert not fig.frames
    assert _spike_points(fig.data[0]) == {(0, 0)}
    with pytest.raises(ValueError, match=r"'sample' parameter must be an index in \[0, 1\]. Got 2"):
        raster_figure(_layer(spikes), sample=2)


def test_raster_figure_json_under_cap_for_a_busy_large_layer():
    layer = _random_layer(steps=32, batch=1, n=40_320, rate=0.5, shape=(16, 40, 63), name="audio.lif1")
    fig = raster_figure(layer, max_neurons=512)
    assert len(fig.to_json()) < CAP


# ---------------------------------------------------------------- membrane
def test_membrane_figure_lines_threshold_and_spike_markers():
    spikes = torch.zeros(4, 1, 3, dtype=torch.bool)
    spikes[2, 0, 1] = True
    membrane = torch.zeros(4, 1, 3)
    membrane[:, 0, 1] = torch.tensor([0.3, 0.7, 1.2, 0.4])
    fig = membrane_figure(_layer(spikes, membrane, threshold=1.0), neurons=[1, 0])
    line, marks = fig.data[0], fig.data[1]
    assert line.name == "neuron 1" and np.allclose(line.y, [0.3, 0.7, 1.2, 0.4])
    assert list(marks.x) == [2] and np.isclose(marks.y[0], 1.2)
    assert fig.layout.shapes[0].y0 == 1.0 and fig.layout.shapes[0].line.dash == "dash"
    assert len(fig.data) == 4
    assert tuple(fig.layout.xaxis.range) == (-0.5, 3.5)


def test_membrane_figure_defaults_to_most_active_neurons():
    spikes = torch.zeros(4, 1, 5, dtype=torch.bool)
    spikes[:, 0, 3] = True
    spikes[:2, 0, 1] = True
    fig = membrane_figure(_layer(spikes, torch.zeros(4, 1, 5)), max_traces=2)
    assert [t.name for t in fig.data if t.name.startswith("neuron")] == ["neuron 1", "neuron 3"]


def test_membrane_figure_maps_layer_indices_through_neuron_index_and_caps():
    layer = _layer(torch.zeros(2, 1, 3, dtype=torch.bool), torch.zeros(2, 1, 3), shape=(10,),
                   index=torch.tensor([2, 5, 9]))
    fig = membrane_figure(layer, neurons=[9, 5, 2], max_traces=2)
    assert [t.name for t in fig.data if t.name.startswith("neuron")] == ["neuron 9", "neuron 5"]
    assert "showing 2 of 3 requested neurons" in fig.layout.title.text
    with pytest.raises(ValueError, match=r"neuron\(s\) \[4\] that layer 'visual.lif1' did not record"):
        membrane_figure(layer, neurons=[4])


def test_membrane_figure_needs_membranes():
    with pytest.raises(ValueError, match="recorded without membranes"):
        membrane_figure(_layer(torch.zeros(2, 1, 3, dtype=torch.bool)))


# ---------------------------------------------------------------- feature maps
def test_feature_map_figure_one_heatmap_per_channel_and_frame_per_step():
    spikes = torch.zeros(3, 1, 2 * 2 * 3, dtype=torch.bool)
    spikes[1, 0, 0] = True  # channel 0, (0, 0) at step 1
    fig = feature_map_figure(_layer(spikes, shape=(2, 2, 3)))
    assert len(fig.data) == 2 and len(fig.frames) == 3
    assert np.asarray(fig.frames[1].data[0].z).tolist() == [[1, 0, 0], [0, 0, 0]]
    assert np.asarray(fig.frames[0].data[0].z).sum() == 0
    assert fig.layout.sliders[0].active == 2


def test_feature_map_figure_keeps_most_active_channels_and_says_so():
    spikes = torch.zeros(2, 1, 4 * 9, dtype=torch.bool)
    spikes[:, 0, 18:27] = True  # channel 2 busy
    spikes[0, 0, 30] = True  # channel 3 a little
    fig = feature_map_figure(_layer(spikes, shape=(4, 3, 3)), max_channels=2)
    assert [t.name for t in fig.data] == ["ch 2", "ch 3"]
    assert "showing 2 of 4 channels" in fig.layout.title.text


def test_feature_map_figure_blank_for_unrecorded_neurons_and_membrane_scale():
    layer = _layer(torch.zeros(1, 1, 2, dtype=torch.bool), torch.tensor([[[0.5, -2.0]]]), shape=(1, 2, 2),
                   index=torch.tensor([0, 3]))
    fig = feature_map_figure(layer, value="membrane")
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z[0, 0] == 0.5 and z[1, 1] == -2.0 and np.isnan(z[0, 1])
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (-2.0, 2.0)


def test_feature_map_figure_rejects_fc_layers():
    with pytest.raises(ValueError, match=r"not a conv layer: its shape is \(12,\)"):
        feature_map_figure(_layer(torch.zeros(1, 1, 12, dtype=torch.bool)))


def test_feature_map_figure_json_under_cap_for_the_audio_front_layer():
    layer = _random_layer(steps=8, batch=1, n=16 * 40 * 63, shape=(16, 40, 63), name="audio.lif1")
    for value in ("spikes", "membrane"):
        assert len(feature_map_figure(layer, value=value).to_json()) < CAP
