"""The work units of ``pytest -n auto --dist loadscope``, and the order they are sent in.

A unit is a module, but for two packages whose modules share an expensive session resource:

- ``tests/browser``: one Playwright driver, one Chromium and one seeded service
  (``browser.harness``). As separate modules, each started a driver and a Chromium of its own
  (~1 s of CPU, ~1.3 s of wall each) and each worker a seeded service (~0.9 s of CPU, ~1.6 s of
  wall);
- ``tests/scale``: one Virtuoso server (``scale/conftest.py``), ~3 s of CPU and ~6 s of wall to
  start, which a second worker would start again.

xdist sends the units with the most tests first. The longest units are not the ones with the
most tests, and one of them started last keeps one worker busy while the other has nothing
left to do, so :data:`LONGEST` (the units that take 10 s or more of wall time, longest first)
are sent before every other unit. Registered by ``tests/conftest.py``; any other ``--dist``
mode keeps xdist's own scheduler.
"""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

__all__ = ["LONGEST", "SHARED_PACKAGES", "SessionResourceScopes", "pytest_xdist_make_scheduler"]

SHARED_PACKAGES = ("tests/browser", "tests/scale")
"""Packages whose modules form one unit each (node ids are relative to the root directory)."""

LONGEST = (
    "tests/browser",
    "tests/scale",
    "tests/test_cli.py",
    "tests/test_ontology_publishing.py",
    "tests/security/test_sparql_nesting.py",
    "tests/security/test_graphql_fuzz.py",
    "tests/store/test_loading.py",
)
"""Units of 10 s of wall time or more on two cores, longest first: sent before the others."""


class SessionResourceScopes(LoadScopeScheduling):  # type: ignore[misc]  # xdist is untyped
    """``loadscope``, with each of :data:`SHARED_PACKAGES` as one unit and :data:`LONGEST` first."""

    def _split_scope(self, nodeid: str) -> str:
        for package in SHARED_PACKAGES:
            if nodeid.startswith(package + "/"):
                return package
        scope: str = super()._split_scope(nodeid)
        return scope

    def _assign_work_unit(self, node: Any) -> None:
        # the queue is built once, ordered by test count; move the longest units to its front
        if not getattr(self, "_longest_first", False):
            self._longest_first = True
            rank = {unit: place for place, unit in enumerate(LONGEST)}
            ordered = sorted(self.workqueue.items(), key=lambda item: rank.get(item[0], len(rank)))
            self.workqueue.clear()
            self.workqueue.update(ordered)
        super()._assign_work_unit(node)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> SessionResourceScopes | None:
    if config.getvalue("dist") != "loadscope":
        return None
    return SessionResourceScopes(config, log)
