"""Fixtures and helpers of the browser tests: the real service, Debian's Chromium, and checks.

- ``service``: the application under uvicorn on a free loopback port, on an embedded (on-disk)
  Oxigraph store seeded with the ontology and seeds, as ``make run`` serves it; one per session.
- ``browser``: one headless Chromium for the browser modules a worker runs in a row, Debian's
  ``/usr/bin/chromium`` driven by Playwright (Playwright's own browser downloads are never used).
- ``page``: a fresh browser context and page per test, with a :class:`ConsoleErrors` collector;
  a test fails at teardown if the page logged an error or threw.
- :func:`assert_accessible`: axe-core (the npm package built with ``frontend/consoles``) finds no
  serious or critical violation.
- :func:`tab_to`: reach an element with the Tab key alone.
- :func:`screenshot`: a full-page PNG in :data:`SCREENSHOTS`, kept after the run; a failed
  test leaves ``FAILED-<test>.png`` there too.

Test modules import the helpers from here (``from browser.harness import ...``); the fixtures
are registered by ``tests/browser/conftest.py``.
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from graphsvc.app import create_app
from graphsvc.http.timeouts import uvicorn_options
from graphsvc.settings import PROJECT_ROOT, Settings

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "SCREENSHOTS",
    "ConsoleErrors",
    "Service",
    "assert_accessible",
    "axe_violations",
    "browser",
    "console_errors",
    "page",
    "playwright_driver",
    "screenshot",
    "service",
    "tab_to",
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # no connection of Chromium's own: the machine's network is closed to it
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SCREENSHOTS = PROJECT_ROOT / "data" / "screenshots"
"""Where :func:`screenshot` writes; the run keeps it (``data/`` is not under version control)."""

AXE_SCRIPT = PROJECT_ROOT / "frontend" / "consoles" / "node_modules" / "axe-core" / "axe.min.js"
_BLOCKING_IMPACTS = ("serious", "critical")
WAIT_MS = 15_000
"""How long an action or ``expect`` waits for the page: the machine is shared and slow at times."""
expect.set_options(timeout=WAIT_MS)


# --- the service ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    """The running service: its base URL and the settings it was built with."""

    base_url: str
    settings: Settings

    def url(self, path: str) -> str:
        return self.base_url + path

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30.0)


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The service on a seeded embedded store, as ``make run`` starts it, on a free port."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("browser-data"),
        store="oxigraph",
        load_seeds=True,
        sparql_workers=2,
        # a page loads its scripts, styles and queries at once: one browser is one address
        rate_per_address=1_000.0,
        burst_per_address=10_000,
        web_rate_per_address=1_000.0,
        web_burst_per_address=10_000,
        web_concurrency_per_address=64,
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=port,
            lifespan="on",
            log_level="warning",
            ws="none",
            access_log=False,
            **uvicorn_options(settings),
        )
    )
    thread = threading.Thread(target=server.run, name=f"browser-service-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive():
            pytest.fail("the service failed to start (see the captured log)")
        if time.monotonic() > deadline:
            pytest.fail("the service did not start within 120 s")
        time.sleep(0.05)
    try:
        yield Service(f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        if thread.is_alive():
            pytest.fail("the service did not stop within 30 s")


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright's driver, for the browser tests that run one after another on this worker.

    Package-scoped, not session-scoped: while it runs, its event loop counts as running in this
    thread, so a later test outside ``tests/browser`` that calls ``asyncio.run`` would fail.
    pytest stops it when the next test is outside the package (and starts it again if the
    worker comes back to a browser module), so one driver and one Chromium serve every browser
    module in a row instead of one each (a start and stop of both: ~1 s of CPU, ~1.3 s of wall).
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the browser tests in a row (see ``playwright_driver``); each
    test still gets its own context (``page``)."""
    chromium = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
    )
    try:
        yield chromium
    finally:
        chromium.close()


@dataclass
class ConsoleErrors:
    """Errors a page reported: console ``error`` messages and uncaught exceptions."""

    messages: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.messages.append(f"console error: {message.text} ({where})")

    def _on_page_error(self, error: Error) -> None:
        self.messages.append(f"uncaught {error.name}: {error.message}")

    def forget(self, text: str) -> int:
        """Drop the messages that contain ``text`` (errors a test provokes on purpose)."""
        kept = [m for m in self.messages if text not in m]
        dropped = len(self.messages) - len(kept)
        self.messages[:] = kept
        return dropped

    def assert_none(self) -> None:
        assert not self.messages, "the page reported errors:\n" + "\n".join(self.messages)


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh context (no cookies or storage shared between tests).

    The test fails at teardown if the page logged a console error or threw; its collector is
    ``console_errors(page)``, for a check in the middle of a test.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    new_page = context.new_page()
    new_page.set_default_timeout(WAIT_MS)
    errors = ConsoleErrors()
    errors.attach(new_page)
    _COLLECTORS[new_page] = errors
    try:
        yield new_page
        if _failed(request):  # what the page showed when the test failed, for a person to see
            screenshot(new_page, "FAILED-" + request.node.name)
    finally:
        context.close()
    errors.assert_none()


def _failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "rep_call", None)  # set by conftest's report hook
    return bool(report is not None and report.failed)


_COLLECTORS: weakref.WeakKeyDictionary[Page, ConsoleErrors] = weakref.WeakKeyDictionary()


def console_errors(page: Page) -> ConsoleErrors:
    """The collector of the ``page`` fixture's page."""
    return _COLLECTORS[page]


# --- checks --------------------------------------------------------------------------------


def axe_violations(page: Page, *, exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (id, impact, help, the first targets)."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: `make frontend` installs axe-core from npm")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # evaluated through the DevTools protocol: the page's Content-Security-Policy allows
        # no inline script, and the check must not weaken it
        page.evaluate("source => { (0, eval)(source) }", AXE_SCRIPT.read_text())
    found: list[dict[str, Any]] = page.evaluate(
        """async exclude => {
            const context = exclude.length ? {exclude: exclude.map(s => [s])} : document;
            const result = await axe.run(context, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }));
        }""",
        list(exclude),
    )
    return found


def assert_accessible(page: Page, *, exclude: tuple[str, ...] = ()) -> None:
    """axe-core finds no serious or critical violation (WCAG rules and best practices)."""
    blocking = [
        v for v in axe_violations(page, exclude=exclude) if v["impact"] in _BLOCKING_IMPACTS
    ]
    assert not blocking, "axe-core violations:\n" + "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']} at {', '.join(v['targets'])}" for v in blocking
    )


def tab_to(page: Page, selector: str, limit: int = 200) -> int:
    """Press Tab from the top of the page until ``selector`` has the focus; the presses it took.

    Fails when ``limit`` presses never reach it: the element cannot be used with a keyboard.
    """
    page.evaluate("() => { document.activeElement && document.activeElement.blur() }")
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => { const a = document.activeElement; return !!a && a.matches(s) }", selector
        ):
            return presses
    pytest.fail(f"{selector!r} never had the focus after {limit} presses of Tab")


_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG named ``name`` in :data:`SCREENSHOTS`, kept after the run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (_NAME.sub("-", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path
