"""Run every benchmark of ``bench/`` in one go and refresh the Performance sections of the READMEs.

``make bench`` runs this script. Each benchmark runs in its own process, one
after the other, on the same machine, and writes ``bench/results/<name>.json``;
then the summary tables between the ``performance`` markers of
``bench/README.md`` are rebuilt from those files, so the README always matches
``bench/results/``.

Usage::

    python bench/run_all.py                   # everything (~10-15 minutes on 2 cores)
    python bench/run_all.py --only recording  # some of them
    python bench/run_all.py --smoke           # tiny sizes, results in a temporary folder
    python bench/run_all.py --readme-only     # rebuild the README tables from bench/results
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
README = HERE / "README.md"
READMES = (README, HERE.parent / "README.md")  # bench/README.md and the project's README
START, END = "<!-- performance:start -->", "<!-- performance:end -->"

# name -> (script, extra arguments of the full run); order = run order
SCRIPTS: dict[str, tuple[str, list[str]]] = {
    "recording": ("bench_recording.py", []),
    "training": ("bench_training.py", []),
    "projection": ("bench_projection.py", ["--sizes", "2000", "--no-cold"]),
    "app": ("bench_app.py", []),
}
COMMAND = "make bench  # = python bench/run_all.py"


def run_script(name: str, *, smoke: bool, out_dir: Path | None) -> float:
    """Run one benchmark in a fresh process; return its wall time in seconds."""
    script, extra = SCRIPTS[name]
    cmd = [sys.executable, str(HERE / script)] + (["--smoke"] if smoke else extra)
    if out_dir is not None:
        cmd += ["--out", str(out_dir / f"{name}.json")]
    print(f"\n=== {name}: {' '.join(cmd[1:])}", flush=True)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t0


# -- the README tables ---------------------------------------------------------------
def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows])


def _flag(key: str, value: Any) -> str:
    """``--key value`` as typed on the command line (``--key`` for a true switch)."""
    flag = "--" + key.replace("_", "-")
    if value is True:
        return flag
    return f"{flag} {' '.join(map(str, value)) if isinstance(value, list) else value}"


def _met(ok: bool | None) -> str:
    return "-" if ok is None else ("met" if ok else "**missed**")


def recording_section(data: dict[str, Any]) -> str:
    rows, by = [], {(r["case"], r["batch"], r["method"]): r for r in data["rows"]}
    for (case, batch, method), r in by.items():
        if method == "snnviz":
            continue
        ours = by[(case, batch, "snnviz")]
        ratio = r["snnviz_spike_bytes_ratio"]
        rows.append([case, batch, method, f"{ours['median_s']:.3g} / {r['median_s']:.3g}", r["snnviz_time_ratio"],
                     _met(r["snnviz_time_ratio"] <= 1.0), ratio, _met(ratio <= 0.25), r["snnviz_stored_bytes_ratio"],
                     r.get("spikes_identical"), r.get("spike_agreement")])
    bytes_rows = [[r["case"], r["method"], r["conv_bytes_per_sample"], r["fc_bytes_per_sample"]]
                  for r in data["rows"] if r["batch"] == max(x["batch"] for x in data["rows"])]
    return "\n\n".join([
        "### Recording every spiking layer (spikes + membranes)",
        _table(["network", "batch", "peer", "time s (snnviz / peer)", "time ratio", "goal <= 1",
                "spike bytes ratio", "goal <= 1/4", "all bytes ratio", "spikes identical", "spike agreement"], rows),
        "Bytes stored per recorded sample, all layers of a type summed (spikes + membranes):",
        _table(["network", "method", "conv layers", "fc layers"], bytes_rows),
    ])


def training_section(data: dict[str, Any]) -> str:
    rows, by = [], {(r["case"], r["device"], r["method"]): r for r in data["rows"]}
    for (case, device, method), r in by.items():
        if method != "snnviz":
            continue
        peer = by[(case, device, "snntorch_loop")]
        speedup = r["speedup_vs_snntorch_loop"]
        rows.append([case, device, r["batch"], r["num_steps"], r["samples_per_s"], peer["samples_per_s"], speedup,
                     _met(speedup >= 1.0)])
    return "\n\n".join(["### Training throughput (samples/s)", _table(
        ["preset", "device", "batch", "T", "snnviz", "snnTorch per-step loop", "speed-up", "goal >= 1"], rows)])


def app_section(data: dict[str, Any]) -> str:
    rows = [[r["phase"], r["page"], r["median_s"], r["min_s"], r["max_s"], r["runs"], r.get("goal_s"),
             _met(r.get("goal_met"))] for r in data["rows"]]
    return "\n\n".join(["### App latency (seconds)", _table(
        ["phase", "page", "median", "min", "max", "runs", "goal <", "goal"], rows)])


def projection_section(data: dict[str, Any], title: str = "Sphere projection (UMAP settings study)") -> str:
    rows = [[r["n"], r["config"], r["median_s"], r.get("cpu_median_s"), r.get("knn10"), r.get("speedup_cpu"),
             r.get("knn_ratio")] for r in data["rows"]]
    return "\n\n".join([f"### {title}", _table(
        ["n", "config", "wall s", "cpu s", "kNN-10 kept", "speed-up (cpu)", "kNN ratio"], rows)])


# larger projection sizes: run by hand (one run each, minutes per run), shown when their files exist
EXTRA = {size: f"projection_{size}" for size in ("10k", "50k")}

SECTIONS = {"recording": recording_section, "training": training_section, "projection": projection_section,
            **{name: (lambda data, size=size: projection_section(data, f"Sphere projection at {size} points "
                                                                   "(run by hand, not part of make bench)"))
               for size, name in EXTRA.items()},
            "app": app_section}


def performance_markdown(results: dict[str, dict[str, Any]]) -> str:
    """The Performance tables for the result files in ``results`` (``{name: parsed JSON}``)."""
    parts = []
    first = next(iter(results.values()), None)
    if first is not None:
        m = first["machine"]
        parts.append(f"Measured {first['date'][:10]} on {m.get('processor')} ({m.get('cpu_count')} cores, "
                     f"{m.get('memory_gib')} GiB{', ' + m['gpu'] if m.get('gpu') else ''}), Python {m.get('python')}, "
                     + ", ".join(f"{k} {v}" for k, v in first["versions"].items()) + f". Command: `{COMMAND}`.")
    for name, render in SECTIONS.items():
        if name in results:
            parts.append(render(results[name]))
            script = SCRIPTS[name][0] if name in SCRIPTS else "bench_projection.py"
            arguments = results[name].get("arguments", {})
            given = " ".join(_flag(k, v) for k, v in arguments.items() if v is not None and v is not False)
            parts.append(f"<sub>`python bench/{script}` with {given or 'its defaults'}</sub>")
            if results[name].get("notes"):
                parts.append(f"<sub>{results[name]['notes']}</sub>")
    return "\n\n".join(parts)


def load_results(folder: Path = RESULTS) -> dict[str, dict[str, Any]]:
    """Parsed ``<name>.json`` files of ``folder`` for the known benchmarks (smoke files are skipped)."""
    out = {}
    for name in [*SCRIPTS, *EXTRA.values()]:
        path = folder / f"{name}.json"
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            if not data.get("smoke"):
                out[name] = data
    return out


def update_readme(markdown: str, readme: Path = README) -> None:
    """Replace the text between the performance markers of ``readme`` with ``markdown``."""
    text = readme.read_text(encoding="utf-8")
    head, sep, rest = text.partition(START)
    if not sep or END not in rest:
        raise ValueError(f"{readme} has no '{START}' ... '{END}' block to fill.")
    readme.write_text(f"{head}{START}\n{markdown}\n{END}{rest.split(END, 1)[1]}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(SCRIPTS), default=list(SCRIPTS))
    parser.add_argument("--smoke", action="store_true", help="tiny sizes; results go to a temporary folder")
    parser.add_argument("--readme-only", action="store_true", help="only rebuild the README tables")
    args = parser.parse_args(argv)
    if not args.readme_only:
        timings = {}
        with tempfile.TemporaryDirectory() as tmp:
            out_dir = Path(tmp) if args.smoke else None
            for name in args.only:
                timings[name] = run_script(name, smoke=args.smoke, out_dir=out_dir)
            if args.smoke:
                print("\n" + performance_markdown(load_smoke(Path(tmp))))
        print("\n" + ", ".join(f"{n} {t:.0f} s" for n, t in timings.items()) + f"; total {sum(timings.values()):.0f} s")
        if args.smoke:
            return 0
    markdown = performance_markdown(load_results())
    for readme in READMES:
        update_readme(markdown, readme)
        print(f"updated {readme}")
    return 0


def load_smoke(folder: Path) -> dict[str, dict[str, Any]]:
    """Like :func:`load_results` for a folder of smoke results."""
    return {n: json.loads((folder / f"{n}.json").read_text(encoding="utf-8"))
            for n in SCRIPTS if (folder / f"{n}.json").is_file()}


if __name__ == "__main__":
    sys.exit(main())
