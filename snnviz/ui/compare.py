"""Blocks of the Compare page (two models side by side), and the model choice shared with the Hypersphere page."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

import numpy as np
import streamlit as st

from snnviz.errors import SnnvizError
from snnviz.ui.models import LoadedModel, list_models
from snnviz.ui.state import (
    MAX_NEURONS,
    AppContext,
    dataset_spec,
    get_embeddings,
    get_projection,
    load_model,
    load_split,
)

__all__ = ["ModelView", "model_options", "requested_models", "sync_choice", "open_model", "pick_models",
           "metrics_for", "dataset_note", "accuracy_block", "discrimination_block", "spheres_block", "confusion_block",
           "activity_block", "DEFAULT_PAIR", "MODALITIES", "MODALITY_LABEL"]

DEFAULT_PAIR = ("avdigits-arcface", "avdigits-softmax")
MODALITIES = ("audio", "visual", "fused")
MODALITY_LABEL = {"audio": "audio only", "visual": "visual only", "fused": "fused"}
MODEL_COLORS = ("#4e79a7", "#e15759")  # model A, model B
ACTIVITY_BATCH = 32  # samples of the split used for firing rates and energy


class ModelView:
    """One model with its dataset split and embeddings, as a page needs them."""

    def __init__(self, name: str, loaded: LoadedModel, dataset: Any, split: str) -> None:
        self.name, self.loaded, self.dataset, self.split = name, loaded, dataset, split
        self.emb = get_embeddings(loaded, dataset)

    @property
    def config(self):
        return self.loaded.model.config


def model_options(ctx: AppContext) -> list[str]:
    """Models the pickers offer: the models folder, plus the sidebar's model when it was uploaded."""
    names = list(list_models())
    if ctx.loaded.name not in names:
        names.insert(0, ctx.loaded.name)
    return names


def requested_models(options: list[str]) -> list[str]:
    """The models named by ``st.session_state["compare_models"]`` that are offered, in order.

    The entries may be model names or file paths (only the file name is used, never the
    path, so a name can only pick a model that the folder offers).
    """
    asked = st.session_state.get("compare_models") or []
    if isinstance(asked, str):
        asked = [asked]
    found = []
    for entry in asked:
        name = PurePath(str(entry)).name
        name = name[: -len(".safetensors")] if name.endswith(".safetensors") else name
        if name in options and name not in found:
            found.append(name)
    return found


def sync_choice(key: str, options: list[str], default: str, token: Any) -> None:
    """Put ``default`` into the widget ``key`` when its value is invalid or ``token`` changed since last time.

    ``token`` says where the default came from (the sidebar model, the compare request):
    when that changes, the page follows it; otherwise the user's own pick is kept.
    """
    token_key = f"_{key}_token"
    token = json.dumps(token, sort_keys=True, default=str)
    if st.session_state.get(key) not in options or st.session_state.get(token_key) != token:
        st.session_state[key] = default if default in options else options[0]
    st.session_state[token_key] = token


def open_model(name: str, ctx: AppContext) -> ModelView:
    """Load the model ``name`` (the sidebar's own when it is that one) with its dataset split and embeddings."""
    loaded = ctx.loaded if name == ctx.loaded.name else load_model(name, st.session_state.get("sidebar_device", "auto"))
    if loaded is ctx.loaded:
        dataset = ctx.dataset
    else:
        dataset = load_split(dataset_spec(loaded.meta, st.session_state.get("sidebar_root") or None), ctx.split)
    return ModelView(name, loaded, dataset, ctx.split)


def _dataset_name(view: ModelView) -> str:
    return (view.loaded.meta.get("dataset") or {}).get("name", "av-digits")


def dataset_note(a: ModelView, b: ModelView) -> tuple[str, str] | None:
    """``(level, message)`` when the two models are not evaluated on the same samples, else None."""
    if _dataset_name(a) != _dataset_name(b) or list(a.dataset.sample_ids) != list(b.dataset.sample_ids):
        return ("warning", f"The two models were trained on different datasets ({_dataset_name(a)} "
                           f"{getattr(a.dataset, 'options', {})} vs {_dataset_name(b)} "
                           f"{getattr(b.dataset, 'options', {})}): each is evaluated on its own {a.split} split, so "
                           "the numbers below are not a like-for-like comparison.")
    if a.dataset.fingerprint() != b.dataset.fingerprint():
        return ("info", f"Both models see the same {len(a.dataset):,} {a.split} samples, each through its own "
                        "feature settings (spectrogram or image size differ).")
    return None


def pick_models(ctx: AppContext) -> tuple[str, str] | None:
    """The two model selectboxes (``compare_model_a``/``compare_model_b``); None when fewer than two models exist."""
    options = model_options(ctx)
    if len(options) < 2:
        st.info("Comparing needs two models in the models folder; train another one with `snnviz train`.")
        return None
    asked = requested_models(options)
    pair = asked[:2] if len(asked) >= 2 else [n for n in DEFAULT_PAIR if n in options]
    pair = (pair + [n for n in options if n not in pair])[:2]
    token = list(st.session_state.get("compare_models") or [])
    sync_choice("compare_model_a", options, pair[0], token)
    sync_choice("compare_model_b", options, pair[1], token)
    left, right = st.columns(2)
    a = left.selectbox("Model A", options, key="compare_model_a")
    b = right.selectbox("Model B", options, key="compare_model_b")
    return a, b


def _describe(view: ModelView) -> str:
    cfg, meta = view.config, view.loaded.meta
    loss = (meta.get("train_config") or {}).get("loss", "?")
    norm = "L2-normalised" if cfg.normalize else "not normalised"
    return f"**{view.name}** · {loss} loss · {cfg.head} head · D={cfg.embed_dim} ({norm}) · T={cfg.num_steps}"


def accuracy_block(a: ModelView, b: ModelView) -> None:
    """Accuracy of both models per modality, with the difference B − A."""
    st.subheader(f"Accuracy on the {a.split} split")
    cols = st.columns(2)
    cols[0].markdown(_describe(a))
    cols[1].markdown(_describe(b))
    rows = []
    for m in [m for m in MODALITIES if m in a.emb.modalities and m in b.emb.modalities]:
        acc_a, acc_b = 100 * a.emb.accuracy(m), 100 * b.emb.accuracy(m)
        rows.append({"modality": MODALITY_LABEL[m], f"A: {a.name} (%)": round(acc_a, 2),
                     f"B: {b.name} (%)": round(acc_b, 2), "B − A (pts)": round(acc_b - acc_a, 2)})
    st.dataframe(rows, hide_index=True, width="stretch", key="compare_accuracy")


@st.cache_data(max_entries=32, show_spinner="Measuring compactness and separation…")
def _metrics(model_key: str, data_key: str, modality: str, _X: np.ndarray, _labels: np.ndarray, _classes: tuple):
    from snnviz.analysis.sphere import sphere_metrics

    return sphere_metrics(_X, _labels, class_names=list(_classes))


def metrics_for(view: ModelView, modality: str):
    """:class:`~snnviz.analysis.sphere.SphereMetrics` of one modality on the original D-dim embeddings (cached)."""
    return _metrics(view.loaded.key, view.dataset.fingerprint(), modality, view.emb.embeddings[modality],
                    view.emb.labels, tuple(view.emb.classes))


def _recolor(fig, names: tuple[str, str]):
    for trace in fig.data:
        if trace.name in names:
            trace.marker.color = MODEL_COLORS[names.index(trace.name)]
    return fig


def discrimination_block(a: ModelView, b: ModelView, modality: str) -> None:
    """Compactness and separation of both models: headline table and per-class bars."""
    from snnviz.viz import class_metric_bars

    st.subheader(f"Compactness and separation ({MODALITY_LABEL[modality]})")
    ma, mb = metrics_for(a, modality), metrics_for(b, modality)
    labels = {"mean_intra_angle_deg": "mean intra-class angle (°) ↓",
              "min_inter_angle_deg": "min inter-class angle (°) ↑", "simplex_angle_deg": "simplex optimum (°)",
              "separability": "separability ↑", "fisher": "Fisher ratio ↑",
              "silhouette": "silhouette ↑", "knn_accuracy": "k-NN accuracy ↑"}  # fmt: skip
    sa, sb = ma.summary(), mb.summary()
    rows = [{"metric": text, f"A: {a.name}": round(float(sa[k]), 3), f"B: {b.name}": round(float(sb[k]), 3)}
            for k, text in labels.items()]
    st.dataframe(rows, hide_index=True, width="stretch", key="compare_metrics")
    unnormalised = [v.name for v in (a, b) if not v.config.normalize]
    note = (f" {' and '.join(unnormalised)} does not normalise its features (softmax training); they are "
            "L2-normalised here so both models are compared on the same sphere." if unnormalised else "")
    st.caption("Every number is measured on the original D-dimensional embeddings, never on the 3-D projection;"
               + note)
    if ma.class_names != mb.class_names:
        st.info("The two models have different classes, so per-class bars are not drawn.")
        return
    names = (f"A: {a.name}", f"B: {b.name}")
    left, right = st.columns(2)
    fig = class_metric_bars({names[0]: ma.mean_deviation_deg, names[1]: mb.mean_deviation_deg}, ma.class_names,
                            metric="mean angular deviation (°)", title="Compactness: spread around the class mean ↓")
    left.plotly_chart(_recolor(fig, names), key="compare_compactness")
    near_a = ma.inter_angle_deg[np.arange(len(ma.nearest_class)), ma.nearest_class]
    near_b = mb.inter_angle_deg[np.arange(len(mb.nearest_class)), mb.nearest_class]
    fig = class_metric_bars({names[0]: near_a, names[1]: near_b}, ma.class_names,
                            metric="angle to the nearest class mean (°)", reference=ma.simplex_angle_deg,
                            reference_label="simplex optimum", title="Separation: angle to the nearest class ↑")
    right.plotly_chart(_recolor(fig, names), key="compare_separation")


def spheres_block(a: ModelView, b: ModelView, modality: str) -> None:
    """Both models' embeddings on the globe."""
    from snnviz.viz import sphere_figure

    st.subheader("The two spheres")
    cols = st.columns(2)
    for col, view, tag in zip(cols, (a, b), ("a", "b")):
        proj = get_projection(view.loaded, view.dataset, view.emb, modality)
        how = "exact (D = 3)" if proj["method"] != "umap" else f"UMAP from D = {view.config.embed_dim}"
        fig = sphere_figure(proj["xyz"], view.emb.labels, view.emb.classes, predictions=view.emb.predictions[modality],
                            sample_ids=view.emb.sample_ids, title=f"{view.name} — {modality} ({how})")
        col.plotly_chart(fig, key=f"compare_sphere_{tag}")
    st.caption("UMAP places points to keep neighbourhoods, not angles: compare the clusters, and read the numbers "
               "above for sizes and distances.")


def confusion_block(a: ModelView, b: ModelView, modality: str) -> None:
    """Both confusion matrices side by side."""
    from snnviz.viz import confusion_figure, confusion_matrix

    st.subheader("Confusion matrices")
    cols = st.columns(2)
    for col, view, tag in zip(cols, (a, b), ("a", "b")):
        cm = confusion_matrix(view.emb.labels, view.emb.predictions[modality], len(view.emb.classes))
        col.plotly_chart(confusion_figure(cm, view.emb.classes, title=f"Confusion matrix — {view.name}, {modality}"),
                         key=f"compare_confusion_{tag}")


@st.cache_data(max_entries=16, show_spinner="Recording spikes and counting operations on one batch…")
def _activity(model_key: str, data_key: str, batch: int, _loaded: LoadedModel, _dataset) -> tuple[list, Any]:
    import torch

    from snnviz.analysis.activity import count_synaptic_ops, split_activity

    item = _dataset.batch(range(min(batch, len(_dataset))))
    device = torch.device(_loaded.device)
    audio, image = item["audio"].to(device), item["image"].to(device)
    with _loaded.lock:
        acts = split_activity(_loaded.model, [(audio, image)], device=device, max_neurons=MAX_NEURONS)
        report = count_synaptic_ops(_loaded.model, audio, image)
    return acts, report


def activity_block(a: ModelView, b: ModelView) -> None:
    """Per-layer firing rates and the energy estimate of both models, on the first batch of the split."""
    from snnviz.viz import energy_figure, firing_rate_figure, format_energy

    st.subheader("Firing rates and energy")
    cols = st.columns(2)
    for col, view, tag in zip(cols, (a, b), ("a", "b")):
        try:
            acts, report = _activity(view.loaded.key, view.dataset.fingerprint(), ACTIVITY_BATCH, view.loaded,
                                     view.dataset)
        except SnnvizError as err:
            col.error(str(err))
            continue
        col.metric(f"{view.name}: energy per sample", format_energy(report.energy_snn_pj),
                   delta=f"{report.ratio:.1f}× less than as an ANN", delta_color="off", delta_arrow="off")
        col.plotly_chart(firing_rate_figure(acts, title=f"{view.name} — firing rate per layer"),
                         key=f"compare_firing_{tag}")
        col.plotly_chart(energy_figure(report, title=f"{view.name} — energy per sample"), key=f"compare_energy_{tag}")
    n = min(ACTIVITY_BATCH, len(a.dataset))
    st.caption(f"Measured on the first {n} samples of the {a.split} split. {_energy_caveat()}")


def _energy_caveat() -> str:
    from snnviz.analysis.activity import ENERGY_CAVEAT

    return ENERGY_CAVEAT
