"""Samples: browse and filter the split, open a pair, or run your own clip and image through the model."""

import streamlit as st

from snnviz.errors import SnnvizError
from snnviz.ui import samples
from snnviz.ui.state import require_context

st.title("Samples")
ctx = require_context()

gallery_col, sample_col = st.columns([1, 1], gap="medium")
with gallery_col:
    st.markdown("#### Gallery")
    classes = st.multiselect("Class", ctx.loaded.classes, key="samples_classes", placeholder="all classes")
    correctness = st.radio("Fused head", ["all", "correct", "incorrect"], key="samples_correctness", horizontal=True)
    disagree = st.toggle("Audio and visual heads disagree", key="samples_disagree")
    try:
        index = samples.gallery(ctx, classes=classes, correctness=correctness, disagree=disagree)
    except SnnvizError as err:
        st.error(str(err))
        st.stop()
with sample_col:
    try:
        samples.sample_view(ctx, index)
    except SnnvizError as err:
        st.error(str(err))

st.divider()
st.markdown("#### Try your own")
up_audio, up_image = st.columns(2)
audio_file = up_audio.file_uploader("Audio clip", type=samples.AUDIO_TYPES, key="samples_upload_audio",
                                    help=f"Cropped or padded to {ctx.dataset.audio_config.duration:g} s, "
                                         f"resampled to {ctx.dataset.audio_config.sample_rate:,} Hz.")
image_file = up_image.file_uploader("Image", type=samples.IMAGE_TYPES, key="samples_upload_image",
                                    help=f"Centre-cropped and resized to {ctx.dataset.image_config.size} px.")
samples.upload_block(ctx, audio_file, image_file)
