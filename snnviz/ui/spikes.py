"""Blocks of the Spikes page: one sample's spikes, membranes, feature maps, activity, energy and input encoding.

The pure helpers (:func:`layer_label`, :func:`select_neurons`, :func:`input_record`)
hold no Streamlit call and are tested alone.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import streamlit as st
import torch

from snnviz.recording import LayerRecord, Recording
from snnviz.ui.state import AppContext, record_sample

__all__ = ["NEURON_MODES", "RECORD_NEURONS", "layer_label", "default_layer", "select_neurons", "input_record",
           "get_recording", "raster_block", "membrane_block", "feature_map_block", "activity_block",
           "energy_block", "encoding_block"]

NEURON_MODES = ("most active", "random", "channel")
RECORD_NEURONS = 4096  # neurons kept per layer on this page: whole layers of the small models


# --------------------------------------------------------------------------- pure helpers
def layer_label(layer: LayerRecord) -> str:
    """``"visual · lif1 — conv 16×8×8 (1,024 neurons)"``: branch, name inside it, kind, shape and size."""
    inner = layer.name.split(".", 1)[1] if "." in layer.name else layer.name
    shape = "×".join(str(s) for s in layer.shape)
    return f"{layer.branch} · {inner} — {layer.kind} {shape} ({layer.num_neurons:,} neurons)"


def default_layer(names: list[str]) -> str:
    """The layer shown first: the first visual layer (a conv feature map), else the first one."""
    if not names:
        raise ValueError("The 'names' parameter must list at least one layer. Got none.")
    return next((n for n in names if n.startswith("visual.")), names[0])


def select_neurons(layer: LayerRecord, mode: str = "most active", count: int = 64, *, sample: int = 0,
                   seed: int = 0, channel: int = 0) -> LayerRecord:
    """A copy of ``layer`` keeping only some of its recorded neurons (in index order).

    Parameters
    ----------
    layer : LayerRecord
    mode : {"most active", "random", "channel"}
        The ``count`` neurons with most spikes for ``sample`` (ties by index), a
        seeded random subset, or the neurons of one channel of a conv layer
        (at most ``count`` of them, in index order).
    count : int
        Most neurons kept.
    sample : int
        Sample of the batch whose activity ranks the neurons.
    seed : int
        Seed of the random subset.
    channel : int
        Channel for ``mode="channel"``.

    Returns
    -------
    LayerRecord
        Same ``name``, ``shape`` (the whole layer) and threshold; ``spikes``,
        ``membrane`` and ``neuron_index`` restricted to the kept neurons.

    Raises
    ------
    ValueError
        For an unknown mode, ``count < 1``, or a channel that the layer does not have.
    """
    if mode not in NEURON_MODES:
        raise ValueError(f"The 'mode' parameter must be one of {', '.join(NEURON_MODES)}. Got {mode!r}.")
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"The 'count' parameter must be an int >= 1. Got {count!r}.")
    n = layer.spikes.shape[2]
    ids = np.arange(n) if layer.neuron_index is None else layer.neuron_index.cpu().numpy()
    if mode == "most active":
        activity = layer.spikes[:, sample].sum(dim=0).cpu().numpy()
        keep = np.sort(np.lexsort((ids, -activity))[:count])
    elif mode == "random":
        keep = np.arange(n) if n <= count else np.sort(np.random.default_rng(seed).choice(n, count, replace=False))
    else:
        if layer.kind != "conv":
            raise ValueError(f"Layer {layer.name!r} has no channels: its shape is {layer.shape}, not (C, H, W).")
        c, h, w = layer.shape
        if isinstance(channel, bool) or not isinstance(channel, (int, np.integer)) or not 0 <= channel < c:
            raise ValueError(f"The 'channel' parameter must be an int in [0, {c - 1}]. Got {channel!r}.")
        keep = np.flatnonzero(ids // (h * w) == channel)[:count]
    sel = torch.from_numpy(keep.astype(np.int64))
    return dataclasses.replace(
        layer, spikes=layer.spikes.index_select(2, sel),
        membrane=None if layer.membrane is None else layer.membrane.index_select(2, sel),
        neuron_index=torch.from_numpy(ids[keep].astype(np.int64)),
    )  # fmt: skip


def input_record(x: torch.Tensor, steps: int, encoding: str, *, branch: str, seed: int) -> LayerRecord:
    """What a branch receives at each step, as a layer record ``(T, 1, C·H·W)`` of shape ``(C, H, W)``.

    For ``"rate"`` encoding these are the Bernoulli spike frames the model draws
    (same ``seed`` as :class:`~snnviz.models.AVSpikeNet`: 0 for audio, 1 for the
    image); for ``"direct"`` the same analogue input repeated, kept in ``membrane``
    (``spikes`` are all False: nothing is a spike yet).
    """
    from snnviz.models.layers import encode

    with torch.inference_mode():
        seq = encode(x[None].float(), steps, encoding, seed=seed)  # (T, 1, C, H, W)
    flat = seq.flatten(2).cpu()
    rate = encoding == "rate"
    return LayerRecord(
        name=f"{branch} input ({encoding} encoding)", branch=branch,
        spikes=flat.bool() if rate else torch.zeros_like(flat, dtype=torch.bool),
        membrane=None if rate else flat.float(), threshold=1.0, shape=tuple(x.shape),
    )  # fmt: skip


# --------------------------------------------------------------------------- blocks
def get_recording(ctx: AppContext, index: int) -> Recording:
    """The (cached) recording of sample ``index`` with whole layers up to :data:`RECORD_NEURONS` neurons."""
    recording, _ = record_sample(ctx.loaded, ctx.dataset, index, RECORD_NEURONS)
    return recording


def raster_block(layer: LayerRecord, *, animate: bool = True) -> None:
    """The animated raster of the chosen neurons."""
    from snnviz.viz import raster_figure

    shown = layer.spikes.shape[2]
    st.plotly_chart(raster_figure(layer, max_neurons=max(shown, 1), animate=animate), key="spikes_raster")


def membrane_block(layer: LayerRecord, neurons: list[int]) -> None:
    """Membrane traces of the chosen neurons (default: the most active ones) with threshold and spikes."""
    from snnviz.viz import membrane_figure

    if layer.membrane is None:
        st.info("This recording has no membrane potentials.")
        return
    st.plotly_chart(membrane_figure(layer, neurons=neurons or None, max_traces=8), key="spikes_membrane")


def feature_map_block(layer: LayerRecord, value: str) -> None:
    """The layer's channels as small heatmaps, animated over steps (conv layers only)."""
    from snnviz.viz import feature_map_figure

    st.plotly_chart(feature_map_figure(layer, value=value, max_channels=16), key="spikes_feature_map")


@st.cache_data(max_entries=64, show_spinner=False)
def _activity(model_key: str, data_key: str, index: int, _recording: Recording) -> list[Any]:
    from snnviz.analysis.activity import layer_activity

    return layer_activity(_recording)


def activity_block(ctx: AppContext, index: int, recording: Recording) -> None:
    """Firing rate, dead and saturated neurons of every layer for this sample."""
    from snnviz.viz import firing_rate_figure

    acts = _activity(ctx.loaded.key, ctx.dataset.fingerprint(), int(index), recording)
    st.plotly_chart(firing_rate_figure(acts, title="Firing rate per layer, this sample"), key="spikes_rates")


@st.cache_data(max_entries=64, show_spinner="Counting synaptic operations…")
def _energy(model_key: str, data_key: str, index: int, _ctx: AppContext) -> Any:
    from snnviz.analysis.activity import count_synaptic_ops

    item = _ctx.dataset[index]
    device = torch.device(_ctx.loaded.device)
    with _ctx.loaded.lock:
        return count_synaptic_ops(_ctx.model, item["audio"][None].to(device), item["image"][None].to(device))


def energy_block(ctx: AppContext, index: int) -> None:
    """Synaptic operations and the energy estimate of this sample, SNN against the same network as an ANN."""
    from snnviz.viz import energy_figure, format_energy

    report = _energy(ctx.loaded.key, ctx.dataset.fingerprint(), int(index), ctx)
    cols = st.columns(3)
    cols[0].metric("SNN energy / sample", format_energy(report.energy_snn_pj))
    cols[1].metric("Same network as an ANN", format_energy(report.energy_ann_pj))
    cols[2].metric("ANN / SNN", f"{report.ratio:.1f}×" if np.isfinite(report.ratio) else "∞")
    st.plotly_chart(energy_figure(report), key="spikes_energy")


def encoding_block(ctx: AppContext, index: int) -> None:
    """What the network receives at each step: the same analogue input (direct) or spike frames (rate)."""
    from snnviz.viz import feature_map_figure, spectrogram_figure

    cfg = ctx.model.config
    item = ctx.dataset[index]
    if cfg.encoding == "direct":
        st.markdown(
            f"**Direct encoding**: the network receives the *same analogue* image and log-mel spectrogram at "
            f"every one of the T = {cfg.num_steps} steps, as a constant input current. Nothing is a spike yet: the "
            "first convolution turns the input into currents and the first LIF layer emits the first spikes."
        )
        from snnviz.ui.samples import enlarge_image, image_to_display

        left, right = st.columns([1, 2])
        left.image(enlarge_image(image_to_display(item["image"])), clamp=True,
                   caption=f"visual input, identical at steps 0…{cfg.num_steps - 1}")
        right.plotly_chart(spectrogram_figure(item["audio"], config=ctx.dataset.audio_config,
                                              title=f"audio input, identical at steps 0…{cfg.num_steps - 1}"),
                           key="spikes_input_audio")
        return
    st.markdown(
        f"**Rate encoding**: at each of the T = {cfg.num_steps} steps every input value v becomes a spike with "
        "probability clamp(v, 0, 1) (a Bernoulli draw, seeded so the same sample always gives the same frames). "
        "Play the frames to see what the network actually receives."
    )
    for branch, key, seed in (("visual", "image", 1), ("audio", "audio", 0)):
        record = input_record(item[key], cfg.num_steps, cfg.encoding, branch=branch, seed=seed)
        st.plotly_chart(feature_map_figure(record, value="spikes", max_channels=3), key=f"spikes_input_{branch}")
