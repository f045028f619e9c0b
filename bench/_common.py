"""Shared helpers for the benchmark scripts in ``bench/``.

A benchmark script builds an :func:`argument_parser`, times callables with
:func:`measure`, and ends with :func:`write_results`, which stores a JSON file
under ``bench/results/`` (machine, versions, arguments, rows) and prints the
rows as a Markdown table.

Example
-------
>>> args = argument_parser("my study").parse_args(["--smoke"])
>>> row = measure(lambda: sum(range(1000)), repeats=args.repeats)
>>> row["runs"], row["median_s"] <= row["max_s"]
(5, True)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_PACKAGES = ("numpy", "torch", "snntorch", "scikit-learn", "umap-learn", "numba", "pynndescent")


def argument_parser(description: str) -> argparse.ArgumentParser:
    """Parser with the options every benchmark shares: ``--smoke``, ``--repeats``, ``--out``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and one repeat: checks the script runs")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs after the warm-up (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--out", type=Path, default=None, help="JSON file to write (default bench/results/<name>.json)")
    return parser


def machine() -> dict[str, Any]:
    """Describe the machine: CPU, core count, memory, OS and Python."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            names = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
        if names:
            info["processor"] = names[0]
    except OSError:
        pass
    try:
        info["memory_gib"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    try:
        import torch

        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return info


def versions(packages: Iterable[str] = DEFAULT_PACKAGES) -> dict[str, str]:
    """Installed versions of ``packages`` (missing ones are left out)."""
    out = {}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def measure(fn: Callable[[], Any], *, repeats: int = 5, warmup: int = 1, trace_memory: bool = False) -> dict[str, Any]:
    """Time ``fn()``: ``warmup`` untimed calls, then ``repeats`` timed ones.

    Parameters
    ----------
    fn : callable
        Called with no arguments; its last return value is kept under ``"result"``.
    repeats : int
        Timed calls (at least 1).
    warmup : int
        Untimed calls first (JIT compilation, caches, imports).
    trace_memory : bool
        Also report the Python-heap peak of one extra call (``tracemalloc``; slows that call).

    Returns
    -------
    dict
        Wall-clock ``median_s``, ``min_s``, ``max_s``, ``mean_s``, ``runs``, ``times_s``; process CPU time
        ``cpu_median_s`` and ``cpu_times_s`` (steadier than wall time on a shared machine for
        single-threaded work); ``result``; and, when asked, ``py_peak_mib``.
    """
    if repeats < 1:
        raise ValueError(f"The 'repeats' parameter must be an int >= 1. Got {repeats}.")
    result = None
    for _ in range(warmup):
        result = fn()
    times, cpu = [], []
    for _ in range(repeats):
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    row: dict[str, Any] = {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "mean_s": statistics.fmean(times),
        "runs": repeats,
        "times_s": times,
        "cpu_median_s": statistics.median(cpu),
        "cpu_times_s": cpu,
    }
    if trace_memory:
        tracemalloc.start()
        fn()
        row["py_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    row["result"] = result
    return row


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Render ``rows`` as a Markdown table; floats get 3 significant digits."""
    if not rows:
        return "(no rows)"
    cols = list(columns or [c for c in rows[0] if not isinstance(rows[0][c], (list, dict))])

    def fmt(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.3g}"
        return "" if value is None else str(value)

    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(fmt(r.get(c)) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def write_results(name: str, rows: list[dict[str, Any]], *, args: argparse.Namespace | None = None,
                  notes: str = "", columns: Sequence[str] | None = None, packages: Iterable[str] = DEFAULT_PACKAGES,
                  ) -> Path:
    """Write ``bench/results/<name>.json`` (or ``args.out``) and print a Markdown table.

    A smoke run writes ``<name>_smoke.json`` so it never overwrites real results.
    """
    smoke = bool(args is not None and getattr(args, "smoke", False))
    out = getattr(args, "out", None) if args is not None else None
    path = Path(out) if out else RESULTS_DIR / f"{name}{'_smoke' if smoke else ''}.json"
    clean = [{k: v for k, v in r.items() if k != "result"} for r in rows]
    payload = {
        "benchmark": name,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "smoke": smoke,
        "arguments": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()} if args else {},
        "machine": machine(),
        "versions": versions(packages),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "notes": notes,
        "rows": clean,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(markdown_table(clean, columns))
    print(f"\nwrote {path}")
    return path
