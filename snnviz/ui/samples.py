"""Blocks of the Samples page: the gallery, one sample in full, and running your own clip/image.

The pure helpers (:func:`enlarge_image`, :func:`prepare_upload`, :func:`head_scores`)
hold no Streamlit call and are tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st

from snnviz.analysis.gallery import (
    filter_gallery,
    gallery_rows,
    head_probabilities,
    probability_note,
    random_misclassified,
    table_selection,
    top_k,
    training_scale,
)
from snnviz.config import AudioConfig, ImageConfig
from snnviz.errors import SnnvizError
from snnviz.ui.state import AppContext, get_embeddings, predict, set_sample

__all__ = ["UploadedPair", "enlarge_image", "prepare_upload", "head_scores", "gallery", "sample_view",
           "upload_block", "image_to_display", "AUDIO_TYPES", "IMAGE_TYPES"]

AUDIO_TYPES = ["wav", "flac", "ogg"]
IMAGE_TYPES = ["png", "jpg", "jpeg", "bmp", "gif", "webp", "tif", "tiff"]
TOP_K = 3
_TABLE_KEY = "samples_table"
_APPLIED_ROWS = "_samples_table_applied"
_RANDOM_DRAWS = "_samples_random_draws"


# --------------------------------------------------------------------------- pure helpers
def enlarge_image(image: Any, min_side: int = 192) -> np.ndarray:
    """Repeat pixels (nearest neighbour) so a tiny image shows crisp at ``min_side`` pixels or more.

    Parameters
    ----------
    image : array-like, shape (H, W) or (H, W, C)
    min_side : int
        The shorter side of the result is at least this (an integer factor is used).

    Returns
    -------
    ndarray
        ``(H·f, W·f[, C])`` with ``f = ceil(min_side / min(H, W))`` (1 for large images).

    Examples
    --------
    >>> enlarge_image(np.eye(2), 4).tolist()[0]
    [1.0, 1.0, 0.0, 0.0]
    """
    arr = np.asarray(image)
    if arr.ndim not in (2, 3) or 0 in arr.shape[:2]:
        raise ValueError(f"The 'image' parameter must have shape (H, W) or (H, W, C). Got {arr.shape}.")
    factor = max(1, -(-int(min_side) // min(arr.shape[:2])))
    return np.repeat(np.repeat(arr, factor, axis=0), factor, axis=1)


@dataclass
class UploadedPair:
    """An uploaded clip and/or image, prepared for a model.

    ``audio`` ``(1, n_mels, frames)`` and ``image`` ``(C, H, W)`` are the model
    inputs (None when not given or unreadable); ``waveform`` is the clip as fed
    and ``picture`` the decoded image; ``notices`` say what was done to the
    inputs and ``errors`` why one could not be used (each names its file).
    """

    audio: Any = None
    waveform: np.ndarray | None = None
    image: Any = None
    picture: np.ndarray | None = None
    notices: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """At least one modality can be run."""
        return self.audio is not None or self.image is not None


def _named(message: str, name: str) -> str:
    return message if name in message else f"{name}: {message}"


def prepare_upload(
    audio: tuple[str, bytes] | None,
    image: tuple[str, bytes] | None,
    audio_config: AudioConfig,
    image_config: ImageConfig,
) -> UploadedPair:
    """Decode an uploaded audio clip and/or image into model inputs, collecting notices and errors.

    Parameters
    ----------
    audio, image : (file name, bytes) or None
        The uploaded files.
    audio_config, image_config
        The feature settings the model was trained with.

    Returns
    -------
    UploadedPair
        Nothing raises for a bad file: its error (naming the file) is in ``errors``.
    """
    from snnviz.data.audio import load_audio_for_model
    from snnviz.data.images import image_to_tensor, read_image

    out = UploadedPair()
    if audio is not None:
        name, data = audio
        try:
            out.audio, out.waveform, notices = load_audio_for_model(data, audio_config, name=name)
            out.notices += [f"{name}: {n}" for n in notices]
        except (SnnvizError, ValueError) as err:
            out.errors.append(_named(str(err), name))
    if image is not None:
        name, data = image
        try:
            out.picture = read_image(data, name=name)
            out.image = image_to_tensor(out.picture, image_config)
            h, w = out.picture.shape[:2]
            if (h, w) != (image_config.size, image_config.size):
                out.notices.append(f"{name}: resized from {w}×{h} to {image_config.size}×{image_config.size}")
        except (SnnvizError, ValueError) as err:
            out.errors.append(_named(str(err), name))
    return out


def head_scores(logits: dict[str, Any], head: str, meta: dict[str, Any] | None) -> dict[str, np.ndarray]:
    """Probabilities per head from one sample's outputs (cosines scaled by the training ``s``)."""
    scale = training_scale(meta)
    return {m: head_probabilities(v, head, scale) for m, v in logits.items()}


def _top_k_table(scores: dict[str, np.ndarray], classes: list[str], k: int = TOP_K) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {"rank": [str(r + 1) for r in range(min(k, len(classes)))]}
    for m, p in scores.items():
        table[m] = [f"{name} ({100 * prob:.1f}%)" for _, name, prob in top_k(p, k, classes)]
    return table


# --------------------------------------------------------------------------- blocks
def gallery(ctx: AppContext, *, classes: list[str], correctness: str, disagree: bool) -> int:
    """The filterable table of the split and the "random misclassified" button; returns the chosen sample."""
    import pandas as pd

    emb = get_embeddings(ctx.loaded, ctx.dataset)
    index = ctx.index
    class_ids = [emb.classes.index(c) for c in classes if c in emb.classes]
    visible = filter_gallery(emb.labels, emb.predictions, classes=class_ids, correctness=correctness,
                             disagree=disagree)
    if st.button("🎲 Random misclassified", key="samples_random_wrong",
                 help="Jump to a sample the fused head gets wrong."):
        draws = st.session_state.get(_RANDOM_DRAWS, 0) + 1
        st.session_state[_RANDOM_DRAWS] = draws
        pick = random_misclassified(emb.labels, emb.predictions, seed=draws, exclude=index)
        if pick is None:
            st.info("The fused head classifies every sample of this split correctly.")
        else:
            index = pick
            set_sample(index)
    st.caption(f"{visible.size:,} of {len(emb):,} samples · fused accuracy {100 * emb.accuracy('fused'):.1f}% · "
               "click a row to open it")
    frame = pd.DataFrame(gallery_rows(visible, emb.sample_ids, emb.labels, emb.predictions, emb.classes))
    columns: dict[str, Any] = {c: st.column_config.TextColumn(width=52) for c in frame.columns}
    columns["id"] = st.column_config.TextColumn(width=150, pinned=True)
    columns["correct"] = st.column_config.CheckboxColumn("✓", width=40, help="the fused head is right")
    event = st.dataframe(frame, key=_TABLE_KEY, on_select="rerun", selection_mode="single-row", hide_index=True,
                         height=420, width="stretch", column_config=columns)
    rows = list(event.selection.rows) if event is not None else []
    picked = table_selection(rows, visible, st.session_state.get(_APPLIED_ROWS))
    st.session_state[_APPLIED_ROWS] = rows
    if picked is not None:
        index = picked
        set_sample(index)
    return index


def sample_view(ctx: AppContext, index: int) -> None:
    """One sample in full: image, audio player, waveform, spectrogram, predictions per head, top-k."""
    from snnviz.viz import spectrogram_figure, waveform_figure

    emb = get_embeddings(ctx.loaded, ctx.dataset)
    raw = ctx.dataset.raw(index)
    label = int(raw["label"])
    fused = int(emb.predictions["fused"][index])
    verdict = "✅ correct" if fused == label else f"❌ predicted {emb.classes[fused]}"
    st.subheader(f"{raw['sample_id']} — class {raw['class_name']} · fused {verdict}")
    pic, sound = st.columns([1, 2])
    pic.image(enlarge_image(raw["image"]), caption="image as fed (enlarged, nearest neighbour)", clamp=True)
    if raw.get("image_clean") is not None:
        pic.image(enlarge_image(raw["image_clean"], 96), caption="before corruption", clamp=True)
    sr = int(raw["sample_rate"])
    sound.audio(np.asarray(raw["waveform"], dtype=np.float32), sample_rate=sr)
    if raw.get("waveform_clean") is not None:
        sound.caption("Clean clip, before noise:")
        sound.audio(np.asarray(raw["waveform_clean"], dtype=np.float32), sample_rate=sr)
    sound.plotly_chart(waveform_figure(raw["waveform"], sr, max_points=2000), key="samples_waveform")
    features = ctx.dataset[index]["audio"]
    sound.plotly_chart(spectrogram_figure(features, config=ctx.dataset.audio_config,
                                          title="Log-mel spectrogram (the audio input)"), key="samples_spectrogram")
    logits = {m: emb.logits[m][index] for m in emb.modalities}
    _predictions(ctx, logits, label, key="samples_predictions")
    meta = raw.get("meta")
    if meta:
        with st.expander("Sample metadata", expanded=False):
            st.json(meta, expanded=False)


def _predictions(ctx: AppContext, logits: dict[str, Any], label: int | None, *, key: str) -> None:
    from snnviz.viz import prediction_bars

    head = ctx.model.config.head
    scores = head_scores(logits, head, ctx.meta)
    st.plotly_chart(prediction_bars(scores, ctx.loaded.classes, true_label=label), key=key)
    table, note = st.columns([3, 2])
    table.dataframe(_top_k_table(scores, ctx.loaded.classes), hide_index=True, key=f"{key}_topk", width="stretch")
    note.markdown(f"**Top {TOP_K} classes per head**")
    note.caption(probability_note(head, training_scale(ctx.meta)))


def upload_block(ctx: AppContext, audio_file: Any, image_file: Any) -> None:
    """Run an uploaded clip and/or image through the model and show what every available head predicts."""
    from snnviz.viz import waveform_figure

    audio = (audio_file.name, audio_file.getvalue()) if audio_file is not None else None
    image = (image_file.name, image_file.getvalue()) if image_file is not None else None
    if audio is None and image is None:
        st.caption("Upload a clip, an image or both: with one modality only its own head answers.")
        return
    pair = prepare_upload(audio, image, ctx.dataset.audio_config, ctx.dataset.image_config)
    for message in pair.errors:
        st.error(message)
    if pair.notices:
        st.caption("Prepared for the model: " + "; ".join(pair.notices) + ".")
    if not pair.ready:
        return
    left, right = st.columns([1, 2])
    if pair.picture is not None:
        left.image(enlarge_image(image_to_display(pair.image)), caption="your image as the model sees it",
                   clamp=True)
    if pair.waveform is not None:
        sr = ctx.dataset.audio_config.sample_rate
        right.audio(pair.waveform, sample_rate=sr)
        right.plotly_chart(waveform_figure(pair.waveform, sr, max_points=2000, title="Your clip as fed"),
                           key="samples_upload_waveform")
    try:
        out = predict(ctx.loaded, pair.audio, pair.image)
    except SnnvizError as err:
        st.error(str(err))
        return
    _predictions(ctx, out["logits"], None, key="samples_upload_predictions")


def image_to_display(tensor: Any) -> np.ndarray:
    """A model image input ``(C, H, W)`` as a displayable ``(H, W)`` or ``(H, W, C)`` array in [0, 1]."""
    arr = np.asarray(tensor, dtype=np.float32)
    arr = arr[0] if arr.shape[0] == 1 else arr.transpose(1, 2, 0)
    lo, hi = float(arr.min()), float(arr.max())
    return (arr - lo) / (hi - lo) if hi > lo else np.zeros_like(arr)
