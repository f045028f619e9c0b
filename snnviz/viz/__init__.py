"""Plotly figures of snnviz objects: pure functions, library objects in, ``go.Figure`` out.

Shared by the Streamlit app and the HTML report. Nothing here imports Streamlit.
Class ``k`` has the same colour in every figure (:func:`class_colors`), and a
figure that shows only part of its data says so in its title.
"""

from snnviz.viz._style import BRANCH_COLORS, CLASS_PALETTE, MODALITY_COLORS, class_colors, subsample_note
from snnviz.viz.activity import energy_figure, firing_rate_figure, format_energy
from snnviz.viz.audio import spectrogram_figure, waveform_figure
from snnviz.viz.metrics import (
    class_angle_figure,
    class_metric_bars,
    confusion_figure,
    confusion_matrix,
    margin_histogram,
    prediction_bars,
)
from snnviz.viz.sphere import map_figure, sphere_figure
from snnviz.viz.spikes import feature_map_figure, membrane_figure, raster_figure
from snnviz.viz.training import history_figure

__all__ = [
    "BRANCH_COLORS",
    "CLASS_PALETTE",
    "MODALITY_COLORS",
    "class_colors",
    "subsample_note",
    "sphere_figure",
    "map_figure",
    "class_metric_bars",
    "class_angle_figure",
    "confusion_matrix",
    "confusion_figure",
    "margin_histogram",
    "prediction_bars",
    "spectrogram_figure",
    "waveform_figure",
    "history_figure",
    "raster_figure",
    "membrane_figure",
    "feature_map_figure",
    "firing_rate_figure",
    "energy_figure",
    "format_energy",
]
