"""Blocks of the Overview page: the model card."""

from __future__ import annotations

import streamlit as st

from snnviz.ui.state import AppContext, get_embeddings

__all__ = ["intro", "model_card", "accuracy_block", "history_block", "compactness_block"]

MODALITY_LABEL = {"audio": "Audio only", "visual": "Visual only", "fused": "Fused"}


def intro() -> None:
    st.title("snnviz — a lab for multi-modal spiking networks")
    st.markdown(
        "Explore trained **audio-visual spiking neural networks**: play a sample, watch it spike through every "
        "layer, and see where it lands on the **hypersphere** of L2-normalised embeddings, where angular-margin "
        "losses pull each class together and push classes apart.\n\n"
        "**Samples** — browse, filter and play pairs, or upload your own clip/image · "
        "**Spikes** — animated rasters, membrane traces, feature maps and energy per layer · "
        "**Hypersphere** — the embeddings on the sphere with compactness and separation numbers · "
        "**Compare** — two models side by side (ArcFace vs softmax) · **Learn** — SNN concepts, live."
    )


@st.cache_data(max_entries=16, show_spinner=False)
def _summary(model_key: str, audio_shape: tuple, image_shape: tuple, _model) -> dict:
    from snnviz.analysis.architecture import architecture_summary

    return architecture_summary(_model, audio_shape, image_shape)


def model_card(ctx: AppContext) -> None:
    meta, cfg = ctx.meta, ctx.model.config
    item = ctx.dataset[0]
    with ctx.loaded.lock:
        summary = _summary(ctx.loaded.key, tuple(item["audio"].shape), tuple(item["image"].shape), ctx.model)
    st.subheader(f"Model card — {ctx.loaded.name}")
    if meta.get("description"):
        st.caption(meta["description"])
    cols = st.columns(5)
    cols[0].metric("Parameters", f"{summary['parameters']:,}")
    cols[1].metric("Spiking neurons", f"{summary['neurons']:,}")
    cols[2].metric("Time steps T", cfg.num_steps)
    cols[3].metric("Embedding D", cfg.embed_dim)
    loss = (meta.get("train_config") or {}).get("loss", "?")
    cols[4].metric("Loss", loss, help=f"{cfg.head} heads over the embeddings")
    with st.expander("Architecture: every spiking layer", expanded=False):
        st.markdown(
            f"Visual branch **{cfg.visual}** · audio branch: compact conv SNN over a {cfg.n_mels}-band log-mel "
            f"spectrogram · fusion: spiking MLP ({cfg.fusion_hidden} neurons) · Leaky neurons β={cfg.beta}, "
            f"threshold {cfg.threshold}, reset by {cfg.reset_mechanism}, {cfg.surrogate} surrogate · "
            f"{cfg.encoding} input encoding · embeddings {'L2-normalised' if cfg.normalize else 'not normalised'}."
        )
        st.dataframe(summary["layers"], hide_index=True, width="stretch", key="overview_layers")


def accuracy_block(ctx: AppContext) -> None:
    emb = get_embeddings(ctx.loaded, ctx.dataset)
    st.subheader(f"Accuracy on the {ctx.split} split ({len(emb.labels):,} pairs)")
    cols = st.columns(len(emb.modalities))
    best_single = max(emb.accuracy(m) for m in emb.modalities if m != "fused")
    for col, m in zip(cols, emb.modalities):
        delta = None
        if m == "fused":
            delta = f"{100 * (emb.accuracy(m) - best_single):+.1f} pts vs best single"
        col.metric(MODALITY_LABEL.get(m, m), f"{100 * emb.accuracy(m):.1f}%", delta=delta)


def history_block(ctx: AppContext) -> None:
    history = ctx.meta.get("history") or []
    if not history:
        st.info("This checkpoint carries no training history.")
        return
    from snnviz.viz.training import history_figure

    st.subheader("Training history")
    st.plotly_chart(history_figure(history), key="overview_history")
    secs = ctx.meta.get("train_seconds")
    if secs:
        st.caption(f"Trained in {secs / 60:.1f} min on {ctx.meta.get('device', '?')}; best epoch "
                   f"{(ctx.meta.get('metrics') or {}).get('best_epoch', '?')} (by fused validation accuracy).")


def compactness_block(ctx: AppContext) -> None:
    emb = get_embeddings(ctx.loaded, ctx.dataset)
    st.subheader("Feature discrimination on the hypersphere")
    rows = []
    for m in emb.modalities:
        s = _metrics_summary(ctx.loaded.key, ctx.dataset.fingerprint(), m, emb.embeddings[m], emb.labels)
        rows.append({"modality": m, "mean intra-class angle (°)": round(s["mean_intra_angle_deg"], 1),
                     "min inter-class angle (°)": round(s["min_inter_angle_deg"], 1),
                     "simplex optimum (°)": round(s["simplex_angle_deg"], 1),
                     "separability": round(s["separability"], 2), "silhouette": round(s["silhouette"], 3),
                     "k-NN acc": round(s["knn_accuracy"], 3)})
    st.dataframe(rows, hide_index=True, width="stretch", key="overview_compactness")
    st.caption("Angles are measured on the original D-dimensional unit embeddings (never on a projection); "
               "smaller intra-class and larger inter-class angles mean more discriminative features.")


@st.cache_data(max_entries=64, show_spinner="Measuring compactness…")
def _metrics_summary(model_key: str, data_key: str, modality: str, _X, _labels) -> dict:
    from snnviz.analysis.sphere import sphere_metrics

    return sphere_metrics(_X, _labels).summary()
