"""Cached loaders and the app's shared selection (the Streamlit side of the library).

Models and datasets are cached with ``st.cache_resource`` (one object shared by
every session; models are in eval mode and start each forward pass from zero
state, and a per-model lock serialises forward passes). Embeddings, projections
and recordings are cached with ``st.cache_data`` on top of the library's disk
cache, so a second visit — even after a restart — is instant.

Session-state keys shared between pages:

- ``sidebar_model``: name of the chosen model (a file in the models folder or ``upload: NAME``)
- ``sidebar_split``: ``"test"`` or ``"train"``
- ``sidebar_device``: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``
- ``sample_index``: index of the chosen sample in the chosen split
- ``compare_models``: two model names for the Compare and Hypersphere pages
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st
import torch

from snnviz.config import AudioConfig, ImageConfig
from snnviz.device import resolve_device
from snnviz.errors import SnnvizError
from snnviz.ui.models import LoadedModel, list_models, load_model_bytes, load_model_file, resolve_model_path

__all__ = [
    "AppContext",
    "load_model",
    "load_upload",
    "load_split",
    "dataset_spec",
    "get_embeddings",
    "get_projection",
    "record_sample",
    "predict",
    "current_context",
    "require_context",
    "current_sample",
    "set_sample",
    "MAX_NEURONS",
]

MAX_NEURONS = 512  # neurons kept per layer in the app's recordings


def _configure_threads() -> None:
    """Use one intra-op torch thread in the app unless ``SNNVIZ_TORCH_THREADS`` says otherwise.

    Every browser session runs its script in its own thread; with intra-op
    parallelism on top, small tensor ops oversubscribe the cores and OpenMP spins
    (measured 20-60x slower per op on a busy 2-core machine).
    """
    import os

    wanted = os.environ.get("SNNVIZ_TORCH_THREADS", "1")
    try:
        torch.set_num_threads(max(1, int(wanted)))
    except ValueError:
        torch.set_num_threads(1)


_configure_threads()


@dataclass
class AppContext:
    """What every page works on: the loaded model, its dataset split and the chosen sample."""

    loaded: LoadedModel
    dataset: Any
    split: str
    index: int

    @property
    def model(self):
        return self.loaded.model

    @property
    def meta(self) -> dict[str, Any]:
        return self.loaded.meta


def _device_name(choice: str) -> str:
    return str(resolve_device(choice))


@st.cache_resource(max_entries=8, show_spinner="Loading the model…")
def _load_model_cached(path: str, mtime_ns: int, device: str) -> LoadedModel:
    from pathlib import Path

    return load_model_file(Path(path), device)


def load_model(name: str, device: str = "auto") -> LoadedModel:
    """The model ``name`` from the models folder, loaded once per file version and device."""
    path = resolve_model_path(name)
    return _load_model_cached(str(path), path.stat().st_mtime_ns, _device_name(device))


@st.cache_resource(max_entries=4, show_spinner="Loading the uploaded model…")
def _load_upload_cached(digest: str, name: str, device: str, _data: bytes) -> LoadedModel:
    return load_model_bytes(_data, name, device)


def load_upload(data: bytes, name: str, device: str = "auto") -> LoadedModel:
    """An uploaded checkpoint, kept in memory (never written to disk)."""
    import hashlib

    return _load_upload_cached(hashlib.sha256(data).hexdigest(), name, _device_name(device), data)


def dataset_spec(meta: dict[str, Any], root: str | None = None) -> str:
    """A JSON key describing the dataset a model was trained on (name, options, feature settings)."""
    info = meta.get("dataset") or {"name": "av-digits", "options": {}}
    options = {k: v for k, v in (info.get("options") or {}).items() if k != "augment"}
    if root:
        options["root"] = root
    spec = {
        "name": info.get("name", "av-digits"),
        "options": options,
        "audio": meta.get("audio_config"),
        "image": meta.get("image_config"),
    }
    return json.dumps(spec, sort_keys=True)


@st.cache_resource(max_entries=8, show_spinner="Loading the dataset…")
def load_split(spec: str, split: str):
    """The dataset split described by ``spec`` (see :func:`dataset_spec`)."""
    from snnviz.data import load_dataset

    info = json.loads(spec)
    kwargs = dict(info["options"])
    if info.get("audio"):
        kwargs["audio"] = AudioConfig.from_dict(info["audio"])
    if info.get("image"):
        kwargs["image"] = ImageConfig.from_dict(info["image"])
    return load_dataset(info["name"], split, **kwargs)


@st.cache_data(max_entries=16, show_spinner=False)
def _embeddings_cached(model_key: str, data_key: str, _loaded: LoadedModel, _dataset):
    from snnviz.analysis.embeddings import extract_embeddings

    bar = st.progress(0.0, text="Running the model over the split…")
    try:
        with _loaded.lock:
            return extract_embeddings(
                _loaded.model,
                _dataset,
                batch_size=256,
                device=_loaded.device,
                cache=True,
                model_hash=_loaded.sha256,
                progress=lambda done, total: bar.progress(
                    done / max(total, 1), text=f"Embedding {done}/{total} samples…"
                ),
            )
    finally:
        bar.empty()


def get_embeddings(loaded: LoadedModel, dataset):
    """Embeddings of every sample of ``dataset`` (memory cache → disk cache → model)."""
    return _embeddings_cached(loaded.key, dataset.fingerprint(), loaded, dataset)


@st.cache_data(max_entries=24, show_spinner=False)
def _projection_cached(model_key: str, data_key: str, modality: str, _X: np.ndarray) -> dict[str, Any]:
    from snnviz.analysis.projection import project_cached

    with st.spinner(f"Projecting {len(_X):,} {modality} embeddings onto the sphere (UMAP)…"):
        proj = project_cached(_X, cache=True)
    return {"xyz": proj.xyz_, "lonlat": proj.lonlat_, "map_xy": proj.map_xy_, "method": proj.method_}


def get_projection(loaded: LoadedModel, dataset, embeddings, modality: str) -> dict[str, Any]:
    """Sphere coordinates of one modality's embeddings: exact for D <= 3, UMAP otherwise."""
    return _projection_cached(loaded.key, dataset.fingerprint(), modality, embeddings.embeddings[modality])


@st.cache_data(max_entries=32, show_spinner="Recording spikes…")
def _record_cached(model_key: str, data_key: str, index: int, max_neurons: int, _loaded: LoadedModel, _dataset):
    from snnviz.recording import Recorder

    item = _dataset[index]
    device = torch.device(_loaded.device)
    with _loaded.lock, torch.inference_mode(), Recorder(_loaded.model, max_neurons=max_neurons) as rec:
        out = _loaded.model(item["audio"][None].to(device), item["image"][None].to(device))
    return rec.recording, _output_to_numpy(out)


def record_sample(loaded: LoadedModel, dataset, index: int, max_neurons: int = MAX_NEURONS):
    """``(Recording, outputs)`` for sample ``index``: spikes and membranes of every spiking layer."""
    return _record_cached(loaded.key, dataset.fingerprint(), int(index), int(max_neurons), loaded, dataset)


def _output_to_numpy(out) -> dict[str, dict[str, np.ndarray]]:
    return {
        "logits": {m: v[0].float().cpu().numpy() for m, v in out.logits.items()},
        "embeddings": {m: v[0].float().cpu().numpy() for m, v in out.embeddings.items()},
    }


def predict(loaded: LoadedModel, audio: torch.Tensor | None, image: torch.Tensor | None) -> dict[str, Any]:
    """Run one (possibly unimodal) sample, e.g. an upload; returns numpy logits/embeddings per modality."""
    device = torch.device(loaded.device)
    with loaded.lock, torch.inference_mode():
        out = loaded.model(
            None if audio is None else audio[None].to(device), None if image is None else image[None].to(device)
        )
    return _output_to_numpy(out)


def set_sample(index: int) -> None:
    """Choose the sample every page shows."""
    st.session_state["sample_index"] = int(index)


def current_context(*, notify: bool = True) -> AppContext | None:
    """The chosen model, split and sample, or None (with an ``st.error``/``st.info``) if unavailable."""
    loaded = st.session_state.get("_loaded_model")
    if loaded is None:
        if notify:
            st.info("No model is loaded: pick one in the sidebar (the bundled models live in assets/models).")
        return None
    split = st.session_state.get("sidebar_split", "test")
    root = st.session_state.get("sidebar_root") or None
    try:
        dataset = load_split(dataset_spec(loaded.meta, root), split)
    except SnnvizError as err:
        if notify:
            st.error(str(err))
        return None
    index = int(st.session_state.get("sample_index", 0))
    if not 0 <= index < len(dataset):
        index = 0
        st.session_state["sample_index"] = 0
    return AppContext(loaded=loaded, dataset=dataset, split=split, index=index)


def require_context() -> AppContext:
    """:func:`current_context` or stop the page with a message."""
    ctx = current_context()
    if ctx is None:
        st.stop()
    return ctx


def current_sample() -> dict[str, Any] | None:
    """The chosen sample: the dataset's ``raw(i)`` plus the model tensors ``audio`` and ``image``."""
    ctx = current_context(notify=False)
    if ctx is None:
        return None
    raw = dict(ctx.dataset.raw(ctx.index))
    item = ctx.dataset[ctx.index]
    raw.update(audio=item["audio"], image_tensor=item["image"], index=ctx.index)
    return raw


def model_names() -> list[str]:
    """Names of the models in the models folder."""
    return list(list_models())
