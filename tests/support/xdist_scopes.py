"""The work units of ``pytest -n auto --dist loadscope``: a module each, but the browser tests.

Every module under ``tests/browser`` joins one unit, so one worker runs them in a row on one
Playwright driver, one Chromium and one seeded service (``browser.harness``). As separate
modules, the scheduler (which sends the units with the most tests first) interleaves them with
other modules on both workers, and each one then starts a driver and a Chromium of its own
(~1 s of CPU, ~1.3 s of wall each) and each worker a seeded service (~0.9 s of CPU, ~1.6 s of
wall). Registered by ``tests/conftest.py``; any other ``--dist`` mode keeps xdist's own
scheduler.
"""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

__all__ = ["BROWSER_TESTS", "BrowserTestsTogether", "pytest_xdist_make_scheduler"]

BROWSER_TESTS = "tests/browser"
"""The package whose modules form one unit (node ids are relative to the root directory)."""


class BrowserTestsTogether(LoadScopeScheduling):  # type: ignore[misc]  # xdist is untyped
    """``loadscope``, with the modules of :data:`BROWSER_TESTS` as one scope."""

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.startswith(BROWSER_TESTS + "/"):
            return BROWSER_TESTS
        scope: str = super()._split_scope(nodeid)
        return scope


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> BrowserTestsTogether | None:
    if config.getvalue("dist") != "loadscope":
        return None
    return BrowserTestsTogether(config, log)
