"""Hypersphere: where the samples land on the sphere, how compact each class is, and what a selection holds."""

import streamlit as st

from snnviz.errors import SnnvizError
from snnviz.ui import hypersphere as hs
from snnviz.ui.compare import open_model
from snnviz.ui.state import require_context

hs.handle_navigation()
st.title("Hypersphere")
st.markdown("Margin losses pull each class together around its own direction and push classes apart. Here are the "
            "L2-normalised embeddings on the sphere: colour = true class, drag on the map to select samples.")
ctx = require_context()
left, right = st.columns([1, 2])
with left:
    name = hs.pick_model(ctx)
try:
    view = open_model(name, ctx)
except SnnvizError as err:
    st.error(str(err))
    st.stop()
with right:
    modality = hs.pick_modality(view)
highlight = ctx.index if hs.same_samples(view, ctx) else None
try:
    event, figure = hs.projection_block(view, modality, highlight)
    hs.selection_block(view, modality, event, figure)
    st.divider()
    hs.metrics_block(view, modality)
    hs.margins_block(view, modality)
except SnnvizError as err:
    st.error(str(err))
