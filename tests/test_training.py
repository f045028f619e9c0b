import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from snnviz.checkpoint import load_checkpoint
from snnviz.errors import CheckpointError, ConfigError
from snnviz.training import apply_overrides, get_preset, train

TINY = [
    "epochs=1", "max_steps_per_epoch=2", "batch_size=16", "eval_batch_size=512", "num_workers=0", "model.num_steps=2",
    "model.visual_channels=4,8", "model.audio_channels=4,8", "model.feature_dim=16", "model.fusion_hidden=16",
    "model.embed_dim=8",
]


def _tiny(*extra):
    return apply_overrides(get_preset("avdigits-arcface"), [*TINY, *extra])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("train") / "tiny.safetensors"
    lines = []
    result = train(_tiny(), out, quiet=True, log=lines.append, preset="avdigits-arcface")
    return result, out, lines


def test_train_writes_a_checkpoint_that_rebuilds_the_model(trained):
    result, out, lines = trained
    model, meta = load_checkpoint(out)
    assert meta["classes"] == [str(d) for d in range(10)]
    assert meta["dataset"]["name"] == "av-digits" and "augment" not in meta["dataset"]["options"] or \
        meta["dataset"]["options"]["augment"] is False
    assert meta["audio_config"]["n_mels"] == 40 and meta["image_config"]["size"] == 8
    assert meta["train_config"]["loss"] == "arcface" and meta["preset"] == "avdigits-arcface"
    (record,) = meta["history"]
    assert {"epoch", "train_loss", "val_acc_fused", "val_acc_audio", "val_acc_visual", "lr"} <= set(record)
    test_acc = meta["metrics"]["test_accuracy"]
    assert set(test_acc) == {"audio", "visual", "fused"} and all(0.0 <= v <= 1.0 for v in test_acc.values())
    audio, image = torch.rand(2, 1, 40, 63), torch.rand(2, 1, 8, 8)
    with torch.inference_mode():
        assert torch.equal(model(audio, image).logits["fused"], result["model"](audio, image).logits["fused"])
    assert any(line.startswith("epoch 1/1") for line in lines)
    assert out.with_name("tiny.train.safetensors").is_file()


def test_training_is_deterministic_on_cpu(trained, tmp_path):
    _, first, _ = trained
    again = train(_tiny(), tmp_path / "again.safetensors", quiet=True, log=lambda _: None)["path"]
    a, b = load_file(str(first)), load_file(str(again))
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_resume_continues_from_the_training_state(trained, tmp_path):
    _, first, _ = trained
    state = first.with_name("tiny.train.safetensors")
    out = tmp_path / "resumed.safetensors"
    lines = []
    train(_tiny("epochs=2"), out, resume=state, quiet=True, log=lines.append)
    _, meta = load_checkpoint(out)
    assert [h["epoch"] for h in meta["history"]] == [1, 2]
    assert lines[0].startswith("resumed from") and any(line.startswith("epoch 2/2") for line in lines)
    with pytest.raises(CheckpointError, match="different model config"):
        train(_tiny("model.embed_dim=4"), tmp_path / "x.safetensors", resume=state, quiet=True, log=lambda _: None)


def test_overrides_are_type_checked():
    with pytest.raises(ConfigError, match="Unknown setting 'epoch'. Valid keys are: dataset, root"):
        apply_overrides(get_preset("avdigits-arcface"), ["epoch=3"])
    with pytest.raises(ConfigError, match="'epochs' must be > 0"):
        apply_overrides(get_preset("avdigits-arcface"), ["epochs=0"])
    with pytest.raises(ConfigError, match="must look like key=value"):
        apply_overrides(get_preset("avdigits-arcface"), ["epochs"])
    with pytest.raises(ConfigError, match="Unknown preset 'nope'. Valid presets: avdigits-arcface"):
        get_preset("nope")
    recipe = apply_overrides(get_preset("avdigits-softmax"), ["model.num_steps=3", "data.preset=clean", "lr=0.01"])
    assert recipe.model.num_steps == 3 and recipe.train.lr == 0.01
    assert recipe.train.dataset_options == {"preset": "clean"}


def test_loss_and_head_must_match(tmp_path):
    with pytest.raises(ConfigError, match="softmax loss needs model.head=linear"):
        train(_tiny("loss=softmax"), tmp_path / "x.safetensors", quiet=True, log=lambda _: None)


def test_cli_prints_config_and_rejects_unknown_keys():
    cmd = [sys.executable, "-m", "snnviz", "train", "--preset", "avdigits-sphere3d", "--set", "epochs=2",
           "--print-config"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    cfg = json.loads(out.stdout)
    assert cfg["model"]["embed_dim"] == 3 and cfg["train"]["epochs"] == 2
    bad = subprocess.run(cmd[:-1] + ["--set", "wings=2", "--print-config"], capture_output=True, text=True)
    assert bad.returncode == 1 and "Unknown setting 'wings'" in bad.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_torchrun_two_process_gloo_saves_what_rank0_holds(tmp_path):
    worker = Path(__file__).with_name("ddp_worker.py")
    out = tmp_path / "ddp.safetensors"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_addr=127.0.0.1",
           f"--master_port={_free_port()}", str(worker), str(out), *TINY]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    saved = load_file(str(out))
    rank0 = load_file(str(tmp_path / "rank0.safetensors"))
    rank1 = load_file(str(tmp_path / "rank1.safetensors"))
    params = [k for k in saved if "running_" not in k and "num_batches" not in k]
    assert all(torch.equal(saved[k], rank0[k]) for k in saved)  # the file is rank 0's model
    assert all(torch.equal(rank0[k], rank1[k]) for k in params)  # DDP kept the weights in sync
    _, meta = load_checkpoint(out)
    assert meta["world_size"] == 2
