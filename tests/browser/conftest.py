"""Browser fixtures: Debian's Chromium driven by Playwright against a live server."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium: Playwright cannot download its own browser here."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# Generous waits: on a loaded 2-core CI machine a first chart or PDF can take seconds.
expect.set_options(timeout=15_000)


@pytest.fixture
def live_server(app):
    """Serve the test app on a free port in a background thread; return its base URL."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def sign_in(page, live_server):
    """Return a helper that signs a person in through the real login form."""

    page.set_default_timeout(15_000)

    def do(email: str, password: str):
        page.goto(f"{live_server}/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return do


def pytest_collection_modifyitems(items):
    """Ignore files left open when the browser drops a request mid-response to the dev server.

    Navigating away cancels downloads of static files; the threaded test server then leaves
    the file to the garbage collector, which pytest reports from another thread.
    """
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(
                pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
            )
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))


@pytest.fixture
def oidc_provider(live_server, tmp_path):
    """Start a real OpenID provider on loopback whose client returns to the live server."""
    from tests.oidc import server

    provider, process = server.start(f"{live_server}/sso/callback", tmp_path / "oidc.log")
    yield provider
    server.stop(process)
