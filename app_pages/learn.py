"""Learn: spiking neurons, spike encodings, surrogate gradients and margin losses, one live control at a time."""

import streamlit as st

from snnviz.ui import learn

st.title("Learn")
st.markdown(
    "How does a spiking network compute, how is it trained, and why do margin losses make classes compact on the "
    "hypersphere? Every figure below is live: move a control and watch it change."
)

learn.lif_block()
st.divider()
learn.encoding_block()
st.divider()
learn.surrogate_block()
st.divider()
learn.margin_block()
learn.toy_block()
st.divider()
learn.real_model_block()
