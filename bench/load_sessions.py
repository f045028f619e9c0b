"""Many sessions at once: errors, page latency and the server's memory under N concurrent browsers.

Starts the real server (``streamlit run app.py`` with the project's config) on a free
loopback port, warms it with one visit of every page, then opens N headless Chromium
contexts (Playwright) that each click through Samples -> Spikes -> Hypersphere again and
again until the time is up, while the server's resident memory is sampled. The same is
done on a fresh server for twice the time: a model is loaded once, not per session, and
memory must not grow with repeated visits, so the two peaks should match.

A page's latency runs from the click on its link to the moment Streamlit has finished the
script and drawn it (the status widget and spinners gone, the page title shown). An error is
an exception box on the page, a JavaScript error, or a page that did not finish in time.

    python bench/load_sessions.py                      # 8 sessions, 60 s then 120 s
    python bench/load_sessions.py --sessions 4 --duration 30
    python bench/load_sessions.py --smoke              # 2 sessions, 10 s then 20 s

Everything stays on 127.0.0.1, and the script stops by itself (duration plus one page timeout).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import argument_parser, write_results  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("SNNVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = [("samples", "Samples"), ("spikes", "Spikes"), ("hypersphere", "Hypersphere")]
PACKAGES = ("numpy", "torch", "streamlit", "plotly", "playwright")


# --------------------------------------------------------------------------- the server
def start_server(cache_dir: str, log: Path) -> tuple[subprocess.Popen, str]:
    """``streamlit run app.py`` from the project folder on a free loopback port; returns (process, url)."""
    from snnviz.app_launcher import start_server as _start

    app = _start(env=dict(os.environ, SNNVIZ_CACHE_DIR=cache_dir), log=log,
                 extra_args=["--server.address", "127.0.0.1"])
    return app.proc, app.url


def stop_server(proc: subprocess.Popen) -> None:
    from snnviz.app_launcher import AppServer

    AppServer(proc=proc, url="", port=0).stop()


def rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of ``pid`` in MiB, from /proc (Linux)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


# --------------------------------------------------------------------------- one browser session
async def _rendered(page, title: str, timeout: float, quiet: float = 1.0) -> float:
    """Wait until the page titled ``title`` is drawn and Streamlit is idle; returns when it became idle."""
    deadline = time.perf_counter() + timeout
    await page.wait_for_selector(f'h1:has-text("{title}")', timeout=timeout * 1000)
    idle_since = None
    while time.perf_counter() < deadline:
        busy = (await page.locator('[data-testid="stStatusWidget"]').count()
                + await page.locator('[data-testid="stSpinner"]').count())
        now = time.perf_counter()
        if busy:
            idle_since = None
        elif idle_since is None:
            idle_since = now
        elif now - idle_since >= quiet:
            return idle_since
        await asyncio.sleep(0.1)
    raise TimeoutError(f"the {title} page did not finish in {timeout:.0f} s")


async def _open(page, url: str, path: str, title: str, timeout: float) -> float:
    """Go to a page by its sidebar link (the session and its state survive); returns the latency in s."""
    t0 = time.perf_counter()
    link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]')
    if await link.count():
        await link.first.click()
    else:
        await page.goto(f"{url}/{path}", wait_until="domcontentloaded")
    return await _rendered(page, title, timeout) - t0


async def _session(browser, url: str, until: float, timeout: float, visits: list[dict[str, Any]]) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    js_errors: list[str] = []
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    try:
        await page.goto(url, wait_until="domcontentloaded")
        await page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=timeout * 1000)
        i = 0
        while time.perf_counter() < until:
            path, title = PAGES[i % len(PAGES)]
            i += 1
            record: dict[str, Any] = {"page": path, "latency_s": None, "error": None}
            try:
                record["latency_s"] = await _open(page, url, path, title, timeout)
                if await page.locator('[data-testid="stException"]').count():
                    record["error"] = "exception shown on the page"
            except Exception as err:  # noqa: BLE001 - every failure is counted, the session goes on
                record["error"] = f"{type(err).__name__}: {str(err).splitlines()[0][:160]}"
            if js_errors:
                record["error"] = record["error"] or f"JavaScript error: {js_errors[0][:160]}"
                js_errors.clear()
            visits.append(record)
    finally:
        await context.close()


async def drive(url: str, sessions: int, duration: float, timeout: float, pid: int) -> dict[str, Any]:
    """Warm the server with one session, then run ``sessions`` at once for ``duration`` seconds."""
    from playwright.async_api import async_playwright

    samples: list[float] = []

    async def sample_memory(stop: asyncio.Event) -> None:
        while not stop.is_set():
            samples.append(rss_mib(pid)[0])
            await asyncio.sleep(0.5)

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            t0 = time.perf_counter()
            warm_ctx: list[dict[str, Any]] = []
            await _warm(browser, url, timeout * 3, warm_ctx)
            warmup_s = time.perf_counter() - t0
            rss_after_warmup = rss_mib(pid)[0]
            visits: list[dict[str, Any]] = []
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample_memory(stop))
            until = time.perf_counter() + duration
            await asyncio.gather(*(_session(browser, url, until, timeout, visits) for _ in range(sessions)))
            stop.set()
            await sampler
        finally:
            await browser.close()
    current, peak = rss_mib(pid)
    return {"visits": visits, "warmup_s": warmup_s, "warm_errors": [v for v in warm_ctx if v["error"]],
            "rss_after_warmup_mib": rss_after_warmup, "rss_samples_mib": samples, "rss_end_mib": current,
            "peak_rss_mib": peak}


async def _warm(browser, url: str, timeout: float, visits: list[dict[str, Any]]) -> None:
    """One session that opens every page once (the first Hypersphere visit ever may run UMAP)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    try:
        await page.goto(url, wait_until="domcontentloaded")
        await page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=timeout * 1000)
        for path, title in PAGES:
            record: dict[str, Any] = {"page": path, "error": None}
            try:
                record["latency_s"] = await _open(page, url, path, title, timeout)
            except Exception as err:  # noqa: BLE001
                record["error"] = f"{type(err).__name__}: {err}"
            visits.append(record)
    finally:
        await context.close()


# --------------------------------------------------------------------------- figures
def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo), 3)


def summarise(label: str, sessions: int, duration: float, out: dict[str, Any]) -> list[dict[str, Any]]:
    visits = out["visits"]
    rows = []
    for page in ["all"] + [p for p, _ in PAGES]:
        chosen = [v for v in visits if page == "all" or v["page"] == page]
        times = [v["latency_s"] for v in chosen if v["latency_s"] is not None and not v["error"]]
        rows.append({
            "run": label, "page": page, "sessions": sessions, "duration_s": duration, "visits": len(chosen),
            "errors": sum(1 for v in chosen if v["error"]),
            "p50_s": _percentile(times, 0.5), "p95_s": _percentile(times, 0.95),
            "max_s": round(max(times), 3) if times else None,
            "warmup_s": round(out["warmup_s"], 1) if page == "all" else None,
            "rss_after_warmup_mib": round(out["rss_after_warmup_mib"], 1) if page == "all" else None,
            "rss_end_mib": round(out["rss_end_mib"], 1) if page == "all" else None,
            "peak_rss_mib": round(out["peak_rss_mib"], 1) if page == "all" else None,
            "error_examples": sorted({v["error"] for v in chosen if v["error"]})[:3],
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8, help="concurrent browser sessions (default 8)")
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds of the first run; the second runs twice as long (default 60)")
    parser.add_argument("--page-timeout", type=float, default=120.0, help="seconds a page may take (default 120)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sessions, args.duration = 2, 10.0
    if not 1 <= args.sessions <= 64:
        parser.error(f"--sessions must be in [1, 64]. Got {args.sessions}.")
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}; set SNNVIZ_CHROMIUM.", file=sys.stderr)
        return 2
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="snnviz-load-") as tmp:
        for label, factor in (("1x", 1), ("2x", 2)):
            duration = args.duration * factor
            proc, url = start_server(os.path.join(tmp, "cache"), Path(tmp) / f"server-{label}.log")
            try:
                out = asyncio.run(drive(url, args.sessions, duration, args.page_timeout, proc.pid))
            finally:
                stop_server(proc)
            if out["warm_errors"]:
                print(f"warm-up errors: {out['warm_errors']}", file=sys.stderr)
            rows += summarise(label, args.sessions, duration, out)
            print(f"{label}: {len(out['visits'])} visits, peak RSS {out['peak_rss_mib']:.0f} MiB", flush=True)
    one, two = (next(r for r in rows if r["run"] == run and r["page"] == "all") for run in ("1x", "2x"))
    notes = (f"{args.sessions} concurrent headless Chromium sessions clicking Samples -> Spikes -> Hypersphere on a "
             f"fresh server per run (warm disk cache, one warm-up visit of each page first). Latency = click to "
             f"idle page. Peak RSS of the server: {one['peak_rss_mib']} MiB after {one['duration_s']:.0f} s, "
             f"{two['peak_rss_mib']} MiB after {two['duration_s']:.0f} s.")
    write_results("load_sessions", rows, args=args, notes=notes, packages=PACKAGES,
                  columns=["run", "page", "sessions", "duration_s", "visits", "errors", "p50_s", "p95_s", "max_s",
                           "peak_rss_mib", "rss_after_warmup_mib", "rss_end_mib"])
    return 0 if all(r["errors"] == 0 for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
