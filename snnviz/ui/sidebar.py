"""The shared sidebar: model picker (folder + upload), split, device, dataset root."""

from __future__ import annotations

import streamlit as st

from snnviz.errors import SnnvizError
from snnviz.ui.models import DEFAULT_MODEL, device_choices, list_models, models_dir
from snnviz.ui.state import load_model, load_upload

__all__ = ["render_sidebar"]

_FOLDER_DATASETS = {"cifar10-av", "urbansound8k-av", "paired-folders"}
_LAST_UPLOAD = "_sidebar_last_upload"  # content hash of the last upload selected automatically


def render_sidebar() -> None:
    """Draw the sidebar and put the chosen model in ``st.session_state["_loaded_model"]``."""
    sb = st.sidebar
    sb.markdown("### Model")
    available = list(list_models())
    upload = sb.file_uploader("Upload a .safetensors model", key="sidebar_upload",
                              help="Checkpoints written by `snnviz train`. Pickle files (.pt/.pth) are refused.")
    device = sb.selectbox("Device", device_choices(), key="sidebar_device",
                          help="auto picks cuda, then mps, then cpu.")
    loaded, upload_name = None, None
    if upload is not None:
        try:
            loaded = load_upload(upload.getvalue(), upload.name, device)
            upload_name = loaded.name
        except SnnvizError as err:
            sb.error(str(err))
    options = ([upload_name] if upload_name else []) + available
    if not options:
        sb.error(f"No models found in {models_dir()}; train one with `make models` or upload a file.")
        st.session_state["_loaded_model"] = None
        return
    if upload_name and st.session_state.get(_LAST_UPLOAD) != loaded.sha256:
        st.session_state[_LAST_UPLOAD] = loaded.sha256  # a new upload: show it (once; the user may switch back)
        st.session_state["sidebar_model"] = upload_name
    if st.session_state.get("sidebar_model") not in options:
        st.session_state["sidebar_model"] = upload_name or (DEFAULT_MODEL if DEFAULT_MODEL in options else options[0])
    name = sb.selectbox("Model", options, key="sidebar_model")
    if name != upload_name:
        try:
            loaded = load_model(name, device)
        except SnnvizError as err:
            sb.error(str(err))
            loaded = None
    st.session_state["_loaded_model"] = loaded
    sb.markdown("### Data")
    sb.radio("Split", ["test", "train"], key="sidebar_split", horizontal=True)
    if loaded is not None:
        dataset = (loaded.meta.get("dataset") or {}).get("name", "av-digits")
        if dataset in _FOLDER_DATASETS:
            sb.text_input(f"Local {dataset} folder", key="sidebar_root",
                          help="The dataset is not bundled: point to your local copy.")
        cfg = loaded.model.config
        sb.caption(
            f"**{loaded.name}** · {dataset} · {cfg.visual} + audio SNN · T={cfg.num_steps} · "
            f"D={cfg.embed_dim} · {cfg.head} head · on {loaded.device}"
        )
