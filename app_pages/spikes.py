"""Spikes: one sample through every spiking layer — raster, membranes, feature maps, activity, energy, input."""

import streamlit as st

from snnviz.errors import SnnvizError
from snnviz.ui import spikes
from snnviz.ui.state import require_context

st.title("Spikes")
ctx = require_context()
index = ctx.index
try:
    recording = spikes.get_recording(ctx, index)
except SnnvizError as err:
    st.error(str(err))
    st.stop()
sample_id = ctx.dataset.sample_ids[index]
st.caption(f"Sample **{sample_id}** (class {ctx.dataset.classes[int(ctx.dataset.labels[index])]}) · "
           f"T = {recording.num_steps} steps · choose another sample on the Samples page.")

names = recording.layer_names
if st.session_state.get("spikes_layer") not in names:
    st.session_state["spikes_layer"] = spikes.default_layer(names)
name = st.selectbox("Spiking layer (audio → visual → fusion)", names, key="spikes_layer",
                    format_func=lambda n: spikes.layer_label(recording[n]))
layer = recording[name]

pick, count_col, channel_col = st.columns([2, 2, 1])
modes = spikes.NEURON_MODES if layer.kind == "conv" else spikes.NEURON_MODES[:2]
if st.session_state.get("spikes_mode") not in modes:
    st.session_state["spikes_mode"] = "random"  # a fair sample; the most active neurons often fire at every step
mode = pick.radio("Neurons", modes, key="spikes_mode", horizontal=True)
count = count_col.slider("How many", 8, 512, 128, step=8, key="spikes_count")
channel = 0
if mode == "channel":
    channel = channel_col.number_input("Channel", 0, layer.shape[0] - 1, 0, key=f"spikes_channel_{name}")
try:
    shown = spikes.select_neurons(layer, mode, count, channel=int(channel))
    raster_col, membrane_col = st.columns(2)
    with raster_col:
        spikes.raster_block(shown)
    with membrane_col:
        ids, picked_key = shown.neuron_index.tolist(), f"spikes_neurons_{name}"
        st.session_state[picked_key] = [n for n in st.session_state.get(picked_key, []) if n in set(ids)]
        chosen = st.multiselect("Membrane traces of neurons (default: the most active)", ids, key=picked_key,
                                max_selections=8)
        spikes.membrane_block(shown, chosen)
    if layer.kind == "conv":
        value = st.radio("Feature maps show", ["spikes", "membrane"], key="spikes_fmap_value", horizontal=True)
        spikes.feature_map_block(layer, value)
except (SnnvizError, ValueError) as err:
    st.error(str(err))

st.markdown("#### Activity and energy of this sample")
rates_col, energy_col = st.columns(2)
try:
    with rates_col:
        spikes.activity_block(ctx, index, recording)
    with energy_col:
        spikes.energy_block(ctx, index)
except SnnvizError as err:
    st.error(str(err))

st.markdown("#### The input encoding")
spikes.encoding_block(ctx, index)
