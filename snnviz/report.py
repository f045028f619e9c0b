"""``snnviz eval`` and ``snnviz report``: a checkpoint's numbers, in a terminal or one HTML file.

``snnviz eval CHECKPOINT [--json]`` prints per-modality accuracy on the test split
and the headline hypersphere figures. ``snnviz report CHECKPOINT [--compare OTHER]
--out report.html`` writes one self-contained HTML file (Plotly inlined, opens
offline): accuracy per modality, per-class metrics, the sphere, the confusion
matrix, per-layer firing and energy, and the training history.
"""

from __future__ import annotations

import argparse
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

__all__ = ["Evaluation", "evaluate_checkpoint", "write_report", "add_eval_arguments", "run_eval",
           "add_report_arguments", "run_report"]


@dataclass
class Evaluation:
    """Everything the report shows about one checkpoint."""

    name: str
    path: str
    meta: dict[str, Any]
    model: Any
    dataset: Any
    embeddings: Any
    metrics: dict[str, Any]  # modality -> SphereMetrics

    def accuracy(self) -> dict[str, float]:
        return {m: self.embeddings.accuracy(m) for m in self.embeddings.modalities}

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "checkpoint": self.path,
            "dataset": self.dataset.name,
            "split": self.dataset.split,
            "samples": int(len(self.embeddings.labels)),
            "accuracy": self.accuracy(),
            "metrics": {m: _finite(s.summary()) for m, s in self.metrics.items()},
            "per_class": {m: [_finite(r) for r in s.per_class_table()] for m, s in self.metrics.items()},
            "trained": (self.meta.get("metrics") or {}),
        }


def _finite(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in row.items():
        if isinstance(v, (float, np.floating)):
            v = float(v)
            out[k] = v if np.isfinite(v) else None
        elif isinstance(v, np.integer):
            out[k] = int(v)
        else:
            out[k] = v
    return out


def evaluate_checkpoint(path: str | Path, *, split: str = "test", device: str = "auto", root: str | None = None,
                        cache: Any = True, progress=None) -> Evaluation:
    """Load a checkpoint, its dataset split and embeddings (disk-cached), and compute sphere metrics.

    Softmax (unnormalised) features are L2-normalised for the metrics, so models
    trained with and without a margin loss are compared on the same sphere.
    """
    from snnviz.analysis.embeddings import extract_embeddings
    from snnviz.analysis.sphere import sphere_metrics
    from snnviz.checkpoint import file_sha256, load_checkpoint
    from snnviz.config import AudioConfig, ImageConfig
    from snnviz.data import load_dataset
    from snnviz.device import resolve_device

    dev = resolve_device(device)
    model, meta = load_checkpoint(path, device=dev)
    info = meta.get("dataset") or {"name": "av-digits", "options": {}}
    options = {k: v for k, v in (info.get("options") or {}).items() if k != "augment"}
    if root is not None:
        options["root"] = root
    kwargs: dict[str, Any] = dict(options)
    if meta.get("audio_config"):
        kwargs["audio"] = AudioConfig.from_dict(meta["audio_config"])
    if meta.get("image_config"):
        kwargs["image"] = ImageConfig.from_dict(meta["image_config"])
    dataset = load_dataset(info["name"], split, **kwargs)
    emb = extract_embeddings(model, dataset, device=dev, cache=cache, model_hash=file_sha256(path), progress=progress)
    metrics = {m: sphere_metrics(emb.embeddings[m], emb.labels, class_names=emb.classes) for m in emb.modalities}
    name = Path(path).name.removesuffix(".safetensors")
    return Evaluation(name, str(path), meta, model, dataset, emb, metrics)


# --------------------------------------------------------------------------- HTML
def _figures(ev: Evaluation) -> list[tuple[str, Any]]:
    from snnviz.analysis.activity import count_synaptic_ops, split_activity
    from snnviz.analysis.projection import project_cached
    from snnviz.viz.activity import energy_figure, firing_rate_figure
    from snnviz.viz.metrics import class_metric_bars, confusion_figure, confusion_matrix
    from snnviz.viz.sphere import sphere_figure
    from snnviz.viz.training import history_figure

    emb, classes = ev.embeddings, ev.embeddings.classes
    fused = emb.embeddings["fused"]
    proj = project_cached(fused, cache=True)  # rows are normalised inside (softmax features too)
    means = ev.metrics["fused"].mean_directions
    figs = [
        ("sphere", sphere_figure(proj.xyz_, emb.labels, classes, predictions=emb.predictions["fused"],
                                 sample_ids=emb.sample_ids, class_means=proj.transform(means),
                                 title=f"{ev.name}: fused embeddings on the sphere ({proj.method_})")),
        ("compactness", class_metric_bars({m: s.mean_deviation_deg for m, s in ev.metrics.items()}, classes,
                                          metric="mean angular deviation from the class mean (°)")),
        ("confusion", confusion_figure(confusion_matrix(emb.labels, emb.predictions["fused"], len(classes)), classes,
                                       title=f"{ev.name}: confusion matrix (fused)")),
    ]
    loader = torch.utils.data.DataLoader(torch.utils.data.Subset(ev.dataset, range(min(128, len(ev.dataset)))),
                                         batch_size=64)
    device = next(ev.model.parameters()).device
    figs.append(("firing", firing_rate_figure(split_activity(ev.model, loader, device=device),
                                              title=f"{ev.name}: firing rate per layer (128 samples)")))
    batch = next(iter(loader))
    report = count_synaptic_ops(ev.model, batch["audio"].to(device), batch["image"].to(device))
    figs.append(("energy", energy_figure(report, title=f"{ev.name}: energy per sample, SNN vs ANN")))
    if ev.meta.get("history"):
        figs.append(("history", history_figure(ev.meta["history"], title=f"{ev.name}: training history")))
    return figs


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = ""
    for row in rows:
        cells = "".join(f"<td>{v:.3f}</td>" if isinstance(v, float) else f"<td>{html.escape(str(v))}</td>"
                        for v in row.values())
        body += f"<tr>{cells}</tr>"
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(ev: Evaluation, include_js: list[bool]) -> str:
    acc_rows = [{"modality": m, "accuracy": a} for m, a in ev.accuracy().items()]
    metric_rows = [{"modality": m, **{k: v for k, v in _finite(s.summary()).items()}} for m, s in ev.metrics.items()]
    parts = [f"<h2>{html.escape(ev.name)}</h2>",
             f"<p>{html.escape(ev.meta.get('description') or '')} Dataset {html.escape(ev.dataset.name)}, "
             f"{ev.dataset.split} split, {len(ev.embeddings.labels):,} samples.</p>",
             "<h3>Accuracy per modality</h3>", _table(acc_rows),
             "<h3>Hypersphere metrics (on the original D-dimensional unit embeddings)</h3>", _table(metric_rows),
             "<h3>Per-class metrics (fused)</h3>", _table([_finite(r) for r in ev.metrics["fused"].per_class_table()])]
    for _key, fig in _figures(ev):
        js = "inline" if not include_js[0] else False
        include_js[0] = True
        parts.append(fig.to_html(full_html=False, include_plotlyjs=js, auto_play=False))
    return "\n".join(parts)


def write_report(evaluations: list[Evaluation], out: str | Path) -> Path:
    """Write one self-contained HTML file (Plotly inlined once) for one or two evaluations."""
    from snnviz import __version__

    include_js = [False]
    sections = [_section(ev, include_js) for ev in evaluations]
    cols = "".join(f'<div class="col">{s}</div>' for s in sections)
    title = " vs ".join(ev.name for ev in evaluations)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>snnviz report: {html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:1.5em}} .row{{display:flex;gap:2em;flex-wrap:wrap}}
.col{{flex:1;min-width:560px}} table{{border-collapse:collapse;font-size:0.85em;margin-bottom:1em}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}</style></head><body>
<h1>snnviz report: {html.escape(title)}</h1><p>Written by snnviz {__version__}. Energy estimates use 45 nm figures
(0.9 pJ per synaptic operation, 4.6 pJ per MAC; Horowitz 2014) and do not count memory traffic.</p>
<div class="row">{cols}</div></body></html>"""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


# --------------------------------------------------------------------------- CLI
def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("checkpoint", type=Path, help="a .safetensors checkpoint")
    parser.add_argument("--split", default="test", choices=["test", "train"])
    parser.add_argument("--device", default="auto", help="auto|cpu|cuda|mps")
    parser.add_argument("--root", default=None, help="local folder of a folder dataset (cifar10-av, urbansound8k-av)")


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")


def run_eval(args: argparse.Namespace) -> int:
    ev = evaluate_checkpoint(args.checkpoint, split=args.split, device=args.device, root=args.root)
    if args.json:
        print(json.dumps(ev.to_json(), indent=2))
        return 0
    print(f"{ev.name} on {ev.dataset.name} ({ev.dataset.split}, {len(ev.embeddings.labels):,} samples)")
    for m, a in ev.accuracy().items():
        s = ev.metrics[m].summary()
        print(f"  {m:7s} accuracy {100 * a:6.2f}%   intra-class angle {s['mean_intra_angle_deg']:5.1f}°   "
              f"min inter-class angle {s['min_inter_angle_deg']:5.1f}°   silhouette {s['silhouette']:.3f}")
    return 0


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("--compare", type=Path, default=None, help="a second checkpoint shown side by side")
    parser.add_argument("--out", type=Path, default=Path("report.html"), help="the HTML file to write")


def run_report(args: argparse.Namespace) -> int:
    evs = [evaluate_checkpoint(args.checkpoint, split=args.split, device=args.device, root=args.root)]
    if args.compare is not None:
        evs.append(evaluate_checkpoint(args.compare, split=args.split, device=args.device, root=args.root))
    out = write_report(evs, args.out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


add_arguments = add_eval_arguments
run = run_eval
