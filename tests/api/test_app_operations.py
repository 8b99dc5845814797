"""The discovery app's operations are valid against the schema the code serves.

The app's build generates its types from ``schema.graphql`` and stops on an operation the schema
does not have; this test says so already in pytest, naming the operation, for whoever changes the
API. Each operation must also stay within the API's page size (``MAX_PAGE_SIZE``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from graphsvc.api.connections import MAX_PAGE_SIZE
from graphsvc.api.schema import print_sdl

OPERATIONS = Path(__file__).parents[2] / "frontend" / "app" / "src" / "operations"


def documents() -> list[Path]:
    found = sorted(OPERATIONS.glob("*.graphql"))
    assert found, f"no operation in {OPERATIONS}"
    return found


@pytest.fixture(scope="module")
def fragments() -> str:
    """Every fragment of the app, so that each file validates with the ones it uses."""
    text = "\n".join(p.read_text() for p in documents())
    blocks = re.findall(r"^fragment .*?^}", text, flags=re.MULTILINE | re.DOTALL)
    return "\n".join(blocks)


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.name)
def test_each_operation_is_valid_against_the_served_schema(path: Path, fragments: str) -> None:
    schema = build_schema(print_sdl())
    own = re.sub(r"^fragment .*?^}", "", path.read_text(), flags=re.MULTILINE | re.DOTALL)
    document = parse(own + "\n" + fragments) if own.strip() else None
    if document is None:
        return  # a file of fragments only: checked with the operations that use them
    errors = [
        e
        for e in validate(schema, document)
        if "is never used" not in e.message  # each file takes every fragment of the app
    ]
    assert not errors, f"{path.name}: " + "; ".join(e.message for e in errors)


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.name)
def test_no_operation_asks_for_a_page_larger_than_the_api_serves(path: Path) -> None:
    sizes = [int(n) for n in re.findall(r"\bfirst:\s*(\d+)", path.read_text())]
    too_large = [n for n in sizes if n > MAX_PAGE_SIZE]
    assert not too_large, f"{path.name}: first: {too_large} > {MAX_PAGE_SIZE}"
