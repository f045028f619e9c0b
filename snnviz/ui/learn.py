"""Blocks of the Learn page: each a few sentences, its controls and a live figure.

Each interactive block is a Streamlit fragment (moving one of its sliders
reruns only that block) and its figures are cached by their parameters, so a
control answers in a fraction of a second. Figures are cached with
``st.cache_resource``: they are read-only once built (``st.plotly_chart``
serialises a copy), so sessions can share them without ``st.cache_data``'s
pickled copy on every hit. The computations live in :mod:`snnviz.teach`, the
figures in :mod:`snnviz.viz.teach`; nothing here knows torch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import streamlit as st

from snnviz.teach import encodings, lif, margins, surrogates, toy
from snnviz.viz import teach as vt

__all__ = ["lif_block", "encoding_block", "surrogate_block", "margin_block", "toy_block", "real_model_block"]

_FIG_CACHE = {"max_entries": 64, "show_spinner": False}
BUNDLED = {"arcface": "avdigits-arcface", "softmax": "avdigits-softmax"}  # column label -> model name


def _chart(fig: Any, key: str) -> None:
    st.plotly_chart(fig, key=key, config={"displaylogo": False})


# -- 1. the LIF neuron ------------------------------------------------------------------------------------------------

@st.cache_resource(**_FIG_CACHE)
def _lif(shape: str, amplitude: float, steps: int, beta: float, threshold: float, reset: str) -> tuple[Any, int, float]:
    trace = lif.simulate_lif(lif.input_current(shape, amplitude, steps), beta=beta, threshold=threshold,
                             reset_mechanism=reset)
    return vt.lif_figure(trace), trace.spike_count, trace.firing_rate


@st.fragment
def lif_block() -> None:
    """Block 1: one snnTorch ``Leaky`` neuron (the models' ``LIFLayer``) under a chosen input current."""
    st.subheader("1 · The leaky integrate-and-fire neuron")
    st.markdown(
        "A spiking neuron keeps a **membrane potential** U. Every step it leaks (U is multiplied by **β**), adds the "
        "input current I, and when U crosses the **threshold** it emits a spike and resets — by subtracting the "
        "threshold, to zero, or not at all. This is the very `LIFLayer` every layer of the bundled models runs."
    )
    controls, figure = st.columns([1, 2.4])
    with controls:
        beta = st.slider("β (membrane decay)", 0.0, 1.0, 0.9, 0.01, key="learn_lif_beta")
        threshold = st.slider("threshold U_thr", 0.1, 3.0, 1.0, 0.05, key="learn_lif_threshold")
        reset = st.radio("reset mechanism", lif.RESET_MECHANISMS, horizontal=True, key="learn_lif_reset")
        shape = st.selectbox("input current", lif.INPUT_SHAPES, key="learn_lif_shape")
        amplitude = st.slider("amplitude", 0.0, 2.0, 0.3, 0.05, key="learn_lif_amplitude")
        steps = st.slider("time steps T", 10, 500, 100, 10, key="learn_lif_steps")
    fig, count, rate = _lif(shape, amplitude, steps, beta, threshold, reset)
    with figure:
        a, b = st.columns(2)
        a.metric("spikes", count)
        b.metric("firing rate (spikes / step)", f"{rate:.3f}")
        _chart(fig, "learn_lif_chart")


# -- 2. spike encodings -----------------------------------------------------------------------------------------------

def _sample() -> dict[str, Any] | None:
    """The sample chosen in the sidebar (image, spectrogram) or sample 0 of the AV-Digits test split."""
    from snnviz.ui.state import current_sample

    sample = current_sample()
    if sample is not None:
        return {"image": np.asarray(sample["image"], dtype=np.float32).squeeze(),
                "spectrogram": np.asarray(sample["audio"], dtype=np.float32).squeeze(),
                "label": sample.get("class_name", ""),
                "source": f"sample {sample.get('index', '')} chosen in the sidebar"}
    return _fallback_sample()


@st.cache_resource(show_spinner="Loading AV-Digits …")
def _fallback_sample() -> dict[str, Any] | None:
    try:
        from snnviz.data import load_dataset

        dataset = load_dataset("av-digits", split="test")
    except ImportError:
        from snnviz.data.avdigits import AVDigits

        dataset = AVDigits("test")
    raw, item = dataset.raw(0), dataset[0]
    return {"image": np.asarray(raw["image"], dtype=np.float32), "spectrogram": item["audio"][0].numpy(),
            "label": raw.get("class_name", ""), "source": "sample 0 of the AV-Digits test split"}


def _model_input_note() -> str:
    """What the selected (or default) model is fed: its encoding and T."""
    from snnviz.config import ModelConfig

    loaded = st.session_state.get("_loaded_model")
    config = getattr(getattr(loaded, "model", None), "config", None) or ModelConfig()
    who = f"The selected model ({loaded.name})" if loaded is not None else "The AV-Digits model"
    return f"{who} uses encoding = {config.encoding!r} with T = {config.num_steps} steps."


@st.cache_resource(**_FIG_CACHE)
def _encoding(data: np.ndarray, modality: str, method: str, params: tuple) -> tuple[Any, Any, int, float]:
    kwargs = dict(params)
    if method == "delta":
        kwargs["delta_axis"] = "column" if modality == "image" else "frame"
    enc = encodings.encode(data, method, **kwargs)
    image = modality == "image"
    return vt.encoding_frames_figure(enc, image=image), vt.raster_figure(enc), enc.spike_count, enc.rate


@st.fragment
def encoding_block() -> None:
    """Block 2: rate, latency, delta and direct encodings of the selected sample."""
    st.subheader("2 · Spike encodings")
    st.markdown(
        "A spiking network sees its input over **T time steps**. *Rate* coding fires each input with probability "
        "equal to its value; *latency* coding fires once, brighter values first; *delta* coding fires when a value "
        "changes (the spectrogram's frames are its time, an image is swept column by column). The bundled models use "
        "*direct* encoding: the analog values are fed as a constant current at every step and their first spiking "
        "layer turns them into spikes."
    )
    try:
        sample = _sample()
    except Exception as err:  # noqa: BLE001 - a missing or broken dataset must not take the page down
        st.info(f"No sample to encode: {err}")
        return
    st.caption(f"Encoding {sample['source']} (class {sample['label']}).")
    controls, left, right = st.columns([1, 1.4, 1.4])
    with controls:
        modality = st.radio("input", ("image", "spectrogram"), horizontal=True, key="learn_enc_modality")
        method = st.radio("encoding", encodings.ENCODINGS, horizontal=True, key="learn_enc_method")
        params: dict[str, Any] = {}
        if method != "delta":
            direct = method == "direct"  # the bundled models run T = 8 steps
            params["num_steps"] = st.slider("time steps T", 1, 50, 8 if direct else 25,
                                            key="learn_enc_T_direct" if direct else "learn_enc_T")
        if method == "rate":
            params["gain"] = st.slider("gain", 0.0, 2.0, 1.0, 0.05, key="learn_enc_gain")
            params["seed"] = int(st.number_input("seed", 0, 999, 0, key="learn_enc_seed"))
        elif method == "latency":
            params["tau"] = st.slider("τ (time constant)", 0.5, 20.0, 5.0, 0.5, key="learn_enc_tau")
            params["latency_threshold"] = st.slider("silent below", 0.0, 0.5, 0.01, 0.01, key="learn_enc_lat_thr")
            params["linear"] = st.checkbox("linear time code", True, key="learn_enc_linear")
        elif method == "delta":
            params["delta_threshold"] = st.slider("change threshold", 0.01, 1.0, 0.1, 0.01, key="learn_enc_delta_thr")
            params["off_spike"] = st.checkbox("off-spikes for decreases", True, key="learn_enc_off")
    frames, raster, count, rate = _encoding(sample[modality], modality, method, tuple(sorted(params.items())))
    with controls:
        if method == "direct":
            st.metric("mean input current", f"{rate:.3f}")
            st.caption(_model_input_note())
        else:
            st.metric("spikes", f"{count:,}", help=f"{rate:.3f} per input value per step")
    with left:
        _chart(frames, "learn_enc_frames")
    with right:
        _chart(raster, "learn_enc_raster")


# -- 3. surrogate gradients -------------------------------------------------------------------------------------------

_SLOPE_RANGES = {"atan": (0.5, 10.0, 0.5), "fast_sigmoid": (1.0, 50.0, 1.0), "sigmoid": (1.0, 50.0, 1.0),
                 "triangular": (0.1, 2.0, 0.1)}


@st.cache_resource(**_FIG_CACHE)
def _surrogates(chosen: tuple[tuple[str, float], ...]) -> Any:
    return vt.surrogate_figure([surrogates.surrogate_curve(name, slope) for name, slope in chosen])


@st.fragment
def surrogate_block() -> None:
    """Block 3: the Heaviside spike and snnTorch's surrogate derivatives, computed by autograd."""
    st.subheader("3 · Surrogate gradients")
    st.markdown(
        "A spike is a step function of the membrane: its derivative is zero everywhere except at the threshold, so "
        "gradient descent would get no signal. snnTorch keeps the step in the forward pass and uses a smooth "
        "**surrogate derivative** in the backward pass; its slope trades gradient reach against precision. The curves "
        "are computed by running snnTorch's own autograd functions, not re-typed formulas."
    )
    controls, figure = st.columns([1, 2.4])
    with controls:
        shown = st.multiselect("surrogates", surrogates.SURROGATES, default=list(surrogates.SURROGATES),
                               key="learn_sg_show")
        chosen = []
        for name in shown:
            if name in _SLOPE_RANGES:
                lo, hi, step = _SLOPE_RANGES[name]
                label = f"{name}: {surrogates.SLOPE_NAMES[name]}"
                slope = st.slider(label, lo, hi, surrogates.DEFAULT_SLOPES[name], step, key=f"learn_sg_{name}")
            else:
                slope = 1.0
            chosen.append((name, float(slope)))
    with figure:
        if not chosen:
            st.info("Pick at least one surrogate.")
            return
        _chart(_surrogates(tuple(chosen)), "learn_sg_chart")
        if "triangular" in shown:
            st.caption("snnTorch 1.0's `triangular` returns +threshold below and −threshold above the threshold "
                       "(a sign flip, not a triangle); this is what a model configured with it trains with.")


# -- 4. margin losses on the circle -----------------------------------------------------------------------------------

MARGIN_LOSSES = ("softmax", "normface", "cosface", "arcface", "sphereface")


@st.cache_resource(**_FIG_CACHE)
def _regions(num_classes: int, s: float, ms: tuple[tuple[str, float], ...]) -> tuple[Any, Any]:
    angles = margins.class_angles(num_classes)
    m = dict(ms)
    maps = [margins.margin_regions(name, angles, s=s, m=m.get(name, 0.0), resolution=720) for name in MARGIN_LOSSES]
    titles = ["softmax", "NormFace", f"CosFace m={m['cosface']:g}", f"ArcFace m={m['arcface']:g}",
              f"SphereFace m={int(m['sphereface'])}"]
    phi = np.linspace(0.0, 2.0 * math.pi, 361)
    curves = {name: margins.target_loss_curve(name, phi, angles, 0, s=s, m=m.get(name, 0.0)) for name in MARGIN_LOSSES}
    return vt.margin_regions_figure(maps, titles), vt.margin_loss_figure(phi, curves, angles, 0)


def _margin_controls() -> tuple[int, float, dict[str, float]]:
    a, b, c, d, e = st.columns(5)
    num_classes = a.slider("classes", 3, 5, 3, key="learn_margin_classes")
    s = b.slider("scale s", 1.0, 64.0, 16.0, 1.0, key="learn_margin_s")
    ms = {"cosface": c.slider("CosFace m", 0.0, 0.8, 0.35, 0.05, key="learn_margin_cosface_m"),
          "arcface": d.slider("ArcFace m (rad)", 0.0, 1.2, 0.5, 0.05, key="learn_margin_arcface_m"),
          "sphereface": float(e.slider("SphereFace m", 1, 4, 2, key="learn_margin_sphereface_m"))}
    return num_classes, s, ms


@st.fragment
def margin_block() -> None:
    """Block 4a: decision regions of the five losses on the unit circle, and the loss around it."""
    st.subheader("4 · Margin losses on the circle")
    st.markdown(
        "Put the embeddings and the class weights on the unit circle. With softmax or NormFace a class wins wherever "
        "it is the closest weight — the regions touch. A **margin** loss asks more of the true class: CosFace needs "
        "cos θ − m, ArcFace an angle θ + m, SphereFace mθ to still win. Each class's region shrinks and a grey "
        "**no-man's-land** opens between classes; training pushes embeddings out of it. **s** does not move the "
        "boundaries: it sharpens the loss (for softmax the embedding's length plays its part, so with length s "
        "softmax and NormFace coincide below)."
    )
    num_classes, s, ms = _margin_controls()
    regions, losses = _regions(num_classes, s, tuple(sorted(ms.items())))
    _chart(regions, "learn_margin_regions")
    delta = 2.0 * math.pi / num_classes
    arc = margins.margin_boundary("arcface", delta, ms["arcface"])
    st.caption(f"Neighbouring weights are Δ = {math.degrees(delta):.0f}° apart. ArcFace: a class keeps its label up to "
               f"(Δ − m)/2 = {math.degrees(arc):.1f}° from its weight, leaving a gap of m = "
               f"{math.degrees(ms['arcface']):.1f}°; CosFace "
               f"{math.degrees(margins.margin_boundary('cosface', delta, ms['cosface'])):.1f}°, SphereFace Δ/(m+1) = "
               f"{math.degrees(margins.margin_boundary('sphereface', delta, ms['sphereface'])):.1f}°.")
    _chart(losses, "learn_margin_losses")


def _train_toy(num_classes: int, s: float, loss: str, m: float, steps: int, seed: int, bar: Any
               ) -> tuple[Any, Any, list[dict[str, Any]]]:
    x, y = toy.toy_dataset(num_classes, 60, seed=seed)
    runs = []
    for i, name in enumerate(("softmax", loss)):
        def report(step: int, total: int, i: int = i, name: str = name) -> None:
            bar.progress((i + step / total) / 2, text=f"training {name}: step {step}/{total}")
        runs.append(toy.train_toy(name, x, y, s=s, m=m if name == loss else 0.0, steps=steps, seed=seed,
                                  callback=report))
    rows = [{"loss": r.loss, "accuracy": round(float(r.accuracy[-1]), 3),
             "intra (°)": round(math.degrees(r.intra[-1]), 1), "inter (°)": round(math.degrees(r.inter[-1]), 1)}
            for r in runs]
    return vt.toy_training_figure(runs), vt.toy_metrics_figure(runs), rows


@st.fragment
def toy_block() -> None:
    """Block 4b: a live toy training run, softmax against a chosen margin loss, animated step by step."""
    st.markdown(
        "**Watch it train.** A tiny network maps a toy dataset — a disc cut into one slice per class — to a 2-D "
        "embedding, trained with the real loss modules. Softmax only has to get each point on the right side; a "
        "margin loss must squeeze every slice into a tight arc around its weight and open gaps between them."
    )
    a, b, c, d = st.columns([1.2, 1, 1, 1])
    loss = a.selectbox("margin loss", MARGIN_LOSSES[1:], index=2, key="learn_toy_loss")
    steps = b.slider("steps", 100, 600, 300, 50, key="learn_toy_steps")
    seed = int(c.number_input("seed", 0, 99, 0, key="learn_toy_seed"))
    num_classes = int(st.session_state.get("learn_margin_classes", 3))
    s = float(st.session_state.get("learn_margin_s", 16.0))
    m = float(st.session_state.get(f"learn_margin_{loss}_m", {"cosface": 0.35, "arcface": 0.5, "sphereface": 2}
                                   .get(loss, 0.0)))
    params = (num_classes, s, loss, m, steps, seed)
    if d.button("Train", key="learn_toy_train", type="primary"):
        bar = st.progress(0.0, text="training …")
        st.session_state["learn_toy_result"] = (params, *_train_toy(*params, bar))
        bar.empty()
    result = st.session_state.get("learn_toy_result")
    if result is None:
        st.info(f"Press **Train** to train softmax and {loss} side by side ({num_classes} classes, s = {s:g}, "
                f"m = {m:g} from the sliders above; about a second).")
        return
    done, animation, metrics, rows = result
    if done != params:
        st.caption("Showing the last run; the settings changed since — press Train again.")
    _chart(animation, "learn_toy_animation")
    left, right = st.columns([1, 1.4])
    with left:
        st.dataframe(rows, hide_index=True, key="learn_toy_table")
        st.caption("After training: accuracy, the mean angle of a point to its class mean (intra, lower is more "
                   "compact) and the smallest angle between class means (inter) — the metrics block 5 reports for "
                   "the real models.")
    with right:
        _chart(metrics, "learn_toy_metrics")


# -- 5. from the toy to the real model --------------------------------------------------------------------------------

@st.cache_data(max_entries=8, show_spinner="Measuring compactness …")
def _summary(model_key: str, data_key: str, modality: str, _embeddings: np.ndarray, _labels: np.ndarray) -> dict:
    from snnviz.analysis.sphere import sphere_metrics

    return sphere_metrics(_embeddings, _labels).summary()


_ROWS = {"mean_intra_angle_deg": "mean intra-class angle (°)", "min_inter_angle_deg": "min inter-class angle (°)",
         "simplex_angle_deg": "simplex optimum (°)", "separability": "separability", "silhouette": "silhouette",
         "knn_accuracy": "k-NN accuracy"}


def real_model_block() -> None:
    """Block 5: the bundled arcface and softmax models' compactness side by side, and a link to the Hypersphere."""
    from snnviz.ui.models import list_models
    from snnviz.ui.state import dataset_spec, get_embeddings, load_model, load_split

    st.subheader("5 · From the toy to the real model")
    st.markdown(
        "The bundled AV-Digits models differ only in their loss: one trained with ArcFace, one with softmax. On their "
        "64-dimensional hypersphere the toy's story should hold — compare the intra-class angle (lower is more "
        "compact) and the smallest angle between class centres (higher is better separated), measured on the "
        "original embeddings of the test split."
    )
    available = list_models()
    missing = [f"{name}.safetensors" for name in BUNDLED.values() if name not in available]
    if missing:
        st.info(f"The bundled models are missing ({', '.join(missing)}); train them with `snnviz train` to compare.")
        return
    modality = st.radio("embedding", ("fused", "audio", "visual"), horizontal=True, key="learn_real_modality")
    columns: dict[str, dict] = {}
    try:
        for label, name in BUNDLED.items():
            loaded = load_model(name, "cpu")
            dataset = load_split(dataset_spec(loaded.meta), "test")
            emb = get_embeddings(loaded, dataset)
            columns[label] = _summary(loaded.key, dataset.fingerprint(), modality, emb.embeddings[modality], emb.labels)
    except Exception as err:  # noqa: BLE001 - show the library's one-sentence message, keep the page alive
        st.warning(f"Could not compare the bundled models: {err}")
        return
    table = [{"metric": text, **{label: round(float(col[key]), 3) for label, col in columns.items()}}
             for key, text in _ROWS.items()]
    st.dataframe(table, hide_index=True, key="learn_real_table")
    st.session_state["compare_models"] = list(BUNDLED.values())
    try:
        st.page_link("app_pages/hypersphere.py", label="See both on the Hypersphere page", icon=":material/public:")
    except Exception:  # noqa: BLE001 - the page runs standalone (AppTest, `streamlit run app_pages/learn.py`)
        st.caption("Open the Hypersphere page to see both models' embeddings.")
