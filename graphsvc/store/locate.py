"""Where a resource is described in an RDF file, as a line number, for error messages.

The parsers give no positions of the triples they return, so a SHACL violation knows its focus
node's IRI but not where a person would edit it. :func:`subject_lines` reads a Turtle, TriG,
N-Triples or N-Quads file once more (only when there is something to report) and finds the
first line that starts with the resource: written in full (``<https://…>``) or with a prefix
the file declares (``practice:ohjaamo``). Failing that, the first line that names it at all.
Other formats (RDF/XML, JSON-LD) give no line.

Cost: one pass over the file's text per call; only validation failures call it.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from pathlib import Path

__all__ = ["subject_lines"]

_TEXT_SUFFIXES = frozenset({".ttl", ".trig", ".nt", ".nq", ".n3"})
_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z0-9_.-]*):\s*<([^>]*)>", re.IGNORECASE)
_END = r"(?=[\s;,.\[\]{}()]|$)"
_FIRST = re.compile(r"^\s*(<[^>\s]*>|[A-Za-z0-9_.-]*:[^\s;,()\[\]{}]*)")


def _text(path: Path) -> str | None:
    suffixes = path.suffixes[-2:] if path.suffix == ".gz" else path.suffixes[-1:]
    if not suffixes or suffixes[0] not in _TEXT_SUFFIXES:
        return None
    try:
        if path.suffix == ".gz":
            with gzip.open(path) as handle:
                data = handle.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError):
        return None
    return data.decode("utf-8", errors="replace")


def subject_lines(path: Path, iris: Iterable[str]) -> dict[str, int]:
    """The 1-based line of ``path`` where each of ``iris`` is first described (or named).

    One pass reads the term each line starts with and expands its prefix; only the IRIs no line
    starts with are looked for anywhere in a line (a second pass, each).
    """
    text = _text(path)
    wanted = set(iris)
    if text is None or not wanted:
        return {}
    lines = text.splitlines()
    prefixes: dict[str, str] = {}
    found: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        declared = _PREFIX.match(line)
        if declared:
            prefixes[declared.group(1)] = declared.group(2)
            continue
        first = _FIRST.match(line)
        if first is None:
            continue
        term = first.group(1)
        if term.startswith("<"):
            iri = term[1:-1]
        else:
            name, _, local = term.partition(":")
            if name not in prefixes:
                continue
            iri = prefixes[name] + local
        if iri in wanted and iri not in found:
            found[iri] = number
            if len(found) == len(wanted):
                break
    for iri in wanted - found.keys():
        forms = [f"<{re.escape(iri)}>"] + [
            re.escape(f"{name}:{iri[len(namespace) :]}") + _END
            for name, namespace in prefixes.items()
            if namespace and iri.startswith(namespace) and iri != namespace
        ]
        pattern = re.compile(rf"(?:^|(?<=[\s;,\[(]))(?:{'|'.join(forms)})")
        number = next((n for n, line in enumerate(lines, start=1) if pattern.search(line)), 0)
        if number:
            found[iri] = number
    return found
