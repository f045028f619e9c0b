"""Training history: loss and accuracy per modality per epoch."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from snnviz.viz._style import apply_layout, modality_color

__all__ = ["history_figure", "parse_history_key"]

_MODALITIES = ("audio", "visual", "fused")
_SPLITS = ("train", "val", "test")
_DASH = {"train": "solid", "val": "dash", "test": "dot", "": "solid"}


def parse_history_key(key: str) -> tuple[str, str, str] | None:
    """Split a history key into ``(panel, split, modality)``, or None if it is not plotted.

    The panel is "loss" when the key contains "loss" and "accuracy" when it
    contains "acc"; the split is the first of train/val/test found in the key
    ("" if none) and the modality the first of audio/visual/fused ("fusion"
    counts as fused; "" if none, e.g. a total loss).

    Examples
    --------
    >>> parse_history_key("val_acc_fused")
    ('accuracy', 'val', 'fused')
    >>> parse_history_key("train/loss")
    ('loss', 'train', '')
    >>> parse_history_key("lr") is None
    True
    """
    low = key.lower()
    if "loss" in low:
        panel = "loss"
    elif "acc" in low:
        panel = "accuracy"
    else:
        return None
    split = next((s for s in _SPLITS if s in low), "")
    low = low.replace("fusion", "fused")
    modality = next((m for m in _MODALITIES if m in low), "")
    return panel, split, modality


def history_figure(
    history: Sequence[Mapping[str, Any]],
    *,
    title: str = "Training history",
    epoch_key: str = "epoch",
) -> go.Figure:
    """Loss (left) and accuracy (right) curves over epochs, one line per key.

    Parameters
    ----------
    history : sequence of mapping
        One dict per epoch, e.g. ``{"epoch": 3, "train_loss": 0.8,
        "val_acc_audio": 0.91, "val_acc_visual": 0.95, "val_acc_fused": 0.98}``.
        Numeric keys are routed by :func:`parse_history_key`; colour follows the
        modality, dash the split (train solid, val dashed, test dotted).
        Accuracies in [0, 1] are shown as percentages. Missing or non-finite
        values leave gaps.
    title : str
        Figure title.
    epoch_key : str
        Key of the epoch number; epochs count from 1 when it is absent.

    Returns
    -------
    plotly.graph_objects.Figure
        Two subplots; one line trace per plotted key, named after the key.

    Raises
    ------
    ValueError
        If ``history`` is empty or has no loss/accuracy key.
    """
    if isinstance(history, Mapping) or not isinstance(history, Sequence) or len(history) == 0:
        raise ValueError("The 'history' parameter must be a non-empty list of per-epoch dicts.")
    keys: list[str] = []
    for row in history:
        if not isinstance(row, Mapping):
            raise ValueError(f"Every entry of 'history' must be a dict. Got {type(row).__name__}.")
        for k, v in row.items():
            if k != epoch_key and k not in keys and isinstance(v, numbers.Real) and parse_history_key(k):
                keys.append(k)
    if not keys:
        raise ValueError("The 'history' parameter has no loss or accuracy key (names containing 'loss' or 'acc').")
    epochs = [row.get(epoch_key, i + 1) for i, row in enumerate(history)]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("loss", "accuracy (%)"), horizontal_spacing=0.1)
    for key in keys:
        panel, split, modality = parse_history_key(key)  # type: ignore[misc]
        ys = [_number(row.get(key)) for row in history]
        if panel == "accuracy" and all(y is None or 0.0 <= y <= 1.0 for y in ys):
            ys = [None if y is None else 100.0 * y for y in ys]
        color = modality_color(modality) if modality else "#444444"
        fig.add_trace(
            go.Scatter(x=epochs, y=ys, mode="lines+markers", name=key, legendgroup=modality or key,
                       line={"color": color, "dash": _DASH[split]}, marker={"size": 5}, connectgaps=False),
            row=1, col=1 if panel == "loss" else 2,
        )  # fmt: skip
    fig.update_xaxes(title_text="epoch")
    return apply_layout(fig, title, hovermode="x unified")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        return None
    return float(value)
