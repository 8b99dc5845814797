"""What the dataset's landing page (``/dataset`` in a browser) shows: the same facts as its VoID
description (:mod:`graphsvc.web.descriptions`), for a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from graphsvc.settings import Settings
from graphsvc.vocab import ID, PREFIXES
from graphsvc.web.descriptions import DATASET_DESCRIPTION, DATASET_TITLE
from graphsvc.web.examples import example_queries
from graphsvc.web.formats import DATASET_FORMATS
from graphsvc.web.html import Link, local_url

__all__ = ["LICENCE_NAMES", "Dump", "landing_context"]

LICENCE_NAMES = {
    "https://creativecommons.org/licenses/by/4.0/": "Creative Commons Attribution 4.0 (CC BY 4.0)",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0 (public domain)",
}
_FORMAT_TITLES = {
    "ttl": "Turtle (graph names dropped)",
    "nt": "N-Triples (graph names dropped)",
    "nq": "N-Quads",
    "trig": "TriG",
    "jsonld": "JSON-LD",
}
_CLASSES_SHOWN = 25


class _Stats(Protocol):
    @property
    def quads(self) -> int: ...
    @property
    def entities(self) -> int: ...
    @property
    def triples_per_graph(self) -> tuple[tuple[str, int], ...]: ...
    @property
    def entities_per_class(self) -> tuple[tuple[str, int], ...]: ...


@dataclass(frozen=True, slots=True)
class Dump:
    name: str
    title: str
    url: str


def _curie(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def landing_context(
    stats: _Stats, base: str, settings: Settings, modified: datetime
) -> dict[str, Any]:
    """The template context of ``dataset.html``."""
    licence = settings.dataset_license
    ranked = sorted(stats.entities_per_class, key=lambda pair: (-pair[1], pair[0]))
    return {
        "base": base,
        "title": DATASET_TITLE,
        "description": DATASET_DESCRIPTION,
        "license": licence,
        "license_label": LICENCE_NAMES.get(licence, licence),
        "stats": stats,
        "modified": modified,
        "id_namespace": str(ID),
        "dumps": [
            Dump(name, _FORMAT_TITLES.get(name, name), f"{base}/export/{name}")
            for name in DATASET_FORMATS
        ],
        "examples": example_queries(),
        "classes": [
            (Link(_curie(cls), local_url(cls, base), cls), count)
            for cls, count in ranked[:_CLASSES_SHOWN]
        ],
    }
