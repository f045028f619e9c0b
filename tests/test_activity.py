import pytest
import torch
from torch import nn

from snnviz.analysis.activity import (
    E_AC_PJ,
    E_MAC_PJ,
    ActivityAccumulator,
    count_synaptic_ops,
    layer_activity,
    mac_count,
    split_activity,
)
from snnviz.config import ModelConfig
from snnviz.errors import RecordingError
from snnviz.models import build_model
from snnviz.recording import LayerRecord, Recorder, Recording

TINY = ModelConfig(num_steps=3, visual_channels=(4,), audio_channels=(4,), feature_dim=16, fusion_hidden=16,
                   embed_dim=8, n_mels=16)


def _tiny_model():
    torch.manual_seed(0)
    return build_model(TINY).eval()


def _inputs(batch=2):
    gen = torch.Generator().manual_seed(0)
    return torch.rand(batch, 1, 16, 20, generator=gen), torch.rand(batch, 1, 8, 8, generator=gen)


# ---------------------------------------------------------------- mac_count
def test_mac_count_conv_matches_hand_count():
    conv = nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=1)
    # H_out = W_out = (16 + 2 - 3) // 2 + 1 = 8; 8 * 8 * 8 outputs, 3 * 3 * 3 MACs each
    assert mac_count(conv, torch.zeros(5, 3, 16, 16)) == 8 * 8 * 8 * 3 * 9 == 13_824


def test_mac_count_grouped_conv_divides_by_groups():
    conv = nn.Conv2d(4, 8, kernel_size=3, padding=1, groups=2)
    assert mac_count(conv, torch.zeros(1, 4, 5, 5)) == 8 * 5 * 5 * 2 * 9


def test_mac_count_linear_matches_hand_count_and_extra_dims():
    fc = nn.Linear(100, 10)
    assert mac_count(fc, torch.zeros(7, 100)) == 1000
    assert mac_count(fc, torch.zeros(7, 3, 100)) == 3000


def test_mac_count_rejects_other_modules():
    with pytest.raises(TypeError, match="supports nn.Conv2d and nn.Linear. Got ReLU"):
        mac_count(nn.ReLU(), torch.zeros(1, 3))


# ---------------------------------------------------------------- count_synaptic_ops
class _ConvThenSpikes(nn.Module):
    """A conv on the analogue image (once per sample), then a linear layer on T steps of given spikes."""

    def __init__(self, spikes):
        super().__init__()
        self.config = ModelConfig(num_steps=spikes.shape[0])
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.fc = nn.Linear(spikes.shape[-1], 5)
        self.spikes = spikes  # (T, B, F)

    def forward(self, audio, image):
        self.conv(image)
        return self.fc(self.spikes.flatten(0, 1))  # time folded into the batch


def test_count_synaptic_ops_spikes_and_analogue_input_by_hand():
    steps, batch, features = 4, 2, 10
    spikes = torch.zeros(steps, batch, features)
    spikes[0, 0, :5] = 1.0  # 5 spikes
    spikes[1:, 1, 0] = 1.0  # 3 spikes: 8 of 80 inputs -> rate 0.1
    model = _ConvThenSpikes(spikes)
    report = count_synaptic_ops(model, None, torch.rand(batch, 1, 6, 6))
    conv, fc = report.layers
    assert (conv.name, conv.binary_input, conv.steps, conv.macs) == ("conv", False, 1.0, 2 * 6 * 6 * 9)
    assert conv.mac_ops == 648 and conv.sops == 0
    assert (fc.binary_input, fc.steps, fc.macs) == (True, 4.0, 50)
    assert fc.input_rate == pytest.approx(0.1)
    assert fc.sops == pytest.approx(steps * 0.1 * 50)  # T * fr_in * MACs, per sample
    assert report.ann_macs == 648 + 50
    assert report.energy_snn_pj == pytest.approx(E_AC_PJ * 20 + E_MAC_PJ * 648)
    assert report.energy_ann_pj == pytest.approx(E_MAC_PJ * 698)
    assert report.ratio == pytest.approx(report.energy_ann_pj / report.energy_snn_pj)
    assert "memory" in report.caveat
    assert not model.conv._forward_hooks and not model.fc._forward_hooks


def test_count_synaptic_ops_removes_hooks_on_error_and_restores_mode():
    model = _ConvThenSpikes(torch.zeros(2, 3, 10)).train()
    with pytest.raises(RuntimeError):
        count_synaptic_ops(model, None, torch.rand(2, 3, 6, 6))  # conv expects 1 channel
    assert not model.conv._forward_hooks and not model.fc._forward_hooks
    assert model.training


def test_count_synaptic_ops_real_model_counts_time_folded_layers():
    model = _tiny_model()
    audio, image = _inputs()
    report = count_synaptic_ops(model, audio, image)
    ops = {op.name: op for op in report.layers}
    assert ops["visual.conv1"].macs == 4 * 8 * 8 * 1 * 9
    assert ops["visual.conv1"].steps == 1.0 and not ops["visual.conv1"].binary_input  # direct input, computed once
    assert ops["audio.fc"].steps == TINY.num_steps and ops["audio.fc"].binary_input
    assert report.num_steps == 3 and report.batch_size == 2
    assert report.total_sops == pytest.approx(sum(op.sops for op in report.layers))
    assert report.to_dict()["layers"][0]["name"] == report.layers[0].name


# ---------------------------------------------------------------- layer_activity
def _record(spikes, shape=None, index=None, name="visual.lif1"):
    shape = shape or (spikes.shape[2],)
    layer = LayerRecord(name=name, branch=name.split(".")[0], spikes=spikes, membrane=None, threshold=1.0,
                        shape=shape, neuron_index=index)
    return Recording(layers={name: layer}, num_steps=spikes.shape[0], batch_size=spikes.shape[1])


def _designed_spikes():
    s = torch.zeros(4, 2, 4, dtype=torch.bool)  # T=4, B=2, N=4
    s[:, :, 1] = True  # neuron 1 fires at every step of every sample: saturated
    s[0, 0, 2] = True  # neuron 2 fires once
    s[:, 0, 3] = True  # neuron 3 saturated on sample 0 only
    return s  # neuron 0 never fires: dead


def test_layer_activity_dead_saturated_rate_by_hand():
    (act,) = layer_activity(_record(_designed_spikes()))
    assert act.dead_fraction == 0.25 and act.saturated_fraction == 0.25
    assert act.firing_rate == pytest.approx(13 / 32)
    assert act.spikes_per_sample == pytest.approx(6.5)
    assert (act.neurons, act.recorded, act.samples, act.branch) == (4, 4, 2, "visual")


def test_layer_activity_scales_spikes_per_sample_when_subsampled():
    rec = _record(_designed_spikes(), shape=(2, 2, 2), index=torch.tensor([0, 2, 5, 7]))
    (act,) = layer_activity(rec)
    assert act.neurons == 8 and act.recorded == 4
    assert act.spikes_per_sample == pytest.approx(13.0)  # 6.5 recorded spikes x 8/4 neurons


def test_activity_accumulator_merges_batches():
    first = _designed_spikes()
    second = torch.zeros(4, 1, 4, dtype=torch.bool)
    second[2, 0, 0] = True  # the dead neuron fires; the saturated neuron rests
    acc = ActivityAccumulator().update(_record(first)).update(_record(second))
    (act,) = acc.result()
    assert act.samples == 3
    assert act.dead_fraction == 0.0 and act.saturated_fraction == 0.0
    assert act.firing_rate == pytest.approx(14 / 48)


def test_activity_accumulator_rejects_changed_shape():
    acc = ActivityAccumulator().update(_record(_designed_spikes()))
    with pytest.raises(RecordingError, match="changed shape between recordings"):
        acc.update(_record(torch.zeros(4, 2, 3, dtype=torch.bool)))


def test_layer_activity_real_recording_in_forward_order():
    model = _tiny_model()
    audio, image = _inputs()
    with torch.inference_mode(), Recorder(model, membrane=False) as rec:
        model(audio, image)
    acts = layer_activity(rec.recording)
    assert [a.name for a in acts] == rec.recording.layer_names
    for a in acts:
        layer = rec.recording[a.name]
        assert a.firing_rate == pytest.approx(layer.spikes.float().mean().item())
        assert 0.0 <= a.dead_fraction <= 1.0 and a.samples == 2


def test_split_activity_counts_every_sample_and_honours_max_batches():
    model = _tiny_model()
    audio, image = _inputs(4)
    batches = [{"audio": audio[:2], "image": image[:2], "label": torch.zeros(2)}, (audio[2:], image[2:])]
    acts = split_activity(model, batches)
    assert all(a.samples == 4 for a in acts)
    with torch.inference_mode(), Recorder(model, membrane=False) as rec:
        model(audio, image)
    whole = {a.name: a for a in layer_activity(rec.recording)}
    for a in acts:
        assert a.firing_rate == pytest.approx(whole[a.name].firing_rate)
        assert a.dead_fraction == pytest.approx(whole[a.name].dead_fraction)
    assert all(a.samples == 2 for a in split_activity(model, batches, max_batches=1))


def test_count_synaptic_ops_resnet_counts_every_conv_including_shortcuts():
    cfg = ModelConfig(visual="resnet18", image_size=16, resnet_width=4, num_steps=2, audio_channels=(4,),
                      feature_dim=16, fusion_hidden=16, embed_dim=8, n_mels=16)
    torch.manual_seed(0)
    model = build_model(cfg).eval()
    audio, _ = _inputs(1)
    report = count_synaptic_ops(model, audio, torch.rand(1, 1, 16, 16))
    ops = {op.name: op for op in report.layers}
    convs = {n for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))}
    assert set(ops) == convs  # every Conv2d/Linear that ran is counted once
    short = ops["visual.layer2.0.shortcut.module.0"]  # 1x1 conv, stride 2: 4 -> 8 channels, 16x16 -> 8x8
    assert short.macs == 8 * 8 * 8 * 4 and short.steps == 2 and short.binary_input
    assert ops["visual.layer1.0.conv1.module"].steps == 2
