"""Write assets/models/MODELS.md from the bundled checkpoints themselves.

Every figure in the table is measured here: accuracy per modality on the AV-Digits
test split (unseen voices), and the compactness of the fused embeddings on the
hypersphere (softmax features L2-normalised for the comparison). Checkpoints
given with ``--tried`` (recipes that were tried and not bundled) get a second table.

    python scripts/models_card.py [--tried OTHER.safetensors ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "assets" / "models"
BUNDLED = ("avdigits-arcface", "avdigits-softmax", "avdigits-sphere3d")


def _row(path: Path, name: str) -> str:
    from snnviz.report import evaluate_checkpoint

    ev = evaluate_checkpoint(path, device="cpu")
    acc, fused = ev.accuracy(), ev.metrics["fused"].summary()
    cfg, meta = ev.model.config, ev.meta
    train = meta.get("train_config") or {}
    loss = train.get("loss", "?")
    if loss in ("arcface", "cosface"):
        loss += f" (s={train.get('scale'):g}, m={train.get('margin'):g})"
    command = f"snnviz train --threads 1 --preset {meta.get('preset') or name}"
    if path.parent == MODELS:
        command += f" --out {path.relative_to(ROOT)}"
    else:
        command += f" --set loss={train.get('loss')} --set margin={train.get('margin'):g} --out {path.name}"
    return (
        f"| `{name}` | {loss} | {cfg.num_steps} | {cfg.embed_dim} | {ev.model.num_parameters():,} | "
        f"{meta.get('train_seconds', 0) / 60:.1f} | {100 * acc['audio']:.1f} | {100 * acc['visual']:.1f} | "
        f"{100 * acc['fused']:.1f} | {100 * (acc['fused'] - max(acc['audio'], acc['visual'])):+.1f} | "
        f"{fused['mean_intra_angle_deg']:.1f} | {fused['min_inter_angle_deg']:.1f} | "
        f"{fused['separability']:.2f} | {fused['silhouette']:.3f} | "
        f"`{command}` |"
    )


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tried", type=Path, nargs="*", default=[], help="checkpoints tried and not bundled")
    args = parser.parse_args(argv)
    rows = []
    for name in BUNDLED:
        path = MODELS / f"{name}.safetensors"
        if not path.is_file():
            print(f"missing {path}", file=sys.stderr)
            return 1
        rows.append(_row(path, name))
        print(rows[-1])
    tried = [_row(path, path.name.removesuffix(".safetensors")) for path in args.tried]
    header = (
        "| model | loss | T | D | parameters | train time (min) | audio acc (%) | visual acc (%) | fused acc (%) | "
        "fusion gain (pts) | mean intra-class angle (°) | min inter-class angle (°) | separability | silhouette | "
        "command |\n|" + "---|" * 15
    )
    text = f"""# Bundled models

Three models trained on AV-Digits (the embedded audio-visual dataset: scikit-learn's handwritten digits paired with
espeak-ng spoken digits, both corrupted so that neither modality alone is enough). Figures are measured on the test
split, whose 16 voices are never heard in training, by `python scripts/models_card.py` (which wrote this file).
Train times are wall-clock on a shared 2-core CPU machine with one torch thread and one data worker.

Compactness columns describe the **fused** embeddings on the unit hypersphere, measured on the original D-dimensional
vectors (never on a projection): the mean angle between a sample and its class mean direction (smaller = more
compact), the smallest angle between two class mean directions (larger = better separated; the regular-simplex
optimum for 10 classes is 96.4°), separability = min inter-class angle / (2 × largest class mean deviation), and
the cosine silhouette. The softmax model's features are L2-normalised for this comparison.

{header}
{chr(10).join(rows)}

- `avdigits-arcface` — the paper's recipe: L2-normalised 64-d embeddings, cosine heads, ArcFace on the fused head plus
  0.5 × ArcFace on each unimodal head.
- `avdigits-softmax` — the same network with plain linear heads and softmax cross-entropy, no normalisation: the
  baseline.
- `avdigits-sphere3d` — like `avdigits-arcface` with 3-d embeddings, so the app shows the true sphere S² next to the
  UMAP projections of the 64-d models.

Re-create all three with `make models`; evaluate one with `snnviz eval assets/models/NAME.safetensors`.
{_tried_section(header, tried)}"""
    (MODELS / "MODELS.md").write_text(text, encoding="utf-8")
    print(f"wrote {MODELS / 'MODELS.md'}")
    return 0


def _tried_section(header: str, rows: list[str]) -> str:
    if not rows:
        return ""
    return f"""
## Recipes tried and not bundled

The bundled ArcFace margin was chosen by fused *validation* accuracy (a split carved from the training voices), among
the recipes below; the test split is reported for all of them. A larger margin gives a more compact and better
separated sphere but lower fused accuracy on unseen voices — the trade-off the Compare page shows.

{header}
{chr(10).join(rows)}
"""


if __name__ == "__main__":
    sys.exit(main())
