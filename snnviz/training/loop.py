"""The training loop: margin loss on the fused head plus auxiliary unimodal losses.

``train(recipe, out=PATH)`` trains, keeps the best epoch by fused accuracy on a
validation split carved from train (never the test split), evaluates it on the
test split and writes one ``.safetensors`` checkpoint that rebuilds the model
alone, plus ``PATH.train.safetensors`` with what ``--resume`` needs. It runs the
same under ``torchrun`` (DistributedDataParallel, see :mod:`.distributed`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Subset

from snnviz import __version__
from snnviz.checkpoint import save_checkpoint
from snnviz.errors import ConfigError
from snnviz.losses import make_loss
from snnviz.models import MODALITIES, AVSpikeNet, build_model
from snnviz.training import distributed as dist_utils
from snnviz.training.augment import spec_augment
from snnviz.training.presets import Recipe
from snnviz.training.state import load_train_state, save_train_state

__all__ = ["train", "evaluate_accuracy", "load_splits", "TrainResult"]

Log = Callable[[str], None]


class TrainResult(dict):
    """What :func:`train` returns: ``model`` (unwrapped, best epoch), ``meta`` and ``path``."""


def load_splits(recipe: Recipe):
    """Build (train, validation, test) datasets for ``recipe``; validation is carved from train."""
    from snnviz.data import load_dataset

    cfg, mcfg = recipe.train, recipe.model
    options = dict(cfg.dataset_options)
    if cfg.root is not None:
        options["root"] = cfg.root
    train_set = load_dataset(
        cfg.dataset, "train", **{"augment": True, **options} if cfg.dataset == "av-digits" else options
    )
    test_set = load_dataset(cfg.dataset, "test", **options)
    audio, image = test_set.audio_config, test_set.image_config
    if audio.n_mels != mcfg.n_mels:
        raise ConfigError(f"The model expects {mcfg.n_mels} mel bands but the dataset gives {audio.n_mels}.")
    if (image.channels, image.size) != (mcfg.image_channels, mcfg.image_size):
        raise ConfigError(
            f"The model expects {mcfg.image_channels}x{mcfg.image_size}x{mcfg.image_size} images but the dataset "
            f"gives {image.channels}x{image.size}x{image.size}; set model.image_channels/model.image_size."
        )
    # the validation split: a seeded subset of train items, evaluated without augmentation
    clean_train = load_dataset(cfg.dataset, "train", **options)
    order = np.random.default_rng(cfg.seed).permutation(len(train_set))
    n_val = max(1, int(round(cfg.val_fraction * len(train_set))))
    val_idx, train_idx = np.sort(order[:n_val]), np.sort(order[n_val:])
    return Subset(train_set, train_idx.tolist()), Subset(clean_train, val_idx.tolist()), test_set


def evaluate_accuracy(model: nn.Module, loader: DataLoader, device: torch.device) -> dict[str, float]:
    """Accuracy per modality (``audio``, ``visual``, ``fused``) over ``loader``."""
    model.eval()
    correct = dict.fromkeys(MODALITIES, 0)
    total = 0
    with torch.inference_mode():
        for batch in loader:
            out = model(batch["audio"].to(device), batch["image"].to(device))
            labels = batch["label"].to(device)
            for m in MODALITIES:
                correct[m] += int((out.logits[m].argmax(1) == labels).sum())
            total += len(labels)
    return {m: correct[m] / max(total, 1) for m in MODALITIES}


def _lr_factor(step: int, warmup: int, total: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def _loss_terms(out, labels, loss_fn, cfg) -> torch.Tensor:
    loss = loss_fn(out.logits["fused"], labels)
    if cfg.aux_audio:
        loss = loss + cfg.aux_audio * loss_fn(out.logits["audio"], labels)
    if cfg.aux_visual:
        loss = loss + cfg.aux_visual * loss_fn(out.logits["visual"], labels)
    return loss


def train(
    recipe: Recipe,
    out: str | Path,
    *,
    resume: str | Path | None = None,
    quiet: bool = False,
    log: Log | None = None,
    preset: str | None = None,
) -> TrainResult:
    """Train ``recipe`` and write the best epoch to ``out`` (rank 0 only under torchrun).

    Parameters
    ----------
    recipe : Recipe
        Model and training configs (see :mod:`snnviz.training.presets`).
    out : path
        Where the ``.safetensors`` checkpoint goes; ``<out>.train.safetensors`` holds the resume state.
    resume : path, optional
        A ``*.train.safetensors`` file written by an earlier run of the same recipe.
    quiet : bool
        No progress bars (the per-epoch summary lines are still logged).
    log : callable, optional
        Where summary lines go (default ``print``); only rank 0 logs.

    Returns
    -------
    TrainResult
        ``{"model": AVSpikeNet (best epoch, eval mode), "meta": dict, "path": Path | None}``.
    """
    cfg, mcfg = recipe.train, recipe.model
    out = Path(out)
    if out.suffix != ".safetensors":
        raise ConfigError(f"The '--out' path must end in '.safetensors'. Got {str(out)!r}.")
    ctx = dist_utils.setup(cfg.device)
    device, rank0 = ctx.device, ctx.rank == 0
    say: Log = (log or print) if rank0 else (lambda _msg: None)
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)

    train_set, val_set, test_set = load_splits(recipe)
    model: AVSpikeNet = build_model(mcfg).to(device)
    loss_fn = make_loss(cfg.loss, **cfg.loss_params())
    if cfg.loss == "softmax" and mcfg.head != "linear":
        raise ConfigError("The softmax loss needs model.head=linear (cosine heads need a margin loss or normface).")
    if cfg.loss != "softmax" and mcfg.head != "cosine":
        raise ConfigError(f"The {cfg.loss} loss needs model.head=cosine.")
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)

    sampler = dist_utils.make_sampler(train_set, ctx, seed=cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    workers = {"num_workers": cfg.num_workers, "persistent_workers": cfg.num_workers > 0}
    train_loader = DataLoader(
        train_set,
        batch_size=cfg.batch_size,
        sampler=sampler,
        shuffle=sampler is None,
        generator=gen if sampler is None else None,
        drop_last=len(train_set) > cfg.batch_size,
        **workers,
    )
    val_loader = DataLoader(val_set, batch_size=cfg.eval_batch_size, **workers)
    test_loader = DataLoader(test_set, batch_size=cfg.eval_batch_size, num_workers=cfg.num_workers)
    steps_per_epoch = (
        len(train_loader) if cfg.max_steps_per_epoch is None else min(len(train_loader), cfg.max_steps_per_epoch)
    )
    total_steps, warmup = cfg.epochs * steps_per_epoch, int(cfg.warmup_epochs * steps_per_epoch)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: _lr_factor(s, warmup, total_steps))

    history: list[dict[str, Any]] = []
    start_epoch, best = 0, {"epoch": -1, "val_fused": -1.0, "state": None}
    if resume is not None:
        state = load_train_state(resume, model, optimizer, scheduler, recipe)
        start_epoch, history, best = state["epoch"] + 1, state["history"], state["best"]
        say(f"resumed from {resume} at epoch {start_epoch + 1}")
    net = ctx.wrap(model)
    amp = cfg.amp and device.type == "cuda"
    started = time.perf_counter()
    for epoch in range(start_epoch, cfg.epochs):
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(epoch)
        gen.manual_seed(cfg.seed + epoch)
        net.train()
        t0, seen, correct, loss_sum = time.perf_counter(), 0, 0, 0.0
        bar = _progress(steps_per_epoch, f"epoch {epoch + 1}/{cfg.epochs}", disable=quiet or not rank0)
        for step, batch in enumerate(train_loader):
            if step >= steps_per_epoch:
                break
            audio, image = batch["audio"], batch["image"].to(device)
            if cfg.spec_augment:
                audio = spec_augment(audio)
            audio, labels = audio.to(device), batch["label"].to(device)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
                output = net(audio, image)
                loss = _loss_terms(output, labels, loss_fn, cfg)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            seen += len(labels)
            correct += int((output.logits["fused"].argmax(1) == labels).sum())
            loss_sum += loss.item() * len(labels)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{loss_sum / seen:.3f}", acc=f"{correct / seen:.3f}")
        if bar is not None:
            bar.close()
        train_time = time.perf_counter() - t0
        val = evaluate_accuracy(model, val_loader, device) if rank0 else {}
        record = {
            "epoch": epoch + 1,
            "train_loss": loss_sum / max(seen, 1),
            "train_acc_fused": correct / max(seen, 1),
            **{f"val_acc_{m}": v for m, v in val.items()},
            "lr": optimizer.param_groups[0]["lr"],
            "seconds": round(train_time, 2),
            "samples_per_s": round(seen * ctx.world_size / max(train_time, 1e-9), 1),
        }
        history.append(record)
        if rank0 and val["fused"] > best["val_fused"]:
            best = {
                "epoch": epoch + 1,
                "val_fused": val["fused"],
                "state": {k: v.detach().clone() for k, v in model.state_dict().items()},
            }
        say(
            f"epoch {epoch + 1}/{cfg.epochs}  loss {record['train_loss']:.4f}  "
            + (f"val acc audio {val['audio']:.4f} visual {val['visual']:.4f} fused {val['fused']:.4f}  " if val else "")
            + f"{record['samples_per_s']:.0f} samples/s"
        )
        if rank0:
            save_train_state(_train_state_path(out), model, optimizer, scheduler, recipe, epoch, history, best)
        ctx.barrier()
    elapsed = time.perf_counter() - started
    meta = None
    if rank0:
        if best["state"] is not None:
            model.load_state_dict(best["state"])
        test = evaluate_accuracy(model, test_loader, device)
        say(
            f"best epoch {best['epoch']}: test acc audio {test['audio']:.4f} visual {test['visual']:.4f} "
            f"fused {test['fused']:.4f}"
        )
        meta = _meta(recipe, test_set, history, best, test, elapsed, preset, ctx.world_size, device)
        save_checkpoint(model, out, meta=meta)
        say(f"wrote {out}")
    ctx.barrier()
    ctx.close()
    model.eval()
    return TrainResult(model=model, meta=meta, path=out if rank0 else None)


def _train_state_path(out: Path) -> Path:
    return out.with_name(out.name[: -len(".safetensors")] + ".train.safetensors")


def _progress(total: int, desc: str, *, disable: bool):
    if disable:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, leave=False, dynamic_ncols=True)


def _meta(recipe, test_set, history, best, test, elapsed, preset, world_size, device) -> dict[str, Any]:
    return {
        "classes": list(test_set.classes),
        "dataset": {"name": test_set.name, "options": dict(test_set.options)},
        "audio_config": test_set.audio_config.to_dict(),
        "image_config": test_set.image_config.to_dict(),
        "train_config": recipe.train.to_dict(),
        "preset": preset,
        "description": recipe.description,
        "history": history,
        "metrics": {"test_accuracy": test, "best_epoch": best["epoch"], "val_accuracy_fused": best["val_fused"]},
        "train_seconds": round(elapsed, 1),
        "world_size": world_size,
        "device": device.type,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "trained_with": f"snnviz {__version__}, torch {torch.__version__}",
    }
