"""Training throughput: snnviz's time-folded network against the same network as a per-step snnTorch loop.

Question: does training with snnviz cost more than the plain snnTorch training
loop a user would write from the tutorials?

For the bundled preset (``avdigits-arcface``) and the ``resnet18`` preset
(``cifar10av-resnet18-arcface``: 32x32, T = 4), both sides start from the same
weights and train on the same seeded synthetic batch with the preset's loss
(ArcFace on the fused head plus the auxiliary audio and visual losses, as
:func:`snnviz.training.train` computes it) and AdamW:

* ``snnviz`` -- ``AVSpikeNet`` as it trains in ``snnviz train``: every stateless
  layer runs once on the time-folded ``(T*B, ...)`` sequence, only the neurons loop.
* ``snntorch_loop`` -- the same modules driven step by step, as in the snnTorch
  tutorials (``StepPeer`` of ``bench_recording.py``:
  ``for t in range(T): cur = conv(x); spk, mem = lif(cur, mem) ...``).

One timed run is ``--steps`` optimiser steps; throughput is samples per second
of wall time (median of ``--repeats`` interleaved runs after ``--warmup``). The
CPU always runs; CUDA runs too when a GPU is present (with the presets' batch
sizes). On the CPU the ResNet-18 batch is cut to ``--resnet-cpu-batch`` so a run
fits a 2-core machine.

Run: ``python bench/bench_training.py`` (``--smoke`` for a quick check).
"""

from __future__ import annotations

import copy
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import argument_parser, write_results  # noqa: E402
from bench_recording import StepPeer  # noqa: E402

from snnviz import build_model, make_loss  # noqa: E402
from snnviz.training.loop import _loss_terms  # noqa: E402
from snnviz.training.presets import get_preset  # noqa: E402

PRESETS = {"avdigits": "avdigits-arcface", "resnet18": "cifar10av-resnet18-arcface"}


def make_batch(mcfg, batch: int, device: torch.device, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """A seeded synthetic batch: audio ``(B, 1, n_mels, 63)``, image ``(B, C, S, S)``, labels ``(B,)``."""
    gen = torch.Generator().manual_seed(seed)
    audio = torch.rand(batch, 1, mcfg.n_mels, 63, generator=gen)
    image = torch.rand(batch, mcfg.image_channels, mcfg.image_size, mcfg.image_size, generator=gen)
    labels = torch.randint(0, mcfg.num_classes, (batch,), generator=gen)
    return audio.to(device), image.to(device), labels.to(device)


class Trainer:
    """``steps`` optimiser steps of ``net`` on one batch, with the preset's loss and AdamW."""

    def __init__(self, net: torch.nn.Module, params, tcfg, batch: tuple[torch.Tensor, ...], steps: int) -> None:
        self.net, self.tcfg, self.batch, self.steps = net.train(), tcfg, batch, steps
        self.loss_fn = make_loss(tcfg.loss, **tcfg.loss_params())
        self.optimizer = torch.optim.AdamW(params, lr=tcfg.lr, weight_decay=tcfg.weight_decay)
        self.last_loss = float("nan")

    def __call__(self) -> float:
        audio, image, labels = self.batch
        for _ in range(self.steps):
            out = self.net(audio, image)
            loss = _loss_terms(out, labels, self.loss_fn, self.tcfg)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
        if audio.device.type == "cuda":
            torch.cuda.synchronize(audio.device)
        self.last_loss = float(loss.detach())
        return self.last_loss


def time_interleaved(fns: dict[str, Any], repeats: int, warmup: int) -> dict[str, list[float]]:
    """Wall times of ``repeats`` runs of every callable, rotating the order each round."""
    names, times = list(fns), {n: [] for n in fns}
    for _ in range(warmup):
        for name in names:
            fns[name]()
    for r in range(repeats):
        for name in names[r % len(names):] + names[: r % len(names)]:
            gc.collect()
            t0 = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - t0)
    return times


def run_case(case: str, device: torch.device, batch: int, args) -> list[dict[str, Any]]:
    recipe = get_preset(PRESETS[case])
    mcfg, tcfg = recipe.model, recipe.train
    if args.smoke:
        mcfg = mcfg.replace(num_steps=2) if case == "avdigits" else mcfg.replace(num_steps=2, image_size=16,
                                                                                 resnet_width=4)
    torch.manual_seed(0)
    model = build_model(mcfg).to(device)
    twin = copy.deepcopy(model)  # same initial weights
    data = make_batch(mcfg, batch, device)
    trainers = {"snnviz": Trainer(model, model.parameters(), tcfg, data, args.steps),
                "snntorch_loop": Trainer(StepPeer(twin), twin.parameters(), tcfg, data, args.steps)}
    times = time_interleaved(trainers, args.repeats, args.warmup)
    rows = []
    for method, ts in times.items():
        median = statistics.median(ts)
        rows.append({"case": case, "preset": PRESETS[case], "device": device.type, "batch": batch,
                     "num_steps": mcfg.num_steps, "method": method, "samples_per_s": batch * args.steps / median,
                     "median_s": median, "min_s": min(ts), "max_s": max(ts), "runs": len(ts), "times_s": ts,
                     "steps_per_run": args.steps, "last_loss": trainers[method].last_loss})
    rows[0]["speedup_vs_snntorch_loop"] = rows[1]["median_s"] / rows[0]["median_s"]
    return rows


COLUMNS = ["case", "device", "batch", "num_steps", "method", "samples_per_s", "median_s", "min_s", "max_s", "runs",
           "speedup_vs_snntorch_loop"]


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(PRESETS), choices=list(PRESETS))
    parser.add_argument("--steps", type=int, default=2, help="optimiser steps per timed run (default 2)")
    parser.add_argument("--resnet-cpu-batch", type=int, default=8, help="ResNet-18 batch on the CPU (default 8)")
    parser.add_argument("--device", choices=["auto", "cpu"], default="auto", help="'auto' adds CUDA when present")
    args = parser.parse_args(argv)
    if args.smoke:
        args.repeats, args.warmup, args.steps = 1, 0, 1
    devices = [torch.device("cpu")]
    if args.device == "auto" and torch.cuda.is_available():
        devices.append(torch.device("cuda"))
    rows = []
    for device in devices:
        for case in args.cases:
            batch = get_preset(PRESETS[case]).train.batch_size
            if device.type == "cpu" and case == "resnet18":
                batch = args.resnet_cpu_batch
            if args.smoke:
                batch = 4
            for row in run_case(case, device, batch, args):
                rows.append(row)
                print(f"{device.type} {case} B={batch} {row['method']}: {row['samples_per_s']:.1f} samples/s",
                      flush=True)
    notes = ("Same process, interleaved, rotating order; each run is --steps AdamW steps on one seeded synthetic "
             f"batch; throughput = batch * steps / median wall time. torch threads: {torch.get_num_threads()}. "
             "speedup_vs_snntorch_loop = snntorch_loop median / snnviz median (> 1: snnviz faster). "
             "In train mode the per-step loop's BatchNorm sees B samples per call instead of T*B, as in the tutorials.")
    write_results("training", rows, args=args, notes=notes, columns=COLUMNS,
                  packages=("numpy", "torch", "snntorch"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
