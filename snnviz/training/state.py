"""Resumable training state in ``*.train.safetensors`` (never pickle).

Tensors: the current model (``model/<key>``), the best epoch's model
(``best/<key>``) and the optimizer's per-parameter state
(``optim/<index>/<name>``). The JSON metadata holds the recipe, the epoch, the
history, the optimizer's hyper-parameters and the scheduler position.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from snnviz.errors import CheckpointError

__all__ = ["save_train_state", "load_train_state"]


def save_train_state(path, model, optimizer, scheduler, recipe, epoch: int, history, best) -> None:
    """Write everything ``--resume`` needs after ``epoch`` (0-based) to ``path``."""
    tensors = {f"model/{k}": v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()}
    if best.get("state") is not None:
        tensors.update({f"best/{k}": v.detach().cpu().contiguous().clone() for k, v in best["state"].items()})
    opt = optimizer.state_dict()
    scalars: dict[str, dict[str, float]] = {}
    for idx, pstate in opt["state"].items():
        for name, value in pstate.items():
            if torch.is_tensor(value) and value.dim() > 0:
                tensors[f"optim/{idx}/{name}"] = value.detach().cpu().contiguous().clone()
            else:
                scalars.setdefault(str(idx), {})[name] = float(value)
    meta = {
        "recipe": recipe.to_dict(),
        "epoch": epoch,
        "history": history,
        "best_epoch": best["epoch"],
        "best_val_fused": best["val_fused"],
        "param_groups": opt["param_groups"],
        "optim_scalars": scalars,
        "scheduler_last_epoch": scheduler.last_epoch,
    }
    tmp = Path(str(path) + ".tmp")
    save_file(tensors, str(tmp), metadata={"snnviz_train_state": json.dumps(meta)})
    tmp.replace(path)


def load_train_state(path, model, optimizer, scheduler, recipe) -> dict[str, Any]:
    """Restore model, optimizer and scheduler from ``path``; return epoch, history and best."""
    label = f"The training state {str(path)!r}"
    try:
        with safe_open(str(path), framework="pt") as fh:
            meta_text = (fh.metadata() or {}).get("snnviz_train_state")
            tensors = {k: fh.get_tensor(k) for k in fh.keys()}
    except (SafetensorError, OSError) as err:
        raise CheckpointError(f"{label} cannot be read: {err}.") from err
    if not meta_text:
        raise CheckpointError(f"{label} is not an snnviz training state (use the '*.train.safetensors' file).")
    meta = json.loads(meta_text)
    if meta["recipe"]["model"] != recipe.model.to_dict():
        raise CheckpointError(
            f"{label} was written for a different model config; resume with the same preset/settings."
        )
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model/")})
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if key.startswith("optim/"):
            _, idx, name = key.split("/", 2)
            state.setdefault(int(idx), {})[name] = value
    for idx, values in meta["optim_scalars"].items():
        for name, value in values.items():
            state.setdefault(int(idx), {})[name] = torch.tensor(value)
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    scheduler.last_epoch = meta["scheduler_last_epoch"]
    scheduler._last_lr = [g["lr"] for g in optimizer.param_groups]
    best_state = {k[5:]: v for k, v in tensors.items() if k.startswith("best/")} or None
    return {
        "epoch": meta["epoch"],
        "history": meta["history"],
        "best": {"epoch": meta["best_epoch"], "val_fused": meta["best_val_fused"], "state": best_state},
    }
