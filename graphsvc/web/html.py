"""Readable HTML for browsers: entity pages (labels and links) and the SPARQL endpoint's form.

Every value written into a page goes through :func:`html.escape`; IRIs of this dataset link to
their page on this deployment, other IRIs link to themselves.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from graphsvc.settings import Settings
from graphsvc.vocab import BASE, GRAPH, ID, PREFIXES
from graphsvc.web.describe import Description

__all__ = ["entity_page", "local_url", "not_found_page", "service_page"]

_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 62rem; padding: 0 1rem;
       color: #1b1b1b; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
.iri { font-family: ui-monospace, monospace; font-size: .85rem; color: #555; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-top: 1px solid #ddd; }
th { width: 14rem; font-weight: 600; }
.lang { color: #777; font-size: .8rem; margin-left: .3rem; }
.type { color: #777; font-size: .8rem; }
nav a { margin-right: 1rem; }
textarea { width: 100%; font-family: ui-monospace, monospace; font-size: .9rem; }
"""


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


def _curie(iri: str) -> str:
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best = namespace
            name = f"{prefix}:{iri[len(namespace) :]}"
    return name if best else iri


def _label(iri: str, description: Description) -> str:
    labels = description.labels.get(iri)
    if labels:
        return labels.get("en") or labels.get("") or next(iter(labels.values()))
    return _curie(iri)


def _value(term: object, description: Description, base: str) -> str:
    if isinstance(term, NamedNode):
        href = escape(local_url(term.value, base))
        label = escape(_label(term.value, description))
        title = escape(term.value)
        return f'<a href="{href}" title="{title}">{label}</a>'
    if isinstance(term, BlankNode):
        return f'<a href="#b-{escape(term.value)}">[{escape(term.value)}]</a>'
    if isinstance(term, Literal):
        text = escape(term.value)
        if term.language:
            return f'{text}<span class="lang">@{escape(term.language)}</span>'
        datatype = term.datatype.value
        if datatype.endswith("#string"):
            return text
        return f'{text} <span class="type">{escape(_curie(datatype))}</span>'
    return escape(str(term))


def _table(triples: list[Triple], description: Description, base: str, incoming: bool) -> str:
    grouped: dict[str, list[str]] = defaultdict(list)
    for triple in triples:
        key = triple.predicate.value
        value = triple.subject if incoming else triple.object
        grouped[key].append(_value(value, description, base))
    rows = []
    for predicate in sorted(grouped, key=lambda p: _label(p, description).lower()):
        name = _label(predicate, description)
        head = f'<a href="{escape(local_url(predicate, base))}" title="{escape(predicate)}">'
        head += escape(name) + "</a>"
        if incoming:
            head = "is " + head + " of"
        values = "<br>".join(sorted(set(grouped[predicate])))
        rows.append(f"<tr><th>{head}</th><td>{values}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def _page(title: str, body: str, head: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>{head}<style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def entity_page(description: Description, base: str, page_url: str) -> str:
    """The HTML page of one described IRI, with links to its other representations."""
    iri = description.iri
    title = _label(iri, description)
    node = NamedNode(iri)
    own = [t for t in description.triples if t.subject == node]
    blanks: dict[str, list[Triple]] = defaultdict(list)
    for triple in description.triples:
        if isinstance(triple.subject, BlankNode):
            blanks[triple.subject.value].append(triple)
    formats = " ".join(
        f'<a href="{escape(page_url)}?format={name}">{label}</a>'
        for name, label in (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"))
    )
    links = "".join(
        f'<link rel="alternate" type="{media}" href="{escape(page_url)}?format={name}">'
        for name, media in (
            ("ttl", "text/turtle"),
            ("jsonld", "application/ld+json"),
            ("nt", "application/n-triples"),
        )
    )
    parts = [
        f'<nav><a href="{escape(base)}/sparql">SPARQL</a>'
        f'<a href="{escape(base)}/.well-known/void">dataset</a>'
        f'<a href="{escape(base)}/ontology">ontology</a></nav>',
        f"<h1>{escape(title)}</h1>",
        f'<div class="iri">{escape(iri)}</div>',
        f"<p>Also as {formats}.</p>",
        _table(own, description, base, incoming=False),
    ]
    for name, triples in sorted(blanks.items()):
        parts.append(f'<h2 id="b-{escape(name)}">[{escape(name)}]</h2>')
        parts.append(_table(triples, description, base, incoming=False))
    if description.incoming:
        parts.append("<h2>Linked from</h2>")
        parts.append(_table(description.incoming, description, base, incoming=True))
    if description.truncated:
        parts.append("<p>This description is cut short; query /sparql for the rest.</p>")
    return _page(title, "".join(parts), links)


def not_found_page(iri: str, base: str) -> str:
    body = (
        "<h1>Not found</h1>"
        f'<p>The dataset says nothing about <span class="iri">{escape(iri)}</span>.</p>'
        f'<p><a href="{escape(base)}/.well-known/void">What the dataset holds</a></p>'
    )
    return _page("Not found", body)


_EXAMPLE = """SELECT ?network ?member ?label WHERE {
  ?membership a org:Membership ; org:organization ?network ; org:member ?member .
  ?network a pes:Network .
  OPTIONAL { ?member skos:prefLabel ?label FILTER(LANG(?label) = "en") }
} ORDER BY ?network ?label"""


def service_page(base: str, settings: Settings) -> str:
    """``/sparql`` in a browser: a query form and how the endpoint behaves."""
    endpoint = escape(base + "/sparql")
    prefixes = ", ".join(f"{p}:" for p in PREFIXES)
    body = (
        f'<nav><a href="{escape(base)}/.well-known/void">dataset</a>'
        f'<a href="{escape(base)}/ontology">ontology</a>'
        f'<a href="{escape(base)}/export/nq.gz">download (N-Quads, gzip)</a></nav>'
        "<h1>SPARQL endpoint</h1>"
        f'<p class="iri">{endpoint}</p>'
        "<p>Read-only SPARQL 1.1 Query. The default graph is the union of all named graphs. "
        f"Queries stop after {settings.sparql_timeout:g} s with an error; results are capped at "
        f"{settings.sparql_max_rows} rows, and the <code>X-SPARQL-MaxRows</code> header says so "
        "when the cap applies. SPARQL Update, <code>SERVICE</code> and graphs outside this "
        f"dataset are refused. These prefixes need no declaration: {escape(prefixes)}.</p>"
        f'<form method="get" action="{endpoint}">'
        f'<textarea name="query" rows="12">{escape(_EXAMPLE)}</textarea>'
        '<p><label>Results as <select name="format">'
        '<option value="json">JSON</option><option value="xml">XML</option>'
        '<option value="csv">CSV</option><option value="tsv">TSV</option>'
        '<option value="ttl">Turtle (CONSTRUCT)</option>'
        '<option value="jsonld">JSON-LD (CONSTRUCT)</option></select></label> '
        '<button type="submit">Run</button></p></form>'
        f'<p>Service description: <a href="{endpoint}?format=ttl">Turtle</a>, '
        f'<a href="{endpoint}?format=jsonld">JSON-LD</a>.</p>'
    )
    return _page("SPARQL endpoint", body)
