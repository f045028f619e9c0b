"""Projection study: umap-learn defaults versus snnviz's settings for the sphere view.

Data: synthetic von-Mises-Fisher-like clusters (10 classes in 64-D): each class
is a unit centre plus a spread along a few class-specific directions plus a
little isotropic noise, renormalised, so clusters have local structure worth
preserving. Quality is k-NN preservation (k=10): the mean fraction of each
point's 10 nearest neighbours in the original cosine space that stay among its
10 nearest on the projected sphere (great-circle distance).

Rows: ``umap_defaults`` (umap-learn itself, defaults with cosine input, haversine
output, ``random_state=0`` so every row is reproducible), umap-learn with 200
epochs, ``SphereProjection`` variants and its default (``snnviz_default``), and
``pca3_normalise`` (a TensorBoard-projector
like baseline: PCA to 3-D, then onto the sphere). A separate row times the first
projection of 1,500 points in a fresh Python process (imports and numba JIT
included).

Run: ``python bench/bench_projection.py`` (``--smoke`` for a quick check,
``--sizes 50000 --repeats 1`` for the large case).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import argument_parser, measure, write_results  # noqa: E402

from snnviz.analysis.projection import SphereProjection, _pca_sphere, knn_preservation  # noqa: E402

# name -> ("umap", UMAP kwargs) for umap-learn itself, ("snnviz", SphereProjection kwargs), or ("pca", None)
CONFIGS: dict[str, tuple[str, dict | None]] = {
    "umap_defaults": ("umap", {}),
    "umap_200ep": ("umap", {"n_epochs": 200}),
    "snnviz_spectral_200_neg2": ("snnviz", {"init": "spectral", "n_epochs": 200}),
    "snnviz_random_200_neg2": ("snnviz", {"init": "random", "n_epochs": 200}),
    "snnviz_sphere_pca_200_neg5": ("snnviz", {"negative_sample_rate": 5, "n_epochs": 200}),
    "snnviz_sphere_pca_100_neg2": ("snnviz", {"n_epochs": 100}),
    "snnviz_default": ("snnviz", {}),
    "pca3_normalise": ("pca", None),
}


def fit_umap(X: np.ndarray, **kwargs) -> np.ndarray:
    """umap-learn itself: cosine input, haversine output, seeded; returns unit xyz."""
    import umap

    from snnviz.analysis.projection import _angles_to_xyz

    reducer = umap.UMAP(metric="cosine", output_metric="haversine", random_state=0, **kwargs)
    return _angles_to_xyz(reducer.fit_transform(X.astype(np.float32)))


def run_config(kind: str, params: dict | None, X: np.ndarray) -> np.ndarray:
    if kind == "umap":
        return fit_umap(X, **(params or {}))
    if kind == "snnviz":
        return SphereProjection(**(params or {})).fit(X).xyz_
    return _pca_sphere(X, 0)


def sphere_clusters(n: int, n_classes: int = 10, dim: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` unit vectors in ``n_classes`` vMF-like clusters with low-dimensional inner structure."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_classes, dim))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    bases = rng.normal(size=(n_classes, 3, dim)) / np.sqrt(dim)  # 3 spread directions per class
    labels = rng.integers(0, n_classes, n)
    latent = rng.normal(size=(n, 3)) * 0.6
    X = centres[labels] + np.einsum("nj,njd->nd", latent, bases[labels]) + 0.02 * rng.normal(size=(n, dim))
    return X / np.linalg.norm(X, axis=1, keepdims=True), labels


def cold_first_projection(n: int = 1500) -> tuple[float, float]:
    """Wall and CPU seconds for a fresh interpreter to import snnviz and project ``n`` points (JIT included)."""
    code = (
        "import sys, time; t=time.perf_counter(); sys.path.insert(0, sys.argv[1]);"
        "from bench_projection import sphere_clusters;"
        "from snnviz.analysis.projection import SphereProjection;"
        f"X,_=sphere_clusters({n}); SphereProjection().fit(X); print(time.perf_counter()-t)"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).resolve().parent)],
                         check=True, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return float(out.stdout.strip().splitlines()[-1]), cpu


def main() -> int:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--name", default="projection", help="results file stem (default 'projection')")
    parser.add_argument("--no-cold", dest="cold", action="store_false", help="skip the fresh-process timing")
    parser.add_argument("--only-cold", action="store_true", help="only the fresh-process timing")
    args = parser.parse_args()
    sizes = [300] if args.smoke else ([] if args.only_cold else args.sizes)
    repeats = 1 if args.smoke else args.repeats
    rows = []
    if not args.smoke and args.cold:
        runs = [cold_first_projection() for _ in range(repeats)]
        cold, cpu = [r[0] for r in runs], [r[1] for r in runs]
        rows.append({"n": 1500, "config": "cold_first_projection(snnviz_default)", "median_s": float(np.median(cold)),
                     "cpu_median_s": float(np.median(cpu)), "min_s": min(cold), "max_s": max(cold), "runs": repeats,
                     "times_s": cold, "cpu_times_s": cpu})
    for n in sizes:
        X, _ = sphere_clusters(n)
        base = None
        for name in args.configs:
            kind, params = CONFIGS[name]
            row = measure(lambda k=kind, p=params, X=X: run_config(k, p, X), repeats=repeats, warmup=args.warmup)
            t0 = time.perf_counter()
            row["knn10"] = knn_preservation(X, row["result"], k=10)
            row.update(n=n, config=name, params=params, quality_s=time.perf_counter() - t0)
            if name == "umap_defaults":
                base = row
            if base is not None:
                row["speedup_cpu"] = base["cpu_median_s"] / row["cpu_median_s"]
                row["speedup_wall"] = base["median_s"] / row["median_s"]
                row["knn_ratio"] = row["knn10"] / base["knn10"]
            rows.append(row)
            print(f"n={n} {name}: {row['median_s']:.2f} s wall, {row['cpu_median_s']:.2f} s cpu, "
                  f"knn10={row['knn10']:.3f}", flush=True)
    notes = ("umap_defaults = umap.UMAP(metric='cosine', output_metric='haversine', random_state=0); "
             "snnviz_* = SphereProjection (exact cosine kNN, numpy fuzzy graph, umap-learn's haversine layout); "
             "snnviz_default = SphereProjection() (n_neighbors=15, min_dist=0.1, "
             "n_epochs=None: clip(400000/N, 200, 500) up to 20,000 points, 100 above; init='sphere_pca', "
             "negative_sample_rate=2, random_state=0). "
             "Speed-ups use process CPU time (every row is single-threaded; "
             "the machine's 2 cores were shared with other jobs, so wall times are noisy).")
    write_results(args.name, rows, args=args, notes=notes,
                  columns=["n", "config", "median_s", "cpu_median_s", "min_s", "max_s", "runs", "knn10",
                           "speedup_cpu", "speedup_wall", "knn_ratio"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
