"""Baselines that show AV-Digits' corruption makes fusion matter, plus data-loading speed.

For the "clean" and "default" presets it fits logistic regressions on

* raw pixels of the (corrupted) 8x8 image (64 features),
* the time-averaged log-mel spectrogram (40 features),
* both concatenated,

trained on the train split, scored on the speaker-independent test split, and
the late fusion (sum of the two unimodal log-probabilities). With ``--cnn`` it
also trains small CNNs per modality (train split seen under 2 corruption seeds)
and reports their late fusion: the numbers the default corruption was tuned on.

Usage::

    python bench/data_baseline.py [--cnn] [--out bench/results/data_baseline.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from snnviz.data import load_dataset


def _arrays(ds) -> tuple[np.ndarray, np.ndarray, np.ndarray, torch.Tensor, torch.Tensor]:
    batch = ds.batch(range(len(ds)))
    pixels = batch["image"].flatten(1).numpy()
    mean_mel = batch["audio"][:, 0].mean(dim=2).numpy()
    return pixels, mean_mel, batch["label"].numpy(), batch["image"], batch["audio"]


def _logreg(x_tr, y_tr, x_te, y_te) -> tuple[float, np.ndarray]:
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))
    model.fit(x_tr, y_tr)
    return float(model.score(x_te, y_te)), model.predict_log_proba(x_te)


def _acc(logp: np.ndarray, y: np.ndarray) -> float:
    return float((logp.argmax(1) == y).mean())


def logistic_baselines(preset: str) -> dict:
    tr = _arrays(load_dataset("av-digits", "train", preset=preset))
    te = _arrays(load_dataset("av-digits", "test", preset=preset))
    acc_img, lp_img = _logreg(tr[0], tr[2], te[0], te[2])
    acc_aud, lp_aud = _logreg(tr[1], tr[2], te[1], te[2])
    acc_both, _ = _logreg(np.hstack(tr[:2]), tr[2], np.hstack(te[:2]), te[2])
    return {"image_pixels": acc_img, "audio_mean_logmel": acc_aud, "both_concatenated": acc_both,
            "late_fusion": _acc(lp_img + lp_aud, te[2]), "train_items": len(tr[2]), "test_items": len(te[2])}


def _cnn(kind: str) -> nn.Module:
    if kind == "image":
        return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                             nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(512, 64), nn.ReLU(), nn.Linear(64, 10))
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.AdaptiveAvgPool2d((2, 4)),
                         nn.Flatten(), nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 10))


def _train_cnn(kind: str, x: torch.Tensor, y: torch.Tensor, x_te: torch.Tensor, epochs: int) -> np.ndarray:
    torch.manual_seed(0)
    model = _cnn(kind)
    opt = torch.optim.Adam(model.parameters(), 2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(y))
        for k in range(0, len(y), 128):
            b = perm[k : k + 128]
            loss = nn.functional.cross_entropy(model(x[b]), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        return model(x_te).log_softmax(1).numpy()


def cnn_baselines(epochs: int = 8) -> dict:
    parts = [_arrays(load_dataset("av-digits", "train", seed=s)) for s in range(2)]
    y = torch.from_numpy(np.concatenate([p[2] for p in parts]))
    te = _arrays(load_dataset("av-digits", "test"))
    lp_img = _train_cnn("image", torch.cat([p[3] for p in parts]), y, te[3], epochs)
    lp_aud = _train_cnn("audio", torch.cat([p[4] for p in parts]), y, te[4], epochs)
    return {"image_cnn": _acc(lp_img, te[2]), "audio_cnn": _acc(lp_aud, te[2]),
            "late_fusion": _acc(lp_img + lp_aud, te[2]), "epochs": epochs, "train_items": len(y)}


def loading_speed() -> dict:
    ds = load_dataset("av-digits", "train")
    ds[0]
    t = time.perf_counter()
    for i in range(500):
        ds[i]
    per_item = (time.perf_counter() - t) / 500
    t = time.perf_counter()
    for k in range(0, 512, 128):
        ds.batch(range(k, k + 128))
    per_batched = (time.perf_counter() - t) / 512
    return {"getitem_ms": per_item * 1e3, "batch_ms_per_item": per_batched * 1e3,
            "torch_threads": torch.get_num_threads()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cnn", action="store_true", help="also train small CNNs (minutes on a CPU)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "data_baseline.json")
    args = parser.parse_args()
    torch.set_num_threads(1)  # per-item work is tiny; extra threads only contend
    results = {"machine": platform.machine(), "python": platform.python_version(), "torch": torch.__version__,
               "speed": loading_speed()}
    for preset in ("clean", "default"):
        results[f"logreg_{preset}"] = logistic_baselines(preset)
        print(preset, json.dumps(results[f"logreg_{preset}"]), flush=True)
    if args.cnn:
        results["cnn_default"] = cnn_baselines()
        print("cnn", json.dumps(results["cnn_default"]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["speed"]))


if __name__ == "__main__":
    main()
