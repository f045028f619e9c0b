"""Compare: two models side by side on the same split — accuracy, discrimination, spheres, confusions, energy."""

import streamlit as st

from snnviz.errors import SnnvizError
from snnviz.ui import compare
from snnviz.ui.state import require_context

st.title("Compare")
st.markdown("Two models on the same samples: does a margin loss (ArcFace) give more compact, better separated "
            "classes than plain softmax, and what does it cost in spikes?")
ctx = require_context()
pair = compare.pick_models(ctx)
if pair is None:
    st.stop()
if pair[0] == pair[1]:
    st.info("Pick two different models to compare.")
    st.stop()
try:
    a, b = compare.open_model(pair[0], ctx), compare.open_model(pair[1], ctx)
except SnnvizError as err:
    st.error(str(err))
    st.stop()
note = compare.dataset_note(a, b)
if note is not None:
    getattr(st, note[0])(note[1])
modality = st.radio("Embeddings", compare.MODALITIES, index=2, key="compare_modality", horizontal=True,
                    format_func=compare.MODALITY_LABEL.get)
for block, args in ((compare.accuracy_block, ()), (compare.discrimination_block, (modality,)),
                    (compare.spheres_block, (modality,)), (compare.confusion_block, (modality,)),
                    (compare.activity_block, ())):
    try:
        block(a, b, *args)
    except SnnvizError as err:
        st.error(str(err))
