"""Readable HTML for browsers, from the Jinja2 templates in ``templates/`` (escaping automatic):
entity pages with their recommendations, the not-found page, the SPARQL editor and the dataset's
landing page.

IRIs of this dataset link to their page on this deployment, other IRIs link to themselves;
practices, PES, themes, events and projects also link to their view in the discovery app.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from graphsvc.http.assets import CONSOLES
from graphsvc.http.pages import page_templates, render
from graphsvc.settings import Settings
from graphsvc.vocab import BASE, GRAPH, ID, PREFIXES
from graphsvc.web.describe import Description
from graphsvc.web.examples import ExampleQuery
from graphsvc.web.suggestions import Suggestions

__all__ = [
    "APP_KINDS",
    "Link",
    "Row",
    "Value",
    "app_url",
    "dataset_page",
    "entity_page",
    "local_url",
    "not_found_page",
    "service_page",
]

_TEMPLATES = page_templates(Path(__file__).parent / "templates")
_PAGES_CSS = "src/pages.css"
_SPARQL_JS = "src/sparql.js"

APP_KINDS = ("practice", "pes", "theme", "event", "project")
"""Kinds of entity with a view in the discovery app, at ``/<kind>/<last segment of the IRI>``."""


def local_url(iri: str, base: str) -> str:
    """Where ``iri`` can be read: its page here if it is this dataset's, else the IRI itself."""
    for namespace, path in ((str(ID), "/id/"), (str(GRAPH), "/graph/")):
        if iri.startswith(namespace):
            return f"{base}{path}{iri[len(namespace) :]}"
    if iri == BASE + "ontology" or iri.startswith(BASE + "ontology#"):
        return base + "/ontology" + iri[len(BASE + "ontology") :]
    if iri == BASE + "dataset":
        return base + "/dataset"
    return iri


def app_url(iri: str, base: str) -> str | None:
    """The discovery app's view of ``iri`` (``/practice/ohjaamo``), if the app has one."""
    if not iri.startswith(str(ID)):
        return None
    kind, _, rest = iri[len(str(ID)) :].partition("/")
    if kind not in APP_KINDS or not rest or "/" in rest:
        return None
    return f"{base}/{kind}/{rest}"


def _curie(iri: str) -> str:
    best = ""
    name = iri
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best = namespace
            name = f"{prefix}:{iri[len(namespace) :]}"
    return name


def _label(iri: str, description: Description) -> str:
    labels = description.labels.get(iri)
    if labels:
        return labels.get("en") or labels.get("") or next(iter(labels.values()))
    return _curie(iri)


@dataclass(frozen=True, order=True, slots=True)
class Link:
    label: str
    href: str
    title: str


@dataclass(frozen=True, order=True, slots=True)
class Value:
    """One object (or subject) in a table: a link, a blank node or a literal with its note."""

    text: str
    href: str = ""
    title: str = ""
    lang: str = ""
    datatype: str = ""
    anchor: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    predicate: Link
    incoming: bool
    values: tuple[Value, ...]


def _value(term: object, description: Description, base: str) -> Value:
    if isinstance(term, NamedNode):
        return Value(_label(term.value, description), local_url(term.value, base), term.value)
    if isinstance(term, BlankNode):
        return Value(f"[{term.value}]", anchor=f"b-{term.value}")
    if isinstance(term, Literal):
        if term.language:
            return Value(term.value, lang=term.language)
        datatype = term.datatype.value
        return Value(term.value, datatype="" if datatype.endswith("#string") else _curie(datatype))
    return Value(str(term))


def _rows(
    triples: Iterable[Triple], description: Description, base: str, incoming: bool
) -> list[Row]:
    grouped: dict[str, set[Value]] = defaultdict(set)
    for triple in triples:
        grouped[triple.predicate.value].add(
            _value(triple.subject if incoming else triple.object, description, base)
        )
    return [
        Row(
            Link(_label(predicate, description), local_url(predicate, base), predicate),
            incoming,
            tuple(sorted(grouped[predicate])),
        )
        for predicate in sorted(grouped, key=lambda p: _label(p, description).lower())
    ]


_FORMATS = (
    ("ttl", "Turtle", "text/turtle"),
    ("jsonld", "JSON-LD", "application/ld+json"),
    ("nt", "N-Triples", "application/n-triples"),
)


def entity_page(
    description: Description,
    base: str,
    page_url: str,
    suggestions: Suggestions | None = None,
) -> str:
    """The HTML page of one described IRI: its statements, links to its other representations
    and its view in the app, and its related practices or peer PES with their reasons."""
    iri = description.iri
    node = NamedNode(iri)
    blanks: dict[str, list[Triple]] = defaultdict(list)
    for triple in description.triples:
        if isinstance(triple.subject, BlankNode):
            blanks[triple.subject.value].append(triple)
    context: dict[str, Any] = {
        "assets": CONSOLES.optional_entry(_PAGES_CSS),
        "base": base,
        "iri": iri,
        "title": _label(iri, description),
        "page_url": page_url,
        "formats": _FORMATS,
        "app_url": app_url(iri, base),
        "rows": _rows(
            (t for t in description.triples if t.subject == node), description, base, False
        ),
        "blanks": [
            (name, _rows(triples, description, base, False))
            for name, triples in sorted(blanks.items())
        ],
        "incoming": _rows(description.incoming, description, base, True),
        "truncated": description.truncated,
        "suggestions": suggestions or Suggestions(),
    }
    return render("entity.html", context, _TEMPLATES)


def not_found_page(iri: str, base: str) -> str:
    context = {"assets": CONSOLES.optional_entry(_PAGES_CSS), "base": base, "iri": iri}
    return render("not_found.html", context, _TEMPLATES)


_EXAMPLE = """SELECT ?network ?member ?label WHERE {
  ?membership a org:Membership ; org:organization ?network ; org:member ?member .
  ?network a pes:Network .
  OPTIONAL { ?member skos:prefLabel ?label FILTER(LANG(?label) = "en") }
} ORDER BY ?network ?label"""


def service_page(base: str, settings: Settings, examples: Sequence[ExampleQuery]) -> str:
    """``/sparql`` in a browser: the query editor, the example queries, how the endpoint behaves.

    Without the bundled script (or JavaScript) it is a plain form that submits to the endpoint.
    """
    context = {
        "assets": CONSOLES.optional_entry(_SPARQL_JS),
        "base": base,
        "endpoint": base + "/sparql",
        "id_namespace": str(ID),
        "settings": settings,
        "prefixes": ", ".join(f"{p}:" for p in PREFIXES),
        "query": _EXAMPLE,
        "examples": examples,
        "example_texts": {example.name: example.text for example in examples},
    }
    return render("sparql.html", context, _TEMPLATES)


_TEMPLATES.env.globals.update(local_url=local_url, app_link=app_url)


def dataset_page(context: dict[str, Any]) -> str:
    """``/dataset`` in a browser: what the dataset holds, its licence, dumps, endpoint, examples."""
    return render(
        "dataset.html", {"assets": CONSOLES.optional_entry(_PAGES_CSS), **context}, _TEMPLATES
    )
