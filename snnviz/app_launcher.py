"""``snnviz app``: start the Streamlit app (a thin wrapper around ``streamlit run app.py``).

The app binds 127.0.0.1 by default (see ``.streamlit/config.toml``); ``--host``
changes that deliberately, e.g. ``--host 0.0.0.0`` to serve a lab network.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from snnviz.errors import ConfigError

__all__ = ["add_arguments", "run", "app_script", "free_port", "AppServer", "start_server"]


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


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class AppServer:
    """A running ``streamlit run app.py`` process (see :func:`start_server`)."""

    proc: subprocess.Popen
    url: str
    port: int
    log: Path | None = None

    def stop(self, timeout: float = 15.0) -> None:
        """Terminate the server (kill it if it does not stop within ``timeout`` seconds)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)

    def __enter__(self) -> AppServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_server(
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    extra_args: list[str] | None = None,
    timeout: float = 120.0,
) -> AppServer:
    """Start the app with the project's config on a loopback port and wait until it answers its health check.

    Used by the browser tests and the benchmarks. Only the port (and ``extra_args``) is set on the command line, so
    the address and security settings are those of ``.streamlit/config.toml``.

    Raises
    ------
    RuntimeError
        If the server exits, or is not healthy within ``timeout`` seconds (it is stopped then).
    """
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_script()), "--server.port", str(port), *(extra_args or [])]
    out = open(log, "w") if log is not None else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it open
    try:
        proc = subprocess.Popen(cmd, cwd=str(app_script().parent), env=env, stdout=out, stderr=subprocess.STDOUT)
    finally:
        if log is not None:
            out.close()
    server = AppServer(proc=proc, url=f"http://127.0.0.1:{port}", port=port, log=log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app server exited with code {proc.returncode}" + (f"; see {log}" if log else ""))
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the app server at {server.url} was not healthy within {timeout:.0f} s")
