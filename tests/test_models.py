import pytest
import torch

from snnviz.config import ModelConfig
from snnviz.device import available_devices, resolve_device
from snnviz.errors import ConfigError
from snnviz.losses import make_loss
from snnviz.models import MODALITIES, LIFLayer, build_model

TINY_RESNET = ModelConfig(visual="resnet18", image_channels=3, image_size=32, resnet_width=8, num_steps=2,
                          feature_dim=16, fusion_hidden=16, embed_dim=8, audio_channels=(4, 8))


def test_digits_model_output_shapes(av_batch):
    model = build_model(ModelConfig()).eval()
    with torch.inference_mode():
        out = model(*av_batch)
    assert out.modalities == list(MODALITIES)
    for m in MODALITIES:
        assert out.logits[m].shape == (3, 10)
        assert out.embeddings[m].shape == (3, 64)
        torch.testing.assert_close(out.embeddings[m].norm(dim=1), torch.ones(3))
    assert out.spike_counts["audio"].shape == (3,)


def test_resnet18_model_output_shapes():
    model = build_model(TINY_RESNET).eval()
    with torch.inference_mode():
        out = model(torch.rand(2, 1, 40, 63), torch.rand(2, 3, 32, 32))
    assert out.logits["fused"].shape == (2, 10)
    assert out.embeddings["visual"].shape == (2, 8)
    names = [n for n, _ in model.spiking_layers()]
    assert "visual.layer4.1.lif2" in names and names[0].startswith("audio")


def test_resnet18_full_width_has_resnet18_size():
    model = build_model(ModelConfig(visual="resnet18", image_channels=3, image_size=32))
    visual = sum(p.numel() for p in model.visual.parameters())
    assert 11_000_000 < visual < 11_400_000  # ResNet-18 trunk (11.17M) + a 512x128 feature layer


def test_forward_is_deterministic_and_stateless(av_batch):
    model = build_model(ModelConfig()).eval()
    audio, image = av_batch
    with torch.inference_mode():
        first = model(audio, image).logits["fused"]
        model(torch.rand(5, 1, 40, 63) * 5, torch.rand(5, 1, 8, 8) * 5)  # a different batch in between
        again = model(audio, image).logits["fused"]
    assert torch.equal(first, again)


def test_state_does_not_leak_between_batches(av_batch):
    model = build_model(ModelConfig()).eval()
    audio, image = av_batch
    with torch.inference_mode():
        alone = model(audio[:1], image[:1]).logits["fused"]
        batched = model(audio, image).logits["fused"][:1]
    torch.testing.assert_close(alone, batched, rtol=1e-5, atol=1e-6)


def test_unimodal_passes_have_no_fused_output(av_batch):
    model = build_model(ModelConfig()).eval()
    audio, image = av_batch
    with torch.inference_mode():
        only_audio = model(audio, None)
        only_image = model(None, image)
        both = model(audio, image)
    assert only_audio.modalities == ["audio"]
    assert only_image.modalities == ["visual"]
    assert torch.equal(only_audio.logits["audio"], both.logits["audio"])
    with pytest.raises(ValueError, match="at least one"):
        model(None, None)


def test_linear_head_without_normalisation(av_batch):
    model = build_model(ModelConfig(head="linear", normalize=False)).eval()
    with torch.inference_mode():
        out = model(*av_batch)
    assert not torch.allclose(out.embeddings["fused"].norm(dim=1), torch.ones(3))


def test_rate_encoding_is_reproducible_in_eval(av_batch):
    model = build_model(ModelConfig(encoding="rate", num_steps=4)).eval()
    with torch.inference_mode():
        a = model(*av_batch).logits["fused"]
        b = model(*av_batch).logits["fused"]
    assert torch.equal(a, b)


def test_training_step_reduces_loss(av_batch):
    torch.manual_seed(0)
    model = build_model(ModelConfig(num_steps=4))
    loss_fn = make_loss("arcface", s=16.0, m=0.2)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    labels = torch.tensor([0, 1, 2])
    losses = []
    for _ in range(15):
        out = model(*av_batch)
        loss = loss_fn(out.logits["fused"], labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] * 0.7
    assert all(p.grad is None or torch.isfinite(p.grad).all() for p in model.parameters())


def test_lif_layer_matches_snntorch_dynamics():
    lif = LIFLayer(beta=0.5, threshold=1.0, reset_mechanism="subtract")
    x = torch.tensor([0.8, 0.8, 0.8, 0.0]).view(4, 1, 1)
    spikes, mem = lif.run(x)
    # U1=0.8, U2=0.5*0.8+0.8=1.2 (spike), U3=0.5*1.2+0.8-1=0.4, U4=0.2
    torch.testing.assert_close(mem.flatten(), torch.tensor([0.8, 1.2, 0.4, 0.2]))
    assert spikes.flatten().tolist() == [0.0, 1.0, 0.0, 0.0]


@pytest.mark.parametrize("reset", ["zero", "none"])
def test_lif_reset_mechanisms(reset):
    lif = LIFLayer(beta=1.0, threshold=1.0, reset_mechanism=reset)
    _, mem = lif.run(torch.full((3, 1, 1), 0.6))
    expected = {"zero": [0.6, 1.2, 0.6], "none": [0.6, 1.2, 1.8]}[reset]
    torch.testing.assert_close(mem.flatten(), torch.tensor(expected))


def test_neurons_are_not_kept_in_snntorch_instance_list():
    import snntorch

    before = len(snntorch.SpikingNeuron.instances)
    build_model(ModelConfig())
    assert len(snntorch.SpikingNeuron.instances) == before


def test_resolve_device():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == available_devices()[0]
    assert "cpu" in available_devices()
    with pytest.raises(ConfigError, match="must be one of auto, cpu, cuda, mps. Got 'tpu'"):
        resolve_device("tpu")


@pytest.mark.gpu
def test_model_runs_on_cuda(av_batch):
    model = build_model(ModelConfig()).eval().to("cuda")
    with torch.inference_mode():
        out = model(av_batch[0].cuda(), av_batch[1].cuda())
    cpu = build_model(ModelConfig()).eval()
    cpu.load_state_dict({k: v.cpu() for k, v in model.state_dict().items()})
    with torch.inference_mode():
        ref = cpu(*av_batch)
    torch.testing.assert_close(out.logits["fused"].cpu(), ref.logits["fused"], rtol=1e-3, atol=1e-4)
