"""A real headless browser for tests: Debian's Chromium driven by Playwright (both installed by
scripts/install-browser.sh and the `test` extra; Playwright never downloads a browser here).

Use the `browser_page` fixture (import both fixtures in a test module:
`from browser import browser_page, chromium_browser`); it skips
with the reason when Chromium or Playwright is missing. The browser is offline: every request that does
not go to 127.0.0.1 is aborted and recorded in `page.kg_foreign_requests`, so a test can assert that a
page needs nothing from the network.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser")
# Flags for a container (no sandbox, no GPU) and for a browser that must not call home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    env = os.environ.get("KG_CHROMIUM")
    if env and os.path.exists(env):
        return env
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium_browser():
    exe = chromium_path()
    if exe is None:
        pytest.skip("Chromium is not installed (scripts/install-browser.sh installs Debian's chromium; it "
                    "needs root and apt-get)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser):
    """A fresh page in its own context, offline except for 127.0.0.1, closed after the test."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    foreign: list[str] = []

    def gate(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "http://localhost:", "data:", "blob:")):
            route.continue_()
        else:
            foreign.append(url)
            route.abort()

    page.route("**/*", gate)
    page.kg_foreign_requests = foreign  # type: ignore[attr-defined]
    page.set_default_timeout(20_000)
    try:
        yield page
    finally:
        context.close()
