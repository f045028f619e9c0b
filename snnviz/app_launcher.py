"""``snnviz app``: start the Streamlit app (a thin wrapper around ``streamlit run app.py``).

The app binds 127.0.0.1 by default (see ``.streamlit/config.toml``); ``--host``
changes that deliberately, e.g. ``--host 0.0.0.0`` to serve a lab network.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from snnviz.errors import ConfigError

__all__ = ["add_arguments", "run", "app_script"]


def app_script() -> Path:
    """The ``app.py`` entry script next to the ``snnviz`` package (a source checkout)."""
    path = Path(__file__).resolve().parent.parent / "app.py"
    if not path.is_file():
        raise ConfigError(f"Cannot find the app entry script at {str(path)!r}; run snnviz app from a source checkout.")
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=None, help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=None, help="port (default 8501)")
    parser.add_argument("--models-dir", type=Path, default=None,
                        help="folder of .safetensors models to offer (default assets/models; env SNNVIZ_MODELS_DIR)")
    parser.add_argument("streamlit_args", nargs=argparse.REMAINDER,
                        help="further arguments passed to 'streamlit run' after '--'")


def build_command(args: argparse.Namespace) -> tuple[list[str], dict[str, str]]:
    """The ``streamlit run`` command line and environment for ``args``."""
    script = app_script()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script)]
    if args.host:
        cmd += ["--server.address", args.host]
    if args.port is not None:
        if not 1 <= args.port <= 65535:
            raise ConfigError(f"The '--port' option must be an int in [1, 65535]. Got {args.port}.")
        cmd += ["--server.port", str(args.port)]
    extra = [a for a in (args.streamlit_args or []) if a != "--"]
    cmd += extra
    env = dict(os.environ)
    if args.models_dir is not None:
        if not args.models_dir.is_dir():
            raise ConfigError(f"The '--models-dir' folder {str(args.models_dir)!r} does not exist.")
        env["SNNVIZ_MODELS_DIR"] = str(args.models_dir.resolve())
    return cmd, env


def run(args: argparse.Namespace) -> int:
    cmd, env = build_command(args)
    # run from the project folder so .streamlit/config.toml (local-only defaults) applies
    return subprocess.call(cmd, env=env, cwd=str(app_script().parent))
