"""Fixtures of the API tests: one seeded service, in this process, for the modules that only read.

A module that changes data opens a service of its own (``seeded(tmp_path)``, ``local_api``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .seeded import Seeded, seeded


@pytest.fixture(scope="session")
def seeded_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """The seeded service and its oracle (see :mod:`api.seeded`); read it, never change it."""
    yield from seeded(tmp_path_factory.mktemp("seeded-api"))
