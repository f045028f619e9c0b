import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_snnviz_does_not_import_streamlit_or_umap():
    code = (
        "import sys, snnviz; m = snnviz.build_model(snnviz.ModelConfig()); "
        "import snnviz.checkpoint, snnviz.recording, snnviz.losses; "
        "print('streamlit' in sys.modules, 'umap' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_library_never_imports_streamlit_outside_ui():
    offenders = []
    for path in (ROOT / "snnviz").rglob("*.py"):
        if "ui" in path.relative_to(ROOT / "snnviz").parts[:1]:
            continue
        if re.search(r"^\s*(import streamlit|from streamlit)", path.read_text(), flags=re.M):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_no_code_unpickles_files():
    pattern = re.compile(r"pickle\.loads?\(|torch\.load\(|allow_pickle\s*=\s*True")
    offenders = []
    for folder in ("snnviz", "app_pages", "scripts", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if pattern.search(path.read_text()):
                offenders.append(str(path.relative_to(ROOT)))
    if (ROOT / "app.py").exists() and pattern.search((ROOT / "app.py").read_text()):
        offenders.append("app.py")
    assert offenders == []


def test_public_api_is_curated():
    import snnviz

    for name in snnviz.__all__:
        if name in {"load_dataset", "extract_embeddings", "sphere_metrics", "SphereProjection"}:
            continue  # parts built in their own modules; imported lazily
        assert getattr(snnviz, name) is not None
    assert snnviz.__version__
