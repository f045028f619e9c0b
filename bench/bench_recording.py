"""Recording study: snnviz's Recorder against snnTorch's probe monitors and SpikingJelly's monitors.

Question: what does it cost to record every spiking layer (spikes and membranes)
of a model, in time and memory, with snnviz versus the tools a user would
otherwise reach for?

Networks: (a) the AV-Digits model (the bundled ``avdigits-arcface`` weights when
present, else ``build_model(ModelConfig())`` seeded weights) and (b) the
``resnet18`` preset at 32x32 with T = 8 (seeded weights), for one sample and for
a batch of 64 (random inputs, seeded).

Methods, timed interleaved in one process:

* ``snnviz`` -- ``with Recorder(model): model(audio, image)``: spikes as ``bool``,
  membranes as ``float32``, one ``(T, B, N)`` tensor per layer.
* ``snntorch_probe`` -- the same modules and weights run step by step as in the
  snnTorch tutorials (``for t in range(T): cur = conv(x); spk, mem = lif(cur, mem)``
  with the very same ``snntorch.Leaky`` objects), recorded with
  ``snntorch.functional.probe.OutputMonitor(net, instance=snntorch.Leaky)``, which
  keeps every call's ``(spk, mem)`` float tensors. Its spikes must equal snnviz's
  bit for bit (``spikes_identical``).
* ``spikingjelly_monitor`` (when SpikingJelly imports) -- the same network with
  every snnviz LIF layer swapped for a multi-step ``LIFNode`` (tau = 1/(1-beta),
  ``decay_input=False``, soft reset), recorded with SpikingJelly's
  ``OutputMonitor`` (spikes) and ``AttributeMonitor("v_seq")`` (membranes).
  SpikingJelly subtracts the threshold right after a spike while snnTorch does it
  one step later, so its spikes are compared as an agreement fraction.

Stored bytes are counted exactly from the recorded tensors. Peak memory is the
growth of the resident set (Linux ``VmHWM`` after resetting it) during one
recorded forward pass in a fresh subprocess per measurement, as context.

Run: ``python bench/bench_recording.py`` (``--smoke`` for a quick check).
"""

from __future__ import annotations

import copy
import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import argument_parser, write_results  # noqa: E402

from snnviz import ModelConfig, Recorder, build_model, load_checkpoint  # noqa: E402
from snnviz.models import MODALITIES, AVOutput, LIFLayer  # noqa: E402
from snnviz.models.layers import encode  # noqa: E402
from snnviz.training.presets import get_preset  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "assets" / "models" / "avdigits-arcface.safetensors"
METHODS = ("snnviz", "snntorch_probe", "spikingjelly_monitor")
PACKAGES = ("numpy", "torch", "snntorch", "spikingjelly")


# -- the networks -----------------------------------------------------------
def case_config(case: str, smoke: bool = False) -> ModelConfig:
    """The :class:`ModelConfig` of a benchmark case (tiny variants in smoke mode)."""
    if case == "avdigits":
        return ModelConfig(num_steps=2) if smoke else ModelConfig()
    if case == "resnet18":
        cfg = get_preset("cifar10av-resnet18-arcface").model.replace(num_steps=8, image_size=32)
        return cfg.replace(num_steps=2, image_size=16, resnet_width=4) if smoke else cfg
    raise ValueError(f"The 'case' parameter must be 'avdigits' or 'resnet18'. Got {case!r}.")


def load_case(case: str, smoke: bool = False) -> tuple[nn.Module, str]:
    """The model of ``case`` in eval mode and a word on where its weights came from."""
    if case == "avdigits" and not smoke and BUNDLED.is_file():
        model, _ = load_checkpoint(BUNDLED)
        return model.eval(), "bundled avdigits-arcface"
    torch.manual_seed(0)
    return build_model(case_config(case, smoke)).eval(), "seeded build_model (torch.manual_seed(0))"


def make_inputs(model: nn.Module, batch: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Seeded uniform inputs: audio ``(B, 1, n_mels, 63)`` and image ``(B, C, S, S)``."""
    cfg = model.config
    gen = torch.Generator().manual_seed(seed)
    audio = torch.rand(batch, 1, cfg.n_mels, 63, generator=gen)
    image = torch.rand(batch, cfg.image_channels, cfg.image_size, cfg.image_size, generator=gen)
    return audio, image


def _lif_step(layer: LIFLayer, cur: torch.Tensor, mem: dict, key: str) -> torch.Tensor:
    """One step of the layer's own ``snntorch.Leaky``, from zero state at t = 0."""
    spk, mem[key] = layer.neuron(cur, mem[key] if key in mem else torch.zeros_like(cur))
    return spk


class StepPeer(nn.Module):
    """The same network (same modules, same weights) run step by step, as in the snnTorch tutorials.

    Every stateless layer is called once per time step on ``(B, ...)`` and every
    neuron is the model's own ``snntorch.Leaky`` (``layer.neuron``) called as
    ``spk, mem = lif(cur, mem)``; the read-out is the model's. Returns an
    :class:`~snnviz.models.AVOutput` like the model.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.net = model

    def forward(self, audio: torch.Tensor | None, image: torch.Tensor | None) -> AVOutput:
        net = self.net
        cfg, steps = net.config, net.config.num_steps
        xa = encode(audio, steps, cfg.encoding) if audio is not None else None
        xv = encode(image, steps, cfg.encoding, seed=1) if image is not None else None
        visual_step = self._resnet_step if cfg.visual == "resnet18" else self._stack_step
        mem: dict[str, torch.Tensor] = {}
        feats: dict[str, list[torch.Tensor]] = {"audio": [], "visual": []}
        fused: list[torch.Tensor] = []
        for t in range(steps):
            now = {}
            if xa is not None:
                now["audio"] = self._stack_step(net.audio, xa[t], mem, "audio")
            if xv is not None:
                now["visual"] = visual_step(net.visual, xv[t], mem, "visual")
            if len(now) == 2:
                fusion = net.fusion
                cur = fusion.bn1(fusion.fc1(torch.cat([now["audio"], now["visual"]], dim=-1)))
                fused.append(_lif_step(fusion.lif1, cur, mem, "fusion.lif1"))
            for m, spk in now.items():
                feats[m].append(spk)
        out = AVOutput()
        for m, seq in feats.items():
            if seq:
                s = torch.stack(seq)  # (T, B, F)
                out.spike_counts[m] = s.sum(dim=(0, 2))
                out.embeddings[m] = net._embed(net.proj[m](s.mean(0)))
        if fused:
            out.embeddings["fused"] = net._embed(net.fusion.fc2(net.fusion.dropout(torch.stack(fused).mean(0))))
        for m in MODALITIES:
            if m in out.embeddings:
                out.logits[m] = net.heads[m](out.embeddings[m])
        return out

    @staticmethod
    def _stack_step(stack: nn.Module, x: torch.Tensor, mem: dict, prefix: str) -> torch.Tensor:
        for i in range(1, stack.num_blocks + 1):
            conv, bn, lif = getattr(stack, f"conv{i}"), getattr(stack, f"bn{i}"), getattr(stack, f"lif{i}")
            cur = bn(conv(x))
            if i >= stack.pool_from:
                cur = stack.pool(cur)
            x = _lif_step(lif, cur, mem, f"{prefix}.lif{i}")
        x = stack.grid_pool(x).flatten(1)
        return _lif_step(stack.lif_fc, stack.dropout(stack.fc(x)), mem, f"{prefix}.lif_fc")

    @staticmethod
    def _resnet_step(net: nn.Module, x: torch.Tensor, mem: dict, prefix: str) -> torch.Tensor:
        x = _lif_step(net.lif1, net.bn1(net.conv1(x)), mem, f"{prefix}.lif1")
        for i in range(1, 5):
            for j, block in enumerate(getattr(net, f"layer{i}")):
                name = f"{prefix}.layer{i}.{j}"
                out = _lif_step(block.lif1, block.bn1.module(block.conv1.module(x)), mem, f"{name}.lif1")
                out = block.bn2.module(block.conv2.module(out))
                short = x if isinstance(block.shortcut, nn.Identity) else block.shortcut.module(x)
                x = _lif_step(block.lif2, out + short, mem, f"{name}.lif2")
        x = net.avgpool(x).flatten(1)
        return _lif_step(net.lif_fc, net.dropout(net.fc(x)), mem, f"{prefix}.lif_fc")


def spikingjelly_copy(model: nn.Module) -> nn.Module | None:
    """A copy of ``model`` with every LIF layer swapped for SpikingJelly's multi-step ``LIFNode`` (None if absent)."""
    try:
        from spikingjelly.activation_based import neuron, surrogate
    except Exception:  # noqa: BLE001 - any import failure means "not available here"
        return None
    twin = copy.deepcopy(model)
    for name, layer in [(n, m) for n, m in twin.named_modules() if isinstance(m, LIFLayer)]:
        beta = float(layer.neuron.beta)
        node = neuron.LIFNode(tau=1.0 / max(1.0 - beta, 1e-6), decay_input=False, v_threshold=layer.threshold,
                              v_reset=None, surrogate_function=surrogate.ATan(), step_mode="m", store_v_seq=True)
        parent, _, attr = name.rpartition(".")
        setattr(twin.get_submodule(parent) if parent else twin, attr, node)
    return twin.eval()


# -- the three ways of recording ------------------------------------------------
def record_snnviz(model, audio, image) -> dict[str, Any]:
    with torch.inference_mode(), Recorder(model) as rec:
        model(audio, image)
    layers = {n: (r.spikes, r.membrane, r.kind) for n, r in rec.recording.layers.items()}
    return {"layers": layers}


def record_snntorch(peer, audio, image) -> dict[str, Any]:
    import snntorch
    from snntorch.functional import probe

    monitor = probe.OutputMonitor(peer, instance=snntorch.Leaky)
    try:
        with torch.inference_mode():
            peer(audio, image)
    finally:
        monitor.remove_hooks()
    return {"monitor": monitor}


def record_spikingjelly(twin, audio, image) -> dict[str, Any]:
    from spikingjelly.activation_based import functional, monitor, neuron

    spikes = monitor.OutputMonitor(twin, neuron.LIFNode)
    membranes = monitor.AttributeMonitor("v_seq", False, twin, neuron.LIFNode)
    try:
        with torch.inference_mode():
            twin(audio, image)
    finally:
        spikes.remove_hooks()
        membranes.remove_hooks()
        functional.reset_net(twin)
    return {"spikes": spikes, "membranes": membranes}


def as_layers(method: str, result: dict[str, Any]) -> dict[str, tuple[list, list, str]]:
    """``{layer: ([spike tensors], [membrane tensors], kind)}`` exactly as each method stores them."""
    if method == "snnviz":
        return {n: ([s], [m] if m is not None else [], kind) for n, (s, m, kind) in result["layers"].items()}
    if method == "snntorch_probe":
        mon, out = result["monitor"], {}
        for name, idx in mon.name_records_index.items():
            recs = [mon.records[i] for i in idx]
            if recs:
                key = name.removeprefix("net.").removesuffix(".neuron")
                out[key] = ([r[0] for r in recs], [r[1] for r in recs], "conv" if recs[0][0].dim() == 4 else "fc")
        return out
    spk, mem, out = result["spikes"], result["membranes"], {}
    for name in spk.monitored_layers:
        s, m = spk[name], mem[name]
        if s:
            out[name] = (s, m, "conv" if s[0].dim() == 5 else "fc")
    return out


def stored_bytes(layers: dict, batch: int) -> dict[str, float]:
    """Bytes stored in total, for spikes, and per sample per layer type (``conv``/``fc``)."""
    def nbytes(ts):
        return sum(t.element_size() * t.nelement() for t in ts)

    out = {"stored_mib": 0.0, "spike_mib": 0.0, "conv_bytes_per_sample": 0, "fc_bytes_per_sample": 0}
    for spikes, membranes, kind in layers.values():
        total = nbytes(spikes) + nbytes(membranes)
        out["stored_mib"] += total / 2**20
        out["spike_mib"] += nbytes(spikes) / 2**20
        out[f"{kind}_bytes_per_sample"] += total // batch
    return out


def spike_tensor(spikes: list[torch.Tensor]) -> torch.Tensor:
    """Stack recorded spikes to ``(T, B, N)`` bool."""
    s = spikes[0] if len(spikes) == 1 else torch.stack(spikes)
    return s.flatten(2).bool()


def compare_spikes(ref: dict, other: dict) -> tuple[bool, float]:
    """(every layer bit-identical, fraction of equal spike entries over all layers)."""
    equal = total = 0
    for name, (spikes, _, _) in ref.items():
        a, b = spike_tensor(spikes), spike_tensor(other[name][0])
        equal += int((a == b).sum())
        total += a.numel()
    return equal == total, equal / max(total, 1)


RECORDERS = {"snnviz": record_snnviz, "snntorch_probe": record_snntorch, "spikingjelly_monitor": record_spikingjelly}


def build_targets(model: nn.Module) -> dict[str, nn.Module]:
    """The object each method runs: the model, its step-by-step peer, its SpikingJelly twin."""
    targets = {"snnviz": model, "snntorch_probe": StepPeer(model).eval()}
    twin = spikingjelly_copy(model)
    if twin is not None:
        targets["spikingjelly_monitor"] = twin
    return targets


# -- peak memory in a fresh process -------------------------------------------
def _proc_status() -> dict[str, int]:
    with open("/proc/self/status", encoding="ascii") as fh:
        return {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in fh) if k in ("VmRSS", "VmHWM")}


def peak_growth_mib(fn) -> float:
    """Growth of the resident set (MiB) while ``fn()`` runs; Linux only (NaN elsewhere)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")  # resets VmHWM to the current RSS
        before = _proc_status()["VmRSS"]
    except OSError:
        return float("nan")
    result = fn()
    peak = _proc_status()["VmHWM"]
    del result
    return (peak - before) / 1024


def child_memory(case: str, batch: int, method: str, smoke: bool) -> None:
    """Subprocess entry: print the RSS growth of one recorded forward pass (after a batch-1 warm-up)."""
    torch.set_num_threads(max(1, torch.get_num_threads()))
    model, _ = load_case(case, smoke)
    target = build_targets(model)[method]
    RECORDERS[method](target, *make_inputs(model, 1))  # warm-up: lazy init, allocator, kernels
    audio, image = make_inputs(model, batch)
    gc.collect()
    print(json.dumps({"peak_growth_mib": peak_growth_mib(lambda: RECORDERS[method](target, audio, image))}))


def measure_memory(case: str, batch: int, method: str, smoke: bool) -> float:
    cmd = [sys.executable, __file__, "--child", case, str(batch), method] + (["--smoke"] if smoke else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_growth_mib"]


# -- the study -------------------------------------------------------------------
def time_interleaved(fns: dict[str, Any], repeats: int, warmup: int) -> dict[str, dict[str, Any]]:
    """Time every callable ``repeats`` times, rotating the order each round; keep each one's last result."""
    names, times, cpu, last = list(fns), {n: [] for n in fns}, {n: [] for n in fns}, {}
    for _ in range(warmup):
        for name in names:
            fns[name]()
    for r in range(repeats):
        for name in names[r % len(names):] + names[: r % len(names)]:
            last.pop(name, None)
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            result = fns[name]()
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
            if r == repeats - 1:
                last[name] = result
            del result
    return {n: {"median_s": statistics.median(times[n]), "min_s": min(times[n]), "max_s": max(times[n]),
                "runs": repeats, "times_s": times[n], "cpu_median_s": statistics.median(cpu[n]),
                "result": last.get(n)} for n in names}


def run_case(case: str, batch: int, args) -> list[dict[str, Any]]:
    model, weights = load_case(case, args.smoke)
    targets = build_targets(model)
    audio, image = make_inputs(model, batch)
    fns = {m: (lambda m=m: RECORDERS[m](targets[m], audio, image)) for m in targets}
    timed = time_interleaved(fns, args.repeats, args.warmup)
    layers = {m: as_layers(m, timed[m].pop("result")) for m in timed}
    ref, base = layers["snnviz"], timed["snnviz"]
    rows = []
    for method, row in timed.items():
        row.update(case=case, batch=batch, method=method, weights=weights, layers=len(layers[method]),
                   **stored_bytes(layers[method], batch))
        if method != "snnviz":
            row["snnviz_time_ratio"] = base["median_s"] / row["median_s"]
            identical, agree = compare_spikes(ref, layers[method])
            row.update(spikes_identical=identical, spike_agreement=agree)
        if not args.no_memory and (not args.smoke or (batch == 1 and method == "snnviz")):
            row["peak_growth_mib"] = measure_memory(case, batch, method, args.smoke)
        rows.append(row)
    for row in rows:
        if row["method"] != "snnviz":
            row["snnviz_spike_bytes_ratio"] = rows[0]["spike_mib"] / row["spike_mib"]
            row["snnviz_stored_bytes_ratio"] = rows[0]["stored_mib"] / row["stored_mib"]
    del layers, timed
    gc.collect()
    return rows


COLUMNS = ["case", "batch", "method", "median_s", "min_s", "max_s", "cpu_median_s", "snnviz_time_ratio",
           "stored_mib", "spike_mib", "snnviz_spike_bytes_ratio", "snnviz_stored_bytes_ratio",
           "conv_bytes_per_sample", "fc_bytes_per_sample", "peak_growth_mib", "spikes_identical", "spike_agreement"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        child_memory(argv[1], int(argv[2]), argv[3], "--smoke" in argv)
        return 0
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["avdigits", "resnet18"], choices=["avdigits", "resnet18"])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 64])
    parser.add_argument("--no-memory", action="store_true", help="skip the fresh-process peak-memory runs")
    args = parser.parse_args(argv)
    if args.smoke:
        args.batches, args.repeats, args.warmup = [1, 2], 1, 0
    rows = []
    for case in args.cases:
        for batch in args.batches:
            for row in run_case(case, batch, args):
                rows.append(row)
                print(f"{case} B={batch} {row['method']}: {row['median_s']:.3f} s, {row['stored_mib']:.2f} MiB stored",
                      flush=True)
    sj = "spikingjelly_monitor" in {r["method"] for r in rows}
    notes = ("Same process, interleaved, rotating order; times are medians of --repeats runs after --warmup. "
             f"torch threads: {torch.get_num_threads()}. snnviz stores spikes as bool and membranes as float32; "
             "the peers store float32 spikes and membranes. snnviz_time_ratio = snnviz median / peer median "
             "(< 1: snnviz faster); *_bytes_ratio = snnviz bytes / peer bytes. peak_growth_mib: RSS growth of one "
             "recorded pass at this batch in a fresh process (context only). "
             + ("SpikingJelly: multi-step LIFNode twin (soft reset right after the spike, so spikes differ slightly)."
                if sj else "SpikingJelly did not import here, so it has no rows."))
    write_results("recording", rows, args=args, notes=notes, columns=COLUMNS, packages=PACKAGES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
