"""Start the real OpenID provider of tests/oidc (node and oidc-provider) on a loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CLIENT_ID = "ascent-test"
CLIENT_SECRET = "test-client-secret-0123456789abcdef"


@dataclass(frozen=True)
class Provider:
    """A running provider: its issuer URL and the client registered at it."""

    issuer: str
    client_id: str
    client_secret: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    """Wait until the discovery document answers; fail with the provider's output if not."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    process.kill()
    pytest.fail(f"The OpenID provider did not start:\n{log.read_text()[-2000:]}")


def start(redirect_uri: str, log: Path) -> tuple[Provider, subprocess.Popen]:
    """Start the provider for one client with this redirect URI; return it and its process."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the single sign-on tests run an OpenID provider.")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("tests/oidc/node_modules is missing: run `make oidc` (npm ci in tests/oidc).")
    port = _free_port()
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": redirect_uri,
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [node, str(HERE / "provider.js")], cwd=HERE, env=env, stdout=out, stderr=out
        )
    issuer = f"http://127.0.0.1:{port}"
    _wait_for(issuer + "/.well-known/openid-configuration", process, log)
    return Provider(issuer, CLIENT_ID, CLIENT_SECRET), process


def stop(process: subprocess.Popen) -> None:
    """Stop the provider and wait for it."""
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
