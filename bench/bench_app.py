"""App latency: cold start in headless Chromium, warm script runs of every page, the Hypersphere page cold/cached.

Question: does the app feel instant? Goals: every page's warm script run under
1.5 s; the Hypersphere page under 2 s when its disk cache exists (including
after an app restart) and under 30 s the first time ever.

Measurements (each in fresh processes, the app's disk cache in a temporary
``SNNVIZ_CACHE_DIR``):

* ``first_ever`` -- a fresh process on an *empty* cache: the Overview (the
  landing page), then the first visit of the Hypersphere page (embeddings, UMAP
  projection and numba compilation included), with Streamlit's ``AppTest``.
* ``after_restart`` -- a fresh process on the cache the last first-ever run
  filled, after it also visited every other page once (an app restart): the
  first visit of every page, then ``--repeats`` warm reruns
  of each page (``warm``), the Streamlit script run a user waits for after a
  widget change.
* ``browser_cold_start`` -- ``streamlit run app.py`` started from nothing on a free
  loopback port with an empty cache, until the Overview is fully rendered in
  headless Chromium (charts drawn, no status widget, spinner or progress bar, quiet for
  1.5 s; the time is when it became quiet; the number of charts drawn is kept).
  Skipped when Chromium or Playwright is missing.

Run: ``python bench/bench_app.py`` (``--smoke``: one warm AppTest run of the
Overview only; ``--models-dir`` to benchmark other model files).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import argument_parser, write_results  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("overview", "samples", "spikes", "hypersphere", "compare", "learn")
CHROMIUM = os.environ.get("SNNVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
GOALS = {"warm": 1.5, "after_restart:hypersphere": 2.0, "first_ever:hypersphere": 30.0}
PACKAGES = ("numpy", "torch", "snntorch", "streamlit", "plotly", "umap-learn", "numba", "playwright")
TIMEOUT = 600  # seconds an AppTest run may take


# -- AppTest in a child process -------------------------------------------------
def apptest_session(pages: list[str], repeats: int) -> dict[str, Any]:
    """Visit ``pages`` in one fresh AppTest session: first-visit time and ``repeats`` warm reruns of each."""
    from streamlit.testing.v1 import AppTest

    os.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    out: dict[str, Any] = {}
    for i, page in enumerate(pages):
        if i or page != "overview":
            if i == 0:
                at.run()  # the landing page first: switch_page needs one run
            at.switch_page(f"app_pages/{page}.py")
        t0 = time.perf_counter()
        at.run()
        first = time.perf_counter() - t0
        warm = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
        out[page] = {"first_s": first, "warm_s": warm, "charts": len(at.get("plotly_chart")),
                     "errors": [str(e.value)[:300] for e in at.exception]}
    return out


def run_child(pages: list[str], repeats: int, env: dict[str, str]) -> dict[str, Any]:
    """Run :func:`apptest_session` in a fresh interpreter (a new app process) and return its result."""
    cmd = [sys.executable, __file__, "--child", json.dumps({"pages": pages, "repeats": repeats})]
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- the real server in headless Chromium ---------------------------------------
def _rendered_at(page, t0: float, timeout: float = 300.0, quiet: float = 1.5) -> float:
    """Seconds from ``t0`` until the page is drawn and Streamlit has stayed idle for ``quiet`` seconds."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout * 1000)
    deadline, since = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        busy = (page.locator('[data-testid="stStatusWidget"]').count() > 0
                or page.locator('[data-testid="stSpinner"]').count() > 0
                or page.locator('[data-testid="stProgress"]').count() > 0
                or page.locator(".js-plotly-plot").count() == 0)
        if busy:
            since = None
        elif since is None:
            since = time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            return since - t0
        page.wait_for_timeout(50)
    raise TimeoutError("the Overview did not finish rendering in time")


def browser_cold_start(browser, env: dict[str, str]) -> dict[str, float]:
    """Start the server from nothing and time health and a fully rendered Overview."""
    from snnviz.app_launcher import start_server

    t0 = time.perf_counter()
    with start_server(env=env) as app:
        healthy = time.perf_counter() - t0
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.goto(app.url, wait_until="domcontentloaded")
            rendered = _rendered_at(page, t0)
            charts = page.locator(".js-plotly-plot").count()
            if page.locator('[data-testid="stException"]').count():
                raise RuntimeError("the Overview shows an exception")
        finally:
            context.close()
    return {"healthy_s": healthy, "rendered_s": rendered, "charts": charts}


def browser_rows(repeats: int, base_env: dict[str, str]) -> tuple[list[dict[str, Any]], str]:
    if not Path(CHROMIUM).exists():
        return [], f"Chromium not found at {CHROMIUM}: no browser rows."
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return [], "Playwright is not installed: no browser rows."
    runs = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for _ in range(repeats):
                with tempfile.TemporaryDirectory(prefix="snnviz-cache-") as cache:
                    runs.append(browser_cold_start(browser, dict(base_env, SNNVIZ_CACHE_DIR=cache)))
        finally:
            browser.close()
    rows = [_row("browser_cold_start", "overview", [r["rendered_s"] for r in runs]) | {"charts": runs[-1]["charts"]},
            _row("browser_server_healthy", "-", [r["healthy_s"] for r in runs])]
    return rows, ""


# -- the study -------------------------------------------------------------------
def _row(phase: str, page: str, times: list[float], goal: float | None = None) -> dict[str, Any]:
    row = {"phase": phase, "page": page, "median_s": statistics.median(times), "min_s": min(times),
           "max_s": max(times), "runs": len(times), "times_s": times}
    if goal is not None:
        row.update(goal_s=goal, goal_met=row["median_s"] < goal)
    return row


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        spec = json.loads(argv[1])
        print(json.dumps(apptest_session(spec["pages"], spec["repeats"])))
        return 0
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", default=list(PAGES), choices=list(PAGES))
    parser.add_argument("--cold-repeats", type=int, default=None,
                        help="fresh-process runs of first_ever / after_restart / browser (default --repeats)")
    parser.add_argument("--no-browser", action="store_true", help="skip the headless-Chromium cold start")
    parser.add_argument("--models-dir", type=Path, default=None, help="folder of models (default assets/models)")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.models_dir is not None:
        env["SNNVIZ_MODELS_DIR"] = str(args.models_dir.resolve())
    cold = args.cold_repeats or args.repeats
    rows, notes = [], []
    with tempfile.TemporaryDirectory(prefix="snnviz-bench-") as tmp:
        cache = Path(tmp) / "cache"
        if args.smoke:
            res = run_child(["overview"], 1, dict(env, SNNVIZ_CACHE_DIR=str(cache)))["overview"]
            rows.append(_row("warm", "overview", res["warm_s"], GOALS["warm"])
                        | {"errors": len(res["errors"]), "charts": res["charts"]})
            write_results("app", rows, args=args, notes="smoke: one AppTest session of the Overview", packages=PACKAGES)
            return 0
        first_pages = ["overview", "hypersphere"] if "hypersphere" in args.pages else ["overview"]
        firsts: dict[str, list[float]] = {p: [] for p in first_pages}
        for i in range(cold):
            # every first-ever run gets an empty cache; the last one's cache is kept for the restarts
            # the last one then visits every other page too (untimed), so the restarts find a full cache
            last = i == cold - 1
            visit = first_pages + [p for p in args.pages if p not in first_pages] if last else first_pages
            run_cache = cache if last else Path(tmp) / f"cold{i}"
            res = run_child(visit, 0, dict(env, SNNVIZ_CACHE_DIR=str(run_cache)))
            for p in first_pages:
                firsts[p].append(res[p]["first_s"])
            shutil.rmtree(Path(tmp) / f"cold{i}", ignore_errors=True)
            print(f"first ever {i + 1}/{cold}: " + ", ".join(f"{p} {res[p]['first_s']:.2f} s" for p in first_pages),
                  flush=True)
        for p in first_pages:
            rows.append(_row("first_ever", p, firsts[p], GOALS.get(f"first_ever:{p}")))
        restart: dict[str, list[float]] = {p: [] for p in args.pages}
        warm: dict[str, list[float]] = {p: [] for p in args.pages}
        errors: dict[str, int] = dict.fromkeys(args.pages, 0)
        charts: dict[str, int] = dict.fromkeys(args.pages, 0)
        for i in range(cold):
            res = run_child(list(args.pages), args.repeats if i == 0 else 1, dict(env, SNNVIZ_CACHE_DIR=str(cache)))
            for p in args.pages:
                restart[p].append(res[p]["first_s"])
                warm[p] += res[p]["warm_s"]
                errors[p] = max(errors[p], len(res[p]["errors"]))
                charts[p] = res[p]["charts"]
            print(f"restart {i + 1}/{cold}: " + ", ".join(f"{p} {res[p]['first_s']:.2f} s" for p in args.pages),
                  flush=True)
        for p in args.pages:
            rows.append(_row("after_restart", p, restart[p], GOALS.get(f"after_restart:{p}")) | {"errors": errors[p]})
        for p in args.pages:
            rows.append(_row("warm", p, warm[p], GOALS["warm"]) | {"errors": errors[p], "charts": charts[p]})
    if not args.no_browser:
        browser, why = browser_rows(cold, env)
        rows += browser
        if why:
            notes.append(why)
    notes.insert(0, "AppTest times are Streamlit script runs (AppTest.run) in fresh processes; the cache is a "
                    "temporary SNNVIZ_CACHE_DIR. warm = reruns of a page already shown in the same session "
                    "(--repeats in the first restart process, one more in each later one). after_restart = first "
                    "visit of each page in a fresh process on a filled cache. goal_met compares the median.")
    write_results("app", rows, args=args, notes=" ".join(notes), packages=PACKAGES,
                  columns=["phase", "page", "median_s", "min_s", "max_s", "runs", "goal_s", "goal_met", "errors",
                           "charts"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
