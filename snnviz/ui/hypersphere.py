"""Blocks of the Hypersphere page: globe and equal-area map, map selection, per-class metrics, margins."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from snnviz.analysis.selection import ORDERS, order_selection, selected_indices, selection_rows
from snnviz.ui.compare import MODALITY_LABEL, ModelView, metrics_for, model_options, requested_models, sync_choice
from snnviz.ui.state import AppContext, get_projection, set_sample

__all__ = ["pick_model", "pick_modality", "same_samples", "projection_block", "selection_block", "metrics_block",
           "margins_block", "margins_for", "handle_navigation", "MAP_KEY", "MAX_LISTED"]

MAP_KEY = "hypersphere_map"
MAX_LISTED = 50  # rows of the selection list
_GOTO = "_hypersphere_goto"
METRIC_LABELS = {
    "silhouette": "silhouette (compact and apart) ↑",
    "knn_accuracy": "k-NN accuracy ↑",
    "mean_dev_deg": "mean angular deviation (°) ↓",
    "p95_dev_deg": "95th-percentile deviation (°) ↓",
    "nearest_angle_deg": "angle to the nearest class (°) ↑",
    "R": "mean resultant length R ↑",
}


def pick_model(ctx: AppContext) -> str:
    """The model selectbox: the sidebar's model by default, or the first model the Learn page asked for."""
    options = model_options(ctx)
    asked = requested_models(options)
    default = asked[0] if asked else ctx.loaded.name
    sync_choice("hypersphere_model", options, default,
                [ctx.loaded.name, list(st.session_state.get("compare_models") or [])])
    if len(asked) > 1:
        st.caption(f"Suggested for comparison: {', '.join(asked)} — switch between them here, or open Compare.")
    return st.selectbox("Model", options, key="hypersphere_model",
                        help="Defaults to the sidebar's model; the Learn page can suggest models to compare.")


def pick_modality(view: ModelView) -> str:
    """The modality radio: audio, visual or fused embeddings."""
    options = view.emb.modalities
    if st.session_state.get("hypersphere_modality") not in options:
        st.session_state["hypersphere_modality"] = "fused" if "fused" in options else options[0]
    return st.radio("Embeddings", options, key="hypersphere_modality", horizontal=True,
                    format_func=lambda m: MODALITY_LABEL.get(m, m))


def same_samples(view: ModelView, ctx: AppContext) -> bool:
    """Whether sample indices of ``view`` mean the same samples as the sidebar's (so the chosen one can be shown)."""
    return view.dataset is ctx.dataset or list(view.dataset.sample_ids) == list(ctx.dataset.sample_ids)


def _projection(view: ModelView, modality: str) -> dict[str, Any]:
    d = view.config.embed_dim
    if d <= 3:
        return get_projection(view.loaded, view.dataset, view.emb, modality)
    with st.status(f"Placing {len(view.emb):,} {modality} embeddings (D = {d}) on the sphere…", expanded=False) as box:
        proj = get_projection(view.loaded, view.dataset, view.emb, modality)
        box.update(label=f"{len(view.emb):,} {modality} embeddings on the sphere ({proj['method']})", state="complete")
    return proj


def projection_block(view: ModelView, modality: str, highlight: int | None) -> Any:
    """The globe next to the equal-area map; returns the map's selection event and the map figure."""
    from snnviz.viz import map_figure, sphere_figure

    proj = _projection(view, modality)
    emb, d = view.emb, view.config.embed_dim
    exact = proj["method"] != "umap"
    means = None
    if exact and d == 3:
        metrics = metrics_for(view, modality)
        if len(metrics.class_names) == len(emb.classes):
            means = metrics.mean_directions  # the true class mean directions: the 3-D embedding is the sphere
    common = {"predictions": emb.predictions[modality], "sample_ids": emb.sample_ids, "highlight": highlight,
              "highlight_label": "chosen sample"}
    left, right = st.columns(2)
    how = "the exact sphere (D = 3)" if exact else f"UMAP from D = {d} onto the sphere"
    globe = sphere_figure(proj["xyz"], emb.labels, emb.classes, class_means=means,
                          title=f"{MODALITY_LABEL[modality]} embeddings — {how}", **common)
    left.plotly_chart(globe, key="hypersphere_globe")
    flat = map_figure(proj["map_xy"], emb.labels, emb.classes, kind="map_xy",
                      title="Equal-area map — drag a box or lasso to select", **common)
    flat.update_layout(showlegend=False)  # the globe beside it carries the legend; the map gets the width
    event = right.plotly_chart(flat, key=MAP_KEY, on_select="rerun", selection_mode=("box", "lasso"))
    mean_note = ("Lines from the centre are the class mean directions." if means is not None else
                 "Lines from the centre point to the mean of each class's projected points.")
    st.caption(f"{mean_note} The map is a Lambert equal-area projection of the same sphere (longitude → x, "
               "sin latitude → y): areas, and so densities, are kept. "
               + ("" if exact else "UMAP keeps neighbourhoods, not angles; the numbers below do not use it."))
    return event if event is not None else st.session_state.get(MAP_KEY), flat


def margins_for(view: ModelView, modality: str) -> tuple[np.ndarray, str]:
    """Per-sample margins and a caption saying what they are.

    A cosine head gives ``cos θ_y − max_{j≠y} cos θ_j`` from its logits. A linear head's logits
    are not cosines, so the margin is taken against the class mean directions of the
    L2-normalised embeddings instead (a nearest-class-mean classifier on the sphere).
    """
    from snnviz.analysis.sphere import classification_margins, normalize_rows

    emb = view.emb
    if emb.head == "cosine":
        return emb.margins(modality), ("Margins of the cosine head: cos θ to the true class weight minus the largest "
                                       "cos θ to another class. Below 0 means misclassified.")
    metrics = metrics_for(view, modality)
    codes = np.searchsorted(np.asarray(metrics.classes), emb.labels)
    cos = normalize_rows(emb.embeddings[modality]) @ metrics.mean_directions.T
    return classification_margins(cos, codes), (
        "This model has a linear (softmax) head: its logits are not cosines, so a cosine margin is not defined for "
        "its classifier. Shown instead: the margin against the class mean directions of the L2-normalised "
        "embeddings (cos θ to the own class mean minus the largest cos θ to another class mean).")


def _audio(view: ModelView, index: int) -> None:
    raw = view.dataset.raw(index)
    wave = raw.get("waveform")
    if wave is None:
        st.caption("This sample has no audio.")
        return
    st.audio(np.asarray(wave, dtype=np.float32), sample_rate=int(raw["sample_rate"]))


def _go(index: int, page: str, model: str) -> None:
    set_sample(index)
    st.session_state["sidebar_model"] = model
    st.session_state[_GOTO] = page


def handle_navigation() -> None:
    """Switch page when an "Open on …" button asked for it (call at the top of the page)."""
    page = st.session_state.pop(_GOTO, None)
    if page:
        st.switch_page(page)


def selection_block(view: ModelView, modality: str, event: Any, figure: Any) -> None:
    """The samples selected on the map: a table, one to play, buttons to open it elsewhere."""
    emb = view.emb
    picked = selected_indices(event, n_samples=len(emb), figure=figure)
    st.subheader("Selected samples")
    if picked.size == 0:
        st.info("Drag a box or a lasso on the map to list the samples inside it.")
        return
    margins, _ = margins_for(view, modality)
    order = st.selectbox("Order", ORDERS, key="hypersphere_order",
                         format_func=lambda o: {"margin": "least certain first"}.get(o, o))
    shown, dropped = order_selection(picked, order=order, labels=emb.labels, predictions=emb.predictions[modality],
                                     margins=margins, limit=MAX_LISTED)
    rows = selection_rows(shown, labels=emb.labels, classes=emb.classes, predictions=emb.predictions[modality],
                          sample_ids=emb.sample_ids, margins=margins)
    wrong = int(np.sum(emb.labels[picked] != emb.predictions[modality][picked]))
    classes, counts = np.unique(emb.labels[picked], return_counts=True)
    mix = ", ".join(f"{emb.classes[c]} ×{n}" for c, n in sorted(zip(classes, counts), key=lambda t: -t[1])[:5])
    st.markdown(f"**{picked.size:,} samples** selected · {wrong} misclassified ({modality}) · classes: {mix}"
                + (f" · listing the first {len(shown)}" if dropped else ""))
    st.dataframe(rows, hide_index=True, width="stretch", key="hypersphere_selection",
                 column_config={"margin": st.column_config.NumberColumn(format="%.3f")})
    labels = {r["index"]: f"#{r['index']} · {r['sample']} · {r['class']} → {r.get('predicted', '?')}" for r in rows}
    index = st.selectbox("Sample", list(labels), key="hypersphere_pick", format_func=labels.get)
    cols = st.columns([3, 1, 1])
    with cols[0]:
        _audio(view, int(index))
    cols[1].button("Open on Samples", key="hypersphere_open_samples", on_click=_go,
                   args=(int(index), "app_pages/samples.py", view.name))
    cols[2].button("Open on Spikes", key="hypersphere_open_spikes", on_click=_go,
                   args=(int(index), "app_pages/spikes.py", view.name))


def metrics_block(view: ModelView, modality: str) -> None:
    """Headline numbers and the per-class table with the worst classes highlighted."""
    from snnviz.analysis.selection import worst_classes
    from snnviz.viz import class_metric_bars

    metrics = metrics_for(view, modality)
    st.subheader(f"Compactness and separation — {MODALITY_LABEL[modality]}")
    s = metrics.summary()
    cols = st.columns(5)
    cols[0].metric("Accuracy", f"{100 * view.emb.accuracy(modality):.1f}%")
    cols[1].metric("Mean intra-class angle", f"{s['mean_intra_angle_deg']:.1f}°")
    cols[2].metric("Min inter-class angle", f"{s['min_inter_angle_deg']:.1f}°",
                   delta=f"optimum {s['simplex_angle_deg']:.1f}°", delta_color="off", delta_arrow="off")
    cols[3].metric("Silhouette", f"{s['silhouette']:.3f}")
    cols[4].metric("k-NN accuracy", f"{100 * s['knn_accuracy']:.1f}%")
    st.caption(f"Computed on the original {metrics.dim}-dimensional unit embeddings of {metrics.n_samples:,} samples, "
               "never on the projection above." + (" Features are L2-normalised first (this model does not "
                                                   "normalise them itself)." if not view.config.normalize else "")
               + "".join(f" {n}" for n in metrics.notes))
    by = st.selectbox("Rank the worst classes by", list(METRIC_LABELS), key="hypersphere_worst_by",
                      format_func=METRIC_LABELS.get)
    table = metrics.per_class_table()
    worst = worst_classes(table, by, n=min(3, max(len(table) - 1, 0)))
    st.markdown(f"Worst by {METRIC_LABELS[by].rstrip(' ↑↓')}: **{', '.join(worst) or '—'}** (highlighted).")
    left, right = st.columns([3, 2])
    left.dataframe(_styled(table, worst), hide_index=True, width="stretch", key="hypersphere_class_table")
    fig = class_metric_bars([row[by] for row in table], metrics.class_names, metric=METRIC_LABELS[by],
                            title=f"{METRIC_LABELS[by]} per class")
    right.plotly_chart(fig, key="hypersphere_class_bars")


def _styled(table: list[dict[str, Any]], worst: list[str]):
    import pandas as pd

    frame = pd.DataFrame(table).rename(columns={
        "mean_dev_deg": "mean dev (°)", "p95_dev_deg": "p95 dev (°)", "nearest_class": "nearest class",
        "nearest_angle_deg": "nearest angle (°)", "knn_accuracy": "k-NN acc"})  # fmt: skip
    marked = set(worst)

    def shade(row):
        return ["background-color: #fde2e1" if row["class"] in marked else ""] * len(row)

    return frame.style.apply(shade, axis=1).format(precision=3)


def margins_block(view: ModelView, modality: str) -> None:
    """The histogram of classification margins, stacked by class."""
    from snnviz.viz import margin_histogram

    margins, caption = margins_for(view, modality)
    title = ("Classification margin cos θ_y − max cos θ_j" if view.emb.head == "cosine"
             else "Margin to the class mean directions (linear head)")
    st.plotly_chart(margin_histogram(margins, view.emb.labels, view.emb.classes, title=title),
                    key="hypersphere_margins")
    st.caption(caption)
