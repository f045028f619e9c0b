import pytest
import torch

from snnviz.config import ModelConfig
from snnviz.errors import RecordingError
from snnviz.models import build_model
from snnviz.recording import Recorder


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return build_model(ModelConfig(num_steps=6)).eval()


def test_recording_does_not_change_outputs_bit_for_bit(model, av_batch):
    with torch.inference_mode():
        plain = model(*av_batch)
        with Recorder(model) as rec:
            recorded = model(*av_batch)
    for m in plain.logits:
        assert torch.equal(plain.logits[m], recorded.logits[m])
        assert torch.equal(plain.embeddings[m], recorded.embeddings[m])
    assert rec.recording is not None and len(rec.recording) == 7


def test_recorded_spikes_equal_the_layer_outputs(model, av_batch):
    lif = dict(model.spiking_layers())["visual.lif2"]
    captured = {}
    handle = lif.register_forward_hook(lambda mod, inp, out: captured.setdefault("spk", out.clone()))
    try:
        with torch.inference_mode(), Recorder(model) as rec:
            model(*av_batch)
    finally:
        handle.remove()
    layer = rec.recording["visual.lif2"]
    assert torch.equal(layer.spikes, captured["spk"].flatten(2).bool())
    # spikes follow from the membrane: a spike at t iff U[t] > threshold
    assert torch.equal(layer.spikes, layer.membrane > layer.threshold)


def test_recording_shapes_and_dtypes(model, av_batch):
    with torch.inference_mode(), Recorder(model) as rec:
        model(*av_batch)
    r = rec.recording
    assert r.num_steps == 6 and r.batch_size == 3
    assert r.layer_names[0] == "audio.lif1" and r.layer_names[-1] == "fusion.lif1"
    conv = r["visual.lif1"]
    assert conv.shape == (16, 8, 8) and conv.kind == "conv" and conv.branch == "visual"
    assert conv.spikes.dtype == torch.bool and conv.spikes.shape == (6, 3, 16 * 8 * 8)
    assert conv.membrane.dtype == torch.float32
    assert r["fusion.lif1"].shape == (256,) and r["fusion.lif1"].kind == "fc"
    assert r.nbytes() == sum(layer.nbytes() for layer in r.layers.values())


def test_max_neurons_keeps_a_reproducible_subset(model, av_batch):
    with torch.inference_mode():
        with Recorder(model, max_neurons=50) as a:
            model(*av_batch)
        with Recorder(model, max_neurons=50) as b:
            model(*av_batch)
        with Recorder(model) as full:
            model(*av_batch)
    la, lb, lf = a.recording["visual.lif1"], b.recording["visual.lif1"], full.recording["visual.lif1"]
    assert la.spikes.shape == (6, 3, 50)
    assert torch.equal(la.neuron_index, lb.neuron_index)
    assert torch.all(la.neuron_index[1:] > la.neuron_index[:-1])
    assert torch.equal(la.spikes, lf.spikes[:, :, la.neuron_index])
    assert a.recording["visual.lif_fc"].spikes.shape[2] == 50  # 128 neurons -> 50


def test_layer_selection_float16_and_no_membrane(model, av_batch):
    with torch.inference_mode(), Recorder(model, layers=["fusion.lif1"], membrane_dtype=torch.float16) as rec:
        model(*av_batch)
    assert rec.recording.layer_names == ["fusion.lif1"]
    assert rec.recording["fusion.lif1"].membrane.dtype == torch.float16
    with torch.inference_mode(), Recorder(model, membrane=False) as rec2:
        model(*av_batch)
    assert rec2.recording["audio.lif1"].membrane is None


def test_hooks_are_removed_even_on_error(model, av_batch):
    with pytest.raises(RuntimeError):
        with Recorder(model):
            raise RuntimeError("boom")
    assert all(not m._forward_hooks for m in model.modules())
    with torch.inference_mode(), Recorder(model):
        model(*av_batch)
    assert all(not m._forward_hooks for m in model.modules())


def test_unknown_layers_and_bad_parameters_are_rejected(model):
    with pytest.raises(RecordingError, match=r"Unknown spiking layer\(s\): visual.nope\. Valid layers: audio.lif1"):
        Recorder(model, layers=["visual.nope"])
    with pytest.raises(RecordingError, match="'max_neurons' parameter must be a positive int"):
        Recorder(model, max_neurons=0)
    with torch.inference_mode(), Recorder(model) as rec:
        model(torch.rand(1, 1, 40, 63), None)
    assert rec.recording.layer_names == ["audio.lif1", "audio.lif2", "audio.lif_fc"]
    with pytest.raises(RecordingError, match="No layer 'visual.lif1' in this recording"):
        rec.recording["visual.lif1"]
