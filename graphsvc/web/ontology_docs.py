"""HTML documentation of the ontology and its SKOS schemes, generated from ``ontology/*.ttl``.

pyLODE's OntPub profile writes the document: the header (title, IRIs, version, creator,
licence, change log), the classes and the properties. Its vocabulary profile lists no concepts,
so a section per concept scheme is added to the same document, with every concept's labels and
definitions in each language, its notation and its links. Fragment identifiers are the terms'
own fragments (``#GoodPractice``, ``#themeScheme``), so an ontology IRI opened in a browser lands
on its entry; concepts use their path (``#theme/youth-guarantee``).

Generation needs no network (pyLODE reads its background vocabularies from its package) and
takes about a second, so the HTML is kept per content hash of the Turtle files: in memory, and
on disk under ``<data_dir>/ontology-docs/`` when that directory is writable. ``make ontology-docs``
(:mod:`graphsvc.web.make_ontology_docs`) writes it ahead of the first request.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import logging
import os
import re
import threading
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graphsvc.errors import GraphsvcError
from graphsvc.settings import Settings
from graphsvc.vocab import DCTERMS, ID, OWL, PES, RDF, RDFS, SKOS

__all__ = [
    "OntologyDocsError",
    "cache_dir_of",
    "ontology_docs_html",
    "ontology_sources",
    "render_ontology_docs",
    "sources_hash",
]

_SHAPES_FILE = "shapes.ttl"
_LANGUAGES = ("en", "fr", "es", "sv", "de")
_HIDDEN = {RDF.type, SKOS.inScheme, SKOS.topConceptOf, RDFS.isDefinedBy}
_NAMES: dict[URIRef, str] = {
    SKOS.prefLabel: "Preferred label",
    SKOS.altLabel: "Alternative labels",
    SKOS.hiddenLabel: "Hidden labels",
    SKOS.definition: "Definition",
    SKOS.notation: "Notation",
    SKOS.broader: "Broader",
    SKOS.narrower: "Narrower",
    SKOS.related: "Related",
    SKOS.scopeNote: "Scope note",
    SKOS.example: "Example",
    SKOS.exactMatch: "Exact match",
    SKOS.closeMatch: "Close match",
    SKOS.hasTopConcept: "Top concepts",
    DCTERMS.title: "Title",
    DCTERMS.source: "Source",
    DCTERMS.license: "Licence",
    RDFS.label: "Label",
    OWL.versionInfo: "Version",
}
_ORDER = list(_NAMES)


class OntologyDocsError(GraphsvcError):
    """The documentation could not be generated (a module that does not parse, a missing title)."""


def ontology_sources(ontology_dir: Path) -> tuple[Path, ...]:
    """The Turtle modules documented: every ``*.ttl`` of ``ontology_dir`` but the shapes, sorted."""
    return tuple(p for p in sorted(ontology_dir.glob("*.ttl")) if p.name != _SHAPES_FILE)


def sources_hash(paths: Sequence[Path]) -> str:
    """SHA-256 of the files' names and bytes and of the pyLODE version: the cache key."""
    digest = hashlib.sha256(importlib.metadata.version("pylode").encode())
    for path in paths:
        digest.update(b"\0" + path.name.encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key of notations: ``1.10`` after ``1.9``."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-/ ]", text))


def _english(graph: Graph, node: Node, *predicates: URIRef) -> str | None:
    fallback = None
    for predicate in predicates:
        for value in graph.objects(node, predicate):
            if isinstance(value, Literal):
                if value.language in (None, "en"):
                    return str(value)
                fallback = fallback or str(value)
    return fallback


def _fragment(iri: URIRef, scheme_fid: str) -> str:
    """A concept's fragment: its path under ``id:``, else the scheme's and the last segment."""
    text = str(iri)
    if text.startswith(str(ID)):
        return text[len(str(ID)) :]
    return f"{scheme_fid}/{re.split(r'[/#]', text.rstrip('/#'))[-1]}"


def _term_fragments(graph: Graph) -> dict[str, str]:
    """Fragment ids of the described IRIs: ``pes:`` terms by their local name, so that their
    IRIs land on their entry; reused terms by prefixed name (``org:role``, ``cv:role``), which
    keeps them unique where pyLODE's titles would collide."""
    namespace = str(PES._NS)
    fids: dict[str, str] = {}
    for subject in set(graph.subjects()):
        if not isinstance(subject, URIRef):
            continue
        text = str(subject)
        if text.startswith(namespace) and len(text) > len(namespace):
            fids[text] = text[len(namespace) :]
            continue
        try:
            prefix, _, local = graph.namespace_manager.compute_qname(text, False)
        except (KeyError, ValueError):  # no prefix fits: pyLODE names it
            continue
        if prefix and local:
            fids[text] = f"{prefix}:{local}"
    return fids


class _Schemes:
    """The SKOS schemes of the modules, rendered with dominate (pyLODE's HTML builder)."""

    def __init__(self, graph: Graph, tags: Any, fids: dict[str, str]) -> None:
        self.graph = graph
        self.tags = tags
        self.fids = fids
        self.schemes = sorted(
            (s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)),
            key=lambda s: (_english(graph, s, SKOS.prefLabel, DCTERMS.title) or str(s)).lower(),
        )
        for scheme in self.schemes:
            scheme_fid = self.fids.setdefault(str(scheme), str(scheme).split("#")[-1])
            for concept in self._members(scheme):
                self.fids.setdefault(str(concept), _fragment(concept, scheme_fid))

    def _members(self, scheme: URIRef) -> list[URIRef]:
        found = set(self.graph.subjects(SKOS.inScheme, scheme))
        found |= set(self.graph.subjects(SKOS.topConceptOf, scheme))
        found |= set(self.graph.objects(scheme, SKOS.hasTopConcept))
        return [c for c in found if isinstance(c, URIRef)]

    def _key(self, concept: URIRef) -> tuple[object, ...]:
        notation = next((str(n) for n in self.graph.objects(concept, SKOS.notation)), "")
        label = _english(self.graph, concept, SKOS.prefLabel) or str(concept)
        return (_natural(notation) if notation else ((2, ""),), label.lower())

    def ordered(self, scheme: URIRef) -> list[tuple[URIRef, int]]:
        """Concepts depth first from the top concepts, with their depth; orphans at the end."""
        members = set(self._members(scheme))
        children: dict[URIRef, list[URIRef]] = defaultdict(list)
        tops = []
        for concept in members:
            parents = [p for p in self.graph.objects(concept, SKOS.broader) if p in members]
            for parent in parents:
                assert isinstance(parent, URIRef)
                children[parent].append(concept)
            if not parents:
                tops.append(concept)
        out: list[tuple[URIRef, int]] = []
        seen: set[URIRef] = set()

        def walk(concept: URIRef, depth: int) -> None:
            if concept in seen:
                return
            seen.add(concept)
            out.append((concept, depth))
            for child in sorted(children[concept], key=self._key):
                walk(child, depth + 1)

        for top in sorted(tops, key=self._key):
            walk(top, 0)
        for rest in sorted(members - seen, key=self._key):
            walk(rest, 0)
        return out

    def _name(self, predicate: URIRef) -> str:
        if predicate in _NAMES:
            return _NAMES[predicate]
        label = _english(self.graph, predicate, RDFS.label, SKOS.prefLabel)
        if label:
            return label[:1].upper() + label[1:]
        prefix, _, local = self.graph.namespace_manager.compute_qname(predicate, False)
        return f"{prefix}:{local}" if prefix else local

    def _value(self, value: Node) -> Any:
        t = self.tags
        if isinstance(value, Literal):
            if value.language:
                return t.span(str(value), t.sup(value.language, _class="lang"), lang=value.language)
            return t.span(str(value))
        if isinstance(value, URIRef):
            label = _english(self.graph, value, SKOS.prefLabel, RDFS.label, DCTERMS.title)
            fid = self.fids.get(str(value))
            href = "#" + fid if fid else str(value)
            return t.a(label or str(value), href=href, title=str(value))
        return t.span(str(value))

    def _rows(self, node: URIRef, table: Any) -> None:
        t = self.tags
        values: dict[URIRef, list[Node]] = defaultdict(list)
        for predicate, value in self.graph.predicate_objects(node):
            if isinstance(predicate, URIRef) and predicate not in _HIDDEN:
                values[predicate].append(value)

        def rank(predicate: URIRef) -> tuple[int, str]:
            index = _ORDER.index(predicate) if predicate in _ORDER else len(_ORDER)
            return (index, self._name(predicate).lower())

        def lang_rank(value: Node) -> tuple[int, str]:
            lang = value.language if isinstance(value, Literal) else None
            index = _LANGUAGES.index(lang) if lang in _LANGUAGES else len(_LANGUAGES)
            return (index, str(value))

        for predicate in sorted(values, key=rank):
            cell = t.td()
            for number, value in enumerate(sorted(values[predicate], key=lang_rank)):
                if number:
                    cell.add(t.br())
                cell.add(self._value(value))
            table.add(t.tr(t.th(self._name(predicate)), cell))

    def section(self, scheme: URIRef) -> Any:
        t = self.tags
        title = _english(self.graph, scheme, SKOS.prefLabel, DCTERMS.title) or str(scheme)
        div = t.div(id=self.fids[str(scheme)], _class="section")
        div.add(t.h2(title))
        table = t.table(t.tr(t.th("IRI"), t.td(t.code(str(scheme)))))
        self._rows(scheme, table)
        div.add(table)
        for concept, depth in self.ordered(scheme):
            label = _english(self.graph, concept, SKOS.prefLabel) or str(concept)
            entry = t.div(
                t.h3(label, t.sup("c", _class="sup-c", title="SKOS concept")),
                id=self.fids[str(concept)],
                _class="property entity",
                style=f"margin-left: {min(depth, 4) * 1.5}em",
            )
            concept_table = t.table(t.tr(t.th("IRI"), t.td(t.code(str(concept)))))
            self._rows(concept, concept_table)
            entry.add(concept_table)
            div.add(entry)
        return div


def _import_pylode() -> tuple[Any, Any, type[Exception]]:
    """dominate's tags, pyLODE's OntPub and PylodeError.

    Importing pyLODE runs ``logging.basicConfig(level=DEBUG)`` (its supermodel profile), which
    would print every library's debug messages; a handler on the root logger during the import
    makes that call a no-op.
    """
    root = logging.getLogger()
    guard = logging.NullHandler()
    level = root.level
    root.addHandler(guard)
    try:
        from dominate import tags  # pyLODE's HTML builder
        from pylode import OntPub, PylodeError
    finally:
        root.removeHandler(guard)
        root.setLevel(level)
    return tags, OntPub, PylodeError


def render_ontology_docs(paths: Iterable[Path]) -> str:
    """The HTML document of the modules in ``paths``: the owl:Ontology module with pyLODE's
    OntPub, then one section per SKOS concept scheme. Raises :class:`OntologyDocsError`."""
    tags, OntPub, PylodeError = _import_pylode()
    ontology = Graph()
    schemes = Graph()
    for path in paths:
        try:
            module = Graph().parse(path, format="turtle")
        except (OSError, SyntaxError, ValueError) as error:  # rdflib's BadSyntax is a SyntaxError
            raise OntologyDocsError(f"{path}: not readable as Turtle: {error}") from error
        is_ontology = (None, RDF.type, OWL.Ontology) in module
        target = ontology if is_ontology else schemes
        target += module
        for prefix, namespace in module.namespaces():
            target.bind(prefix, namespace, override=False)
    if len(ontology) == 0:
        raise OntologyDocsError("no module declares an owl:Ontology")
    # labels of the schemes and concepts, for links from the classes and properties
    labels = Graph()
    for predicate in (SKOS.prefLabel, RDFS.label):
        for s, o in schemes.subject_objects(predicate):
            labels.add((s, predicate, o))

    class Document(OntPub):  # type: ignore[misc, valid-type]
        """OntPub with the concept schemes after the properties and in the contents."""

        def __init__(self) -> None:
            super().__init__(ontology, sort_subjects=True)
            self.fids.update(_term_fragments(ontology))
            self.schemes = _Schemes(schemes + labels, tags, self.fids)

        def _make_metadata(self) -> None:
            super()._make_metadata()
            notes = sorted(str(n) for n in ontology.objects(None, SKOS.changeNote))
            if notes:
                with self.content.get(id="metadata")[0]:
                    tags.h2("Change log", id="changelog")
                    with tags.ul():
                        for note in notes:
                            tags.li(note)

        def _make_namespaces(self) -> None:
            """pyLODE's list of the namespaces the terms use, with the graph's namespaces read
            once instead of once per term (a sixth of the page's time)."""
            bound = [(prefix, str(namespace)) for prefix, namespace in ontology.namespaces()]
            terms = chain(ontology.subjects(), ontology.predicates(), ontology.objects())
            used: dict[str, str] = {}
            for text in {str(term) for term in terms}:
                for prefix, namespace in bound:
                    if text.startswith(namespace):
                        used[prefix] = namespace
            entries = self.toc.setdefault("namespaces", [])
            with self.content, tags.div(id="namespaces"):
                tags.h2("Namespaces")
                with tags.dl():
                    for prefix, namespace in sorted(used.items()):
                        label = prefix if prefix != "" else ":"
                        tags.dt(label, id=label)
                        tags.dd(tags.code(namespace))
                        entries.append(("#" + prefix, prefix))

        def _make_main_sections(self) -> None:
            super()._make_main_sections()
            wrapper = self.content.add(tags.div(id="schemes"))
            for scheme in self.schemes.schemes:
                wrapper.add(self.schemes.section(scheme))

        def _make_toc(self) -> None:
            super()._make_toc()
            first = self.doc.body.get(id="toc")[0].get("ul")[0]
            entry = tags.li(tags.h4(tags.a("Concept schemes", href="#schemes")))
            inner = entry.add(tags.ul(_class="second"))
            for scheme in self.schemes.schemes:
                title = _english(schemes, scheme, SKOS.prefLabel, DCTERMS.title) or str(scheme)
                inner.add(tags.li(tags.a(title, href="#" + self.fids[str(scheme)])))
            # before "Namespaces" and "Legend", the last two entries
            first.children.insert(max(len(first.children) - 2, 0), entry)
            entry.parent = first

    try:
        with warnings.catch_warnings():
            # pyLODE reads its stylesheet without closing the file
            warnings.simplefilter("ignore", ResourceWarning)
            html = Document().make_html()
    except PylodeError as error:
        raise OntologyDocsError(f"pyLODE refused the ontology: {error}") from error
    except OSError as error:  # pyLODE caches its background vocabularies in its own package
        raise OntologyDocsError(f"pyLODE could not read or write its files: {error}") from error
    assert isinstance(html, str)
    return html


_memory: dict[str, bytes] = {}
_compressed: dict[str, bytes] = {}
_lock = threading.Lock()


def ontology_docs_html(
    ontology_dir: Path, cache_dir: Path | None = None, *, gzipped: bool = False
) -> bytes:
    """The documentation of ``ontology_dir`` as UTF-8 HTML, generated once per content hash;
    gzip-compressed if ``gzipped`` (870 kB of HTML are 70 kB so, compressed once).

    Blocking (about a second the first time): call it from a worker thread. The disk cache in
    ``cache_dir`` is best effort; a directory that cannot be written is skipped.
    """
    paths = ontology_sources(ontology_dir)
    if not paths:
        raise OntologyDocsError(f"no ontology modules (*.ttl) in {ontology_dir}")
    key = sources_hash(paths)
    with _lock:  # one generation at a time; the others wait for its result
        if key in _memory:
            return _variant(key, gzipped)
        cached = cache_dir / f"{key}.html" if cache_dir is not None else None
        if cached is not None and cached.is_file():
            body = cached.read_bytes()
        else:
            body = render_ontology_docs(paths).encode()
            if cached is not None:
                _write_atomically(cached, body)
        _memory.clear()  # only the current modules are served
        _compressed.clear()
        _memory[key] = body
        return _variant(key, gzipped)


def _variant(key: str, gzipped: bool) -> bytes:
    if not gzipped:
        return _memory[key]
    if key not in _compressed:
        _compressed[key] = gzip.compress(_memory[key], compresslevel=6, mtime=0)
    return _compressed[key]


def _write_atomically(path: Path, body: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(body)
        partial.replace(path)
    except OSError:
        pass  # a read-only data directory: served from memory only


def cache_dir_of(settings: Settings) -> Path:
    """Where the generated HTML is kept on disk for ``settings``."""
    return settings.data_dir / "ontology-docs"
