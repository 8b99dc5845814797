"""The example SPARQL queries of ``docs/queries/*.rq``, offered by the SPARQL editor and the
dataset page. Each file starts with a comment line that says what it asks."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from graphsvc.settings import PROJECT_ROOT

__all__ = ["EXAMPLES_DIR", "ExampleQuery", "example_queries"]

EXAMPLES_DIR = PROJECT_ROOT / "docs" / "queries"


@dataclass(frozen=True, slots=True)
class ExampleQuery:
    name: str
    """The file name without ``.rq`` (``07-practices-per-region``)."""
    title: str
    """The first comment line (``How many practices does each WAPES region have?``)."""
    text: str


@functools.cache
def example_queries(directory: Path = EXAMPLES_DIR) -> tuple[ExampleQuery, ...]:
    """Every ``*.rq`` file of ``directory`` in name order (none if the folder is absent)."""
    found = []
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem
        found.append(ExampleQuery(path.stem, title, text))
    return tuple(found)
