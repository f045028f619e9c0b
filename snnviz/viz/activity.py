"""Figures of spiking activity and energy, from :mod:`snnviz.analysis.activity` results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from snnviz.viz._style import BRANCH_COLORS, apply_layout, branch_color

__all__ = ["firing_rate_figure", "energy_figure", "format_energy"]

_DEAD_COLOR = "#7f7f7f"
_SATURATED_COLOR = "#d62728"


def firing_rate_figure(activities: Sequence[Any], *, title: str = "Firing rate per layer") -> go.Figure:
    """Bars of each layer's firing rate (coloured by branch) above its dead and saturated fractions.

    Parameters
    ----------
    activities : sequence of LayerActivity
        From :func:`snnviz.analysis.activity.layer_activity` or ``split_activity``,
        in forward order.
    title : str
        Figure title; the number of samples is appended.

    Returns
    -------
    plotly.graph_objects.Figure
        Top: one bar trace per branch (firing rate, %); bottom: a "dead" and a
        "saturated" bar trace (% of neurons). X = layer names in the given order.
    """
    acts = list(activities)
    if not acts:
        raise ValueError("The 'activities' parameter must hold at least one layer. Got none.")
    names = [a.name for a in acts]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.6, 0.4],
                        subplot_titles=("firing rate (% of neurons per step)", "dead / saturated neurons (%)"))
    branches = list(dict.fromkeys(a.branch for a in acts))
    for branch in branches:
        sel = [a for a in acts if a.branch == branch]
        fig.add_trace(go.Bar(
            x=[a.name for a in sel], y=[100 * a.firing_rate for a in sel], name=branch or "other",
            marker_color=branch_color(branch),
            customdata=np.array([[a.spikes_per_sample, a.neurons, a.recorded] for a in sel], dtype=np.float64),
            hovertemplate="%{x}<br>rate %{y:.2f}%<br>%{customdata[0]:,.1f} spikes/sample"
                          "<br>%{customdata[1]:,} neurons (%{customdata[2]:,} recorded)<extra></extra>",
        ), row=1, col=1)  # fmt: skip
    fig.add_trace(go.Bar(x=names, y=[100 * a.dead_fraction for a in acts], name="dead (never fire)",
                         marker_color=_DEAD_COLOR), row=2, col=1)
    fig.add_trace(go.Bar(x=names, y=[100 * a.saturated_fraction for a in acts], name="saturated (fire every step)",
                         marker_color=_SATURATED_COLOR), row=2, col=1)
    fig.update_yaxes(range=[0, 100], row=2, col=1)
    fig.update_xaxes(categoryorder="array", categoryarray=names, type="category")
    samples = max(a.samples for a in acts)
    return apply_layout(fig, f"{title}<br><sup>over {samples:,} sample{'s' if samples != 1 else ''}</sup>",
                        barmode="group", height=520)


def format_energy(picojoules: float) -> str:
    """Human-readable energy: ``format_energy(2.5e6)`` -> ``'2.50 µJ'``."""
    value = float(picojoules)
    for unit, scale in (("J", 1e12), ("mJ", 1e9), ("µJ", 1e6), ("nJ", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.2f} {unit}"
    return f"{value:.2f} pJ"


def energy_figure(report: Any, *, title: str = "Energy per sample: SNN vs ANN") -> go.Figure:
    """Total and per-layer energy of the SNN against the same network run as an ANN.

    Parameters
    ----------
    report : EnergyReport
        From :func:`snnviz.analysis.activity.count_synaptic_ops`.
    title : str
        Figure title; the ratio is appended.

    Returns
    -------
    plotly.graph_objects.Figure
        Left: two bars (SNN, ANN) of total energy in pJ; right: per-layer
        grouped bars on a log axis. The caveat (arithmetic only) is written
        under the figure.
    """
    layers = list(report.layers)
    if not layers:
        raise ValueError("The 'report' parameter has no layers; count_synaptic_ops found no Conv2d or Linear.")
    fig = make_subplots(rows=1, cols=2, column_widths=[0.3, 0.7], horizontal_spacing=0.12,
                        subplot_titles=("total", "per layer (log scale)"))
    totals = [report.energy_snn_pj, report.energy_ann_pj]
    fig.add_trace(go.Bar(
        x=["SNN", "ANN"], y=totals, marker_color=[BRANCH_COLORS["fusion"], "#7f7f7f"], showlegend=False,
        text=[format_energy(v) for v in totals], textposition="outside",
        customdata=[[report.total_sops, report.total_mac_ops], [0.0, float(report.ann_macs)]],
        hovertemplate="%{x}: %{y:,.0f} pJ<br>%{customdata[0]:,.0f} SOPs, %{customdata[1]:,.0f} MACs<extra></extra>",
    ), row=1, col=1)  # fmt: skip
    names = [op.name for op in layers]
    snn = [op.energy_snn_pj for op in layers]
    ann = [op.energy_ann_pj for op in layers]
    kinds = ["spikes" if op.binary_input else "analogue" for op in layers]
    custom = np.array([[op.input_rate * 100, op.steps] for op in layers], dtype=np.float64)
    fig.add_trace(go.Bar(
        x=names, y=snn, name="SNN", marker_color=BRANCH_COLORS["fusion"], customdata=custom, text=kinds,
        textposition="none",
        hovertemplate="%{x}: %{y:,.0f} pJ<br>input %{text}, %{customdata[0]:.1f}% non-zero, "
                      "%{customdata[1]:g} steps<extra>SNN</extra>",
    ), row=1, col=2)  # fmt: skip
    fig.add_trace(go.Bar(x=names, y=ann, name="ANN", marker_color="#7f7f7f",
                         hovertemplate="%{x}: %{y:,.0f} pJ<extra>ANN</extra>"), row=1, col=2)
    fig.update_yaxes(title_text="pJ per sample", row=1, col=1)
    fig.update_yaxes(type="log", row=1, col=2)
    fig.update_xaxes(type="category", row=1, col=2)
    ratio = report.ratio
    ratio_text = "∞" if not np.isfinite(ratio) else f"{ratio:.1f}×"
    fig.add_annotation(text=report.caveat, xref="paper", yref="paper", x=0.0, y=-0.32, showarrow=False,
                       xanchor="left", font={"size": 11, "color": "#555555"})
    return apply_layout(
        fig, f"{title}<br><sup>ANN / SNN = {ratio_text}, T = {report.num_steps} steps</sup>",
        barmode="group", height=460, margin={"l": 60, "r": 20, "t": 80, "b": 140},
    )  # fmt: skip
