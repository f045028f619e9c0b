"""The server as shipped: loopback only, XSRF protection on, uploads capped (the project's .streamlit/config.toml)."""

from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from snnviz.app_launcher import start_server

ROOT = Path(__file__).resolve().parents[1]


def test_project_config_is_local_only_with_xsrf_and_an_upload_cap():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["address"] == "127.0.0.1"
    assert server["enableXsrfProtection"] is True
    assert 1 <= server["maxUploadSize"] <= 200  # megabytes
    assert server["runOnSave"] is False


def test_snnvizs_app_command_keeps_the_default_address_unless_asked():
    import argparse

    from snnviz.app_launcher import add_arguments, build_command

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    cmd, _ = build_command(parser.parse_args([]))
    assert "--server.address" not in cmd  # the config's 127.0.0.1 applies
    cmd, _ = build_command(parser.parse_args(["--host", "0.0.0.0"]))
    assert cmd[cmd.index("--server.address") + 1] == "0.0.0.0"


def _listening(port: int) -> list[str]:
    """Local addresses listening on ``port`` (Linux /proc/net/tcp{,6})."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                raw = bytes.fromhex(addr)
                if width == 8:
                    found.append(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                else:
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                    found.append(socket.inet_ntop(socket.AF_INET6, words))
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``streamlit run app.py`` from the project folder with nothing but a free port on the command line."""
    env = dict(os.environ, SNNVIZ_CACHE_DIR=str(tmp_path_factory.mktemp("cache")))
    log = tmp_path_factory.mktemp("server") / "server.log"
    try:
        app = start_server(env=env, log=log, timeout=90)
    except RuntimeError as err:
        pytest.fail(f"{err}: {log.read_text()[-2000:]}")
    with app:
        yield {"url": app.url, "port": app.port}


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/net/tcp")
def test_server_binds_loopback_only(server):
    addresses = _listening(server["port"])
    assert addresses and set(addresses) <= {"127.0.0.1", "::1"}, addresses


@pytest.mark.slow
def test_server_refuses_uploads_without_the_xsrf_token(server):
    request = urllib.request.Request(f"{server['url']}/_stcore/upload_file/some-session/some-file", method="PUT",
                                     data=b"--x--", headers={"Content-Type": "multipart/form-data; boundary=x"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    assert info.value.code == 403
