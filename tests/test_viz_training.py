import numpy as np
import pytest

from snnviz.viz._style import modality_color
from snnviz.viz.training import history_figure, parse_history_key


def test_parse_history_key_routes_panel_split_modality():
    assert parse_history_key("train_loss_fusion") == ("loss", "train", "fused")
    assert parse_history_key("val/acc/visual") == ("accuracy", "val", "visual")
    assert parse_history_key("learning_rate") is None


def test_history_figure_splits_loss_and_accuracy_panels():
    history = [
        {"epoch": e, "train_loss": 1.0 / e, "val_acc_audio": 0.5 + 0.1 * e, "val_acc_fused": np.float32(0.9), "lr": 0.1}
        for e in (1, 2, 3)
    ]
    fig = history_figure(history)
    names = [t.name for t in fig.data]
    assert names == ["train_loss", "val_acc_audio", "val_acc_fused"]
    loss, audio, fused = fig.data
    assert loss.xaxis == "x" and audio.xaxis == "x2"
    assert list(audio.y) == pytest.approx([60.0, 70.0, 80.0])  # fractions shown as percent
    assert audio.line.color == modality_color("audio") and audio.line.dash == "dash"
    assert list(loss.x) == [1, 2, 3]


def test_history_figure_leaves_gaps_for_missing_values():
    fig = history_figure([{"train_loss": 1.0}, {"train_loss": float("nan")}, {}])
    assert list(fig.data[0].y) == [1.0, None, None]
    assert list(fig.data[0].x) == [1, 2, 3]


def test_history_figure_rejects_empty_and_keyless():
    with pytest.raises(ValueError, match="non-empty list"):
        history_figure([])
    with pytest.raises(ValueError, match="no loss or accuracy key"):
        history_figure([{"epoch": 1, "lr": 0.1}])
