import math

import pytest

from snnviz.analysis.activity import EnergyReport, LayerActivity, LayerOps
from snnviz.viz._style import branch_color
from snnviz.viz.activity import energy_figure, firing_rate_figure, format_energy


def _act(name, branch, rate, dead=0.0, sat=0.0):
    return LayerActivity(name=name, branch=branch, firing_rate=rate, dead_fraction=dead, saturated_fraction=sat,
                         spikes_per_sample=10.0, neurons=100, recorded=100, samples=4)


def test_firing_rate_figure_bars_by_branch_in_forward_order():
    acts = [_act("audio.lif1", "audio", 0.1, dead=0.5), _act("visual.lif1", "visual", 0.2, sat=0.25),
            _act("audio.lif_fc", "audio", 0.05)]
    fig = firing_rate_figure(acts)
    audio = fig.data[0]
    assert audio.name == "audio" and list(audio.x) == ["audio.lif1", "audio.lif_fc"]
    assert list(audio.y) == pytest.approx([10.0, 5.0])
    assert audio.marker.color == branch_color("audio")
    dead, sat = fig.data[-2:]
    assert list(dead.y) == [50.0, 0.0, 0.0] and list(sat.y) == [0.0, 25.0, 0.0]
    assert list(fig.layout.xaxis.categoryarray) == ["audio.lif1", "visual.lif1", "audio.lif_fc"]
    assert "over 4 samples" in fig.layout.title.text


def test_firing_rate_figure_rejects_empty():
    with pytest.raises(ValueError, match="at least one layer"):
        firing_rate_figure([])


def _report():
    ops = (LayerOps("conv1", "conv", 1000, 1.0, False, 1.0, 0.0, 1000.0),
           LayerOps("fc", "linear", 500, 8.0, True, 0.1, 400.0, 0.0))
    snn, ann = 0.9 * 400 + 4.6 * 1000, 4.6 * 1500
    return EnergyReport(ops, 8, 2, 400.0, 1000.0, 1500, snn, ann, ann / snn)


def test_energy_figure_totals_layers_and_caveat():
    report = _report()
    fig = energy_figure(report)
    totals, snn, ann = fig.data
    assert list(totals.x) == ["SNN", "ANN"] and list(totals.y) == pytest.approx([4960.0, 6900.0])
    assert list(snn.y) == pytest.approx([4600.0, 360.0]) and list(ann.y) == pytest.approx([4600.0, 2300.0])
    assert fig.layout.yaxis2.type == "log"
    assert "ANN / SNN = 1.4×" in fig.layout.title.text
    assert any("memory" in a.text for a in fig.layout.annotations)


def test_energy_figure_infinite_ratio_when_snn_does_nothing():
    ops = (LayerOps("fc", "linear", 10, 4.0, True, 0.0, 0.0, 0.0),)
    fig = energy_figure(EnergyReport(ops, 4, 1, 0.0, 0.0, 10, 0.0, 46.0, math.inf))
    assert "∞" in fig.layout.title.text


def test_format_energy_picks_units():
    assert format_energy(12.345) == "12.35 pJ"
    assert format_energy(2.5e6) == "2.50 µJ"
    assert format_energy(3e9) == "3.00 mJ"
