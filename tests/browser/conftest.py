"""Browser tests: Debian's Chromium driven by Playwright against the platform in a process.

The platform runs on a database of its own (``serve.py``), so what the browser does is
committed as in production. Playwright never downloads a browser: it launches the one
at ``OPSPLATFORM_CHROMIUM`` (default ``/usr/bin/chromium``, from the Debian package
``chromium`` that .ci/install-debian-packages installs). axe-core comes from the npm
registry (``package.json`` here, installed on first use with ``npm ci``) and is
evaluated in each page scanned; the app never serves it.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import create_engine, text

from tests.browser.serve import DEMO_PASSWORD
from tests.conftest import _postgres_test_database

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("OPSPLATFORM_SCREENSHOTS", HERE / "screenshots"))
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# axe's impacts that fail a page; "moderate" and "minor" findings are printed only.
BLOCKING_IMPACTS = ("serious", "critical")
SERVER_START_SECONDS = 120
# True once every table or chart that scrolls sideways is a focusable region.
_EVERY_SCROLLER_MARKED = """() => [...document.querySelectorAll('.table-wrap, .chart')]
  .every(el => el.scrollWidth <= el.clientWidth + 1 || el.getAttribute('tabindex') === '0')"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def browser_database_url(tmp_path_factory) -> Iterator[str]:
    """A database of the browser tests' own, next to the suite's."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        yield f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'browser.sqlite'}"
        return
    test_url, admin, name = _postgres_test_database(url)
    yield test_url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def base_url(browser_database_url, tmp_path_factory) -> Iterator[str]:
    """The platform, migrated and with the demo data, served on a free loopback port."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("browser-server") / "server.log"
    env = {**os.environ, "DATABASE_URL": browser_database_url, "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)  # its rate limits stay in its own memory
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, str(HERE / "serve.py"), str(port),
             str(tmp_path_factory.mktemp("browser-instance"))],
            env=env, stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT)
        try:
            ready = ""
            if select.select([process.stdout], [], [], SERVER_START_SECONDS)[0]:
                ready = process.stdout.readline().strip()
            if ready != "READY":
                process.kill()
                pytest.fail(f"the platform did not start for the browser tests:\n"
                            f"{log_path.read_text()[-3000:]}")
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=30)
            if process.stdout:
                process.stdout.close()
    create_engine(browser_database_url).dispose()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to fetch axe-core for the browser tests")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--prefix", str(HERE)],
                       check=True, capture_output=True)
    return AXE.read_text()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("OPSPLATFORM_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.fail(f"no Chromium at {executable}: run .ci/install-debian-packages "
                    "(or set OPSPLATFORM_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        yield browser
        browser.close()


def signed_in(browser: Browser, base_url: str, local_part: str) -> Page:
    """A browser context of one's own, signed in as the demo account ``local_part``
    through the sign-in form, at desktop width."""
    page = browser.new_context(base_url=base_url, viewport=DESKTOP).new_page()
    page.goto("/sign-in")
    page.get_by_label("E-mail address").fill(f"{local_part}@demo.example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


@dataclass
class Scanner:
    """Scans pages with axe at both widths and keeps a screenshot of each."""

    axe_source: str
    findings: list[str] = field(default_factory=list)
    steps: int = 0

    def scan(self, page: Page, name: str) -> None:
        """axe at desktop and phone width; serious and critical violations fail the test."""
        self.steps += 1
        for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            # The page's own script marks what now scrolls sideways (after a 100 ms pause).
            page.wait_for_function(_EVERY_SCROLLER_MARKED)
            page.evaluate(self.axe_source)
            violations = page.evaluate(
                "axe.run(document, {resultTypes: ['violations']})"
                ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
                " help: v.help, targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"{self.steps:02d}-{name}-{label}.png",
                            full_page=True)
            for violation in violations:
                line = f"{name} at {label} width ({page.url}): {json.dumps(violation)}"
                if violation["impact"] in BLOCKING_IMPACTS:
                    self.findings.append(line)
                else:
                    print("axe (not blocking):", line)
        page.set_viewport_size(DESKTOP)
        assert not self.findings, "axe found serious or critical violations:\n" + "\n".join(
            self.findings)


@pytest.fixture(scope="session")
def scanner(axe_source) -> Scanner:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # this run's steps only
    return Scanner(axe_source)
