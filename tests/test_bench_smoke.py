"""Smoke runs of the benchmark scripts in ``bench/``: each runs end to end on tiny sizes and writes its rows.

Benchmarks are scripts, not timed tests: nothing here asserts a time. The
recording and training peers are checked for what makes the comparison fair
(bit-identical spikes, the same loss at the same weights).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
MODELS = ROOT / "assets" / "models"


def run_smoke(script: str, out: Path, *extra: str) -> dict:
    """Run ``bench/<script> --smoke --out OUT`` in a fresh interpreter and return the JSON it wrote."""
    proc = subprocess.run([sys.executable, str(BENCH / script), "--smoke", "--out", str(out), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bench_modules():
    sys.path.insert(0, str(BENCH))
    try:
        import bench_recording
        import run_all

        yield bench_recording, run_all
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.slow
def test_bench_recording_smoke_writes_rows_with_identical_spikes(tmp_path):
    data = run_smoke("bench_recording.py", tmp_path / "recording.json")
    assert data["smoke"] is True and data["machine"]["cpu_count"] >= 1
    rows = data["rows"]
    assert {r["case"] for r in rows} == {"avdigits", "resnet18"}
    probe = [r for r in rows if r["method"] == "snntorch_probe"]
    assert probe and all(r["spikes_identical"] for r in probe)
    # bool spikes against float32 ones: exactly a quarter of the bytes
    assert all(r["snnviz_spike_bytes_ratio"] == pytest.approx(0.25) for r in probe)


@pytest.mark.slow
def test_bench_training_smoke_writes_rows_for_both_methods(tmp_path):
    data = run_smoke("bench_training.py", tmp_path / "training.json")
    methods = {(r["case"], r["method"]) for r in data["rows"]}
    assert methods == {(c, m) for c in ("avdigits", "resnet18") for m in ("snnviz", "snntorch_loop")}
    assert all(r["samples_per_s"] > 0 and r["last_loss"] == r["last_loss"] for r in data["rows"])  # not NaN


@pytest.mark.slow
def test_bench_projection_smoke_writes_rows(tmp_path):
    data = run_smoke("bench_projection.py", tmp_path / "projection.json", "--configs", "umap_defaults",
                     "snnviz_default")
    assert [r["config"] for r in data["rows"]] == ["umap_defaults", "snnviz_default"]
    assert all(0.0 <= r["knn10"] <= 1.0 for r in data["rows"])


@pytest.mark.slow
def test_bench_app_smoke_writes_a_warm_overview_row(tmp_path):
    if not (MODELS / "avdigits-arcface.safetensors").is_file():
        pytest.fail("The bundled models are missing from assets/models (run `make models`).")
    data = run_smoke("bench_app.py", tmp_path / "app.json")
    (row,) = data["rows"]
    assert (row["phase"], row["page"], row["errors"]) == ("warm", "overview", 0)
    assert row["median_s"] > 0


def test_step_peer_gives_the_models_spikes_and_outputs(bench_modules):
    bench_recording, _ = bench_modules
    model, _ = bench_recording.load_case("resnet18", smoke=True)
    audio, image = bench_recording.make_inputs(model, 2)
    ours = bench_recording.as_layers("snnviz", bench_recording.record_snnviz(model, audio, image))
    peer = bench_recording.StepPeer(model).eval()
    theirs = bench_recording.as_layers("snntorch_probe", bench_recording.record_snntorch(peer, audio, image))
    assert set(theirs) == set(ours) and len(ours) == 22  # audio 3 + ResNet-18 (stem, 16 in blocks, fc) + fusion 1
    assert bench_recording.compare_spikes(ours, theirs) == (True, 1.0)
    with torch.inference_mode():
        a, b = model(audio, image), peer(audio, image)
    for m in ("audio", "visual", "fused"):
        torch.testing.assert_close(a.embeddings[m], b.embeddings[m], rtol=1e-5, atol=1e-6)


def test_stored_bytes_counts_bool_spikes_and_float_membranes(bench_modules):
    bench_recording, _ = bench_modules
    spikes, mem = torch.zeros(4, 2, 10, dtype=torch.bool), torch.zeros(4, 2, 10)
    out = bench_recording.stored_bytes({"a": ([spikes], [mem], "fc")}, batch=2)
    assert out["fc_bytes_per_sample"] == (4 * 10 * 1 + 4 * 10 * 4)
    assert out["spike_mib"] == pytest.approx(80 / 2**20) and out["conv_bytes_per_sample"] == 0


def test_run_all_update_readme_replaces_only_the_marked_block(bench_modules, tmp_path):
    _, run_all = bench_modules
    readme = tmp_path / "README.md"
    readme.write_text(f"# Bench\nintro\n{run_all.START}\nold table\n{run_all.END}\nafter\n", encoding="utf-8")
    run_all.update_readme("| new |", readme)
    assert readme.read_text(encoding="utf-8") == f"# Bench\nintro\n{run_all.START}\n| new |\n{run_all.END}\nafter\n"
    readme.write_text("no markers", encoding="utf-8")
    with pytest.raises(ValueError, match="no '<!-- performance:start -->'"):
        run_all.update_readme("x", readme)


def test_run_all_performance_markdown_marks_missed_goals(bench_modules):
    _, run_all = bench_modules
    machine = {"processor": "cpu", "cpu_count": 2, "memory_gib": 8.0, "python": "3.11"}
    rows = [{"case": "avdigits", "device": "cpu", "batch": 64, "num_steps": 8, "method": "snnviz",
             "samples_per_s": 50.0, "speedup_vs_snntorch_loop": 0.5},
            {"case": "avdigits", "device": "cpu", "batch": 64, "num_steps": 8, "method": "snntorch_loop",
             "samples_per_s": 100.0}]
    md = run_all.performance_markdown({"training": {"date": "2025-01-01T00:00:00", "machine": machine,
                                                    "versions": {"torch": "2"}, "rows": rows, "notes": ""}})
    assert "| avdigits | cpu | 64 | 8 | 50 | 100 | 0.5 | **missed** |" in md
    assert md.startswith("Measured 2025-01-01 on cpu (2 cores") and "make bench" in md
