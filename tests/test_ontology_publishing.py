"""Publishing the ontology: the HTML documentation generated from ``ontology/*.ttl`` (complete,
offline, cached per content hash), and the OWL 2 RL consistency of the ontology with the seeds."""

from __future__ import annotations

import html
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import owlrl
import pyoxigraph
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from graphsvc.settings import PROJECT_ROOT, Settings
from graphsvc.vocab import ID, PES
from graphsvc.web.ontology_docs import (
    OntologyDocsError,
    ontology_docs_html,
    ontology_sources,
    render_ontology_docs,
    sources_hash,
)

ONTOLOGY_DIR = Settings().ontology_dir
SEEDS_DIR = Settings().seeds_dir


@pytest.fixture(scope="module")
def modules() -> Graph:
    graph = Graph()
    for path in ontology_sources(ONTOLOGY_DIR):
        graph.parse(data=path.read_text(encoding="utf-8"), format="turtle")
    return graph


@pytest.fixture(scope="module")
def page() -> str:
    """The documentation, generated with every network connection refused."""
    with pytest.MonkeyPatch.context() as patch:

        def refuse(*args: object, **kwargs: object) -> None:
            raise OSError("network access during documentation generation")

        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        return render_ontology_docs(ontology_sources(ONTOLOGY_DIR))


def ids_of(text: str) -> set[str]:
    return {html.unescape(i) for i in re.findall(r'\bid="([^"]+)"', text)}


def test_page_documents_the_header(page: str) -> None:
    assert "<title>graphsvc ontology of public employment services</title>" in page
    for text in (
        "https://w3id.org/graphsvc/ontology/0.1.0",  # owl:versionIRI
        "https://creativecommons.org/licenses/by/4.0/",
        "Change log",
        "0.1.0, 2026-11-22: first version.",
    ):
        assert text in page, text


def test_every_pes_term_has_its_entry(page: str, modules: Graph) -> None:
    namespace = str(PES._NS)
    terms = {
        str(s)[len(namespace) :]
        for s in modules.subjects()
        if isinstance(s, URIRef) and str(s).startswith(namespace) and str(s) != namespace
    }
    assert len(terms) > 40
    assert sorted(terms - ids_of(page)) == []


def test_every_concept_has_its_entry_with_all_its_labels(page: str, modules: Graph) -> None:
    schemes = set(modules.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(schemes) == 7
    concepts = {c for c in modules.subjects(SKOS.inScheme, None) if isinstance(c, URIRef)}
    assert len(concepts) > 100
    ids = ids_of(page)
    # a concept's entry: its IRI, and for graphsvc's own concepts its path as the fragment
    missing = [str(c) for c in concepts if f"<code>{html.escape(str(c))}</code>" not in page]
    missing += [
        str(c) for c in concepts if str(c).startswith(str(ID)) and str(c)[len(str(ID)) :] not in ids
    ]
    assert missing == []
    unshown = []
    for concept, label in modules.subject_objects(SKOS.prefLabel):
        shown = html.escape(str(label), quote=False) in page
        if concept in concepts and isinstance(label, Literal) and not shown:
            unshown.append(f"{concept} {label}@{label.language}")
    assert unshown == []


def test_page_links_resolve_and_load_nothing_from_elsewhere(page: str) -> None:
    ids = ids_of(page)
    dangling = {h for h in re.findall(r'href="#([^"]*)"', page) if html.unescape(h) not in ids}
    assert dangling == set()
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r'<link[^>]+rel="stylesheet"', page)
    assert "@import" not in page


def copy_ontology(tmp_path: Path) -> Path:
    target = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY_DIR, target)
    return target


def small_ontology(tmp_path: Path, title: str) -> Path:
    """An ontology module and a concept scheme module: the cache works per content whatever
    the content, and these are documented in a fifth of the time of the project's modules."""
    target = tmp_path / "ontology"
    target.mkdir()
    prefixes = (
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix ex: <https://example.org/ontology#> .\n"
    )
    (target / "graphsvc.ttl").write_text(
        prefixes + f'<https://example.org/ontology> a owl:Ontology ; dct:title "{title}"@en .\n'
        'ex:Practice a owl:Class ; dct:title "Practice"@en .\n'
    )
    (target / "themes-scheme.ttl").write_text(
        prefixes + 'ex:themes a skos:ConceptScheme ; skos:prefLabel "Themes"@en .\n'
        'ex:youth skos:inScheme ex:themes ; skos:prefLabel "Youth"@en .\n'
    )
    return target


def test_cached_per_content_hash(tmp_path: Path) -> None:
    ontology = small_ontology(tmp_path, "Test ontology of public employment services")
    cache = tmp_path / "cache"
    main = ontology / "graphsvc.ttl"
    body = ontology_docs_html(ontology, cache)
    key = sources_hash(ontology_sources(ontology))
    assert (cache / f"{key}.html").read_bytes() == body
    assert b"<title>Test ontology of public employment services</title>" in body
    # another content: another key; a page already in the disk cache is served from it
    with main.open("a") as handle:
        handle.write("\n# changed\n")
    other = sources_hash(ontology_sources(ontology))
    assert other != key
    (cache / f"{other}.html").write_bytes(b"<p>from the cache</p>")
    assert ontology_docs_html(ontology, cache) == b"<p>from the cache</p>"


def test_unwritable_cache_still_serves(tmp_path: Path) -> None:
    ontology = small_ontology(tmp_path, "An ontology with a content of its own")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    body = ontology_docs_html(ontology, blocker / "cache")
    assert body.startswith(b"<!DOCTYPE html>")
    assert b"An ontology with a content of its own" in body


def test_a_module_that_does_not_parse_is_named(tmp_path: Path) -> None:
    ontology = copy_ontology(tmp_path)
    (ontology / "themes-scheme.ttl").write_text("@prefix ex: <http://ex/> .\nex:a ex:b .\n")
    with pytest.raises(OntologyDocsError, match=r"themes-scheme\.ttl: not readable as Turtle"):
        render_ontology_docs(ontology_sources(ontology))


def test_no_modules_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(OntologyDocsError, match="no ontology modules"):
        ontology_docs_html(tmp_path, None)


def test_make_step_writes_the_page(tmp_path: Path) -> None:
    out = tmp_path / "ontology.html"
    env = {**os.environ, "GRAPHSVC_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "graphsvc.web.make_ontology_docs", "-o", str(out)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    key = sources_hash(ontology_sources(ONTOLOGY_DIR))
    cached = tmp_path / "data" / "ontology-docs" / f"{key}.html"
    assert cached.read_bytes() == out.read_bytes()
    assert b'id="GoodPractice"' in out.read_bytes()


# OWL 2 RL ------------------------------------------------------------------------------------


def owl_rl_graph() -> Graph:
    """An empty graph on rdflib's store without contexts, where owlrl's look-ups (hundreds of
    thousands over a closure) take about a fifth less time than on the default store."""
    return Graph(store="SimpleMemory")


def owl_rl_problems(graph: Graph) -> list[str]:
    """Expand ``graph`` in place under OWL 2 RL; the inconsistencies owlrl found.

    owlrl records each as an ``err:ErrorMessage`` with its text, and leaves the members of
    ``owl:Nothing`` typed so.
    """
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    problems = sorted(str(message) for message in graph.objects(None, ERRNS.error))
    problems += sorted(f"{s} is an owl:Nothing" for s in graph.subjects(RDF.type, OWL.Nothing))
    return problems


@pytest.fixture(scope="module")
def closed(modules: Graph) -> tuple[Graph, list[str]]:
    """The ontology's OWL 2 RL closure, and the problems found in it, computed once.

    The closure is monotone and idempotent, so the closure of this closure with more triples
    is the closure of the ontology with them: the tests below start from it (do not change it).
    """
    graph = owl_rl_graph()
    graph += modules
    return graph, owl_rl_problems(graph)


def closed_copy(closed: tuple[Graph, list[str]]) -> Graph:
    graph = owl_rl_graph()
    graph += closed[0]
    return graph


def test_ontology_is_owl_rl_consistent(closed: tuple[Graph, list[str]], modules: Graph) -> None:
    graph, problems = closed
    assert problems == []
    assert len(graph) > len(modules)  # the closure did run


def test_ontology_and_seeds_are_owl_rl_consistent(closed: tuple[Graph, list[str]]) -> None:
    graph = closed_copy(closed)
    data = Graph()
    for path in sorted(SEEDS_DIR.glob("*.trig")):
        quads = pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.TRIG)
        triples = [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads]
        nt = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
        data.parse(data=nt.decode(), format="nt")
    assert len(set(data.subjects(RDF.type, URIRef(str(PES.GoodPractice))))) >= 31
    graph += data
    before = len(graph)
    assert owl_rl_problems(graph) == []
    assert len(graph) > before  # the closure did run: subclass and domain entailments


PROBLEMS = {
    "ill-typed literal": (
        '<http://example.org/x> <http://purl.org/dc/terms/date> "2020-13-45"^^xsd:date .',
        "does not match its datatype",
    ),
    "member of owl:Nothing": ("<http://example.org/x> a owl:Nothing .", "of type 'Nothing'"),
    "same and different": (
        "<http://example.org/x> owl:sameAs <http://example.org/y> ; "
        "owl:differentFrom <http://example.org/y> .",
        "'sameAs' and 'differentFrom' cannot be used",
    ),
}


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_an_inconsistency_is_found(name: str) -> None:
    """The check above can fail: owlrl reports each kind of inconsistency. Each is one on its
    own, whatever else the graph holds (the closure is monotone), so it is shown on a graph of
    its own rather than on a copy of the ontology's closure, which takes owlrl seconds more."""
    turtle, message = PROBLEMS[name]
    graph = owl_rl_graph()
    graph.parse(
        data="@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n" + turtle,
        format="turtle",
    )
    problems = owl_rl_problems(graph)
    assert any(message in p for p in problems), problems
