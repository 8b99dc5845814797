"""The SHACL pre-screen and pySHACL agree: a load is refused with pySHACL's own report exactly
when pySHACL, given everything, finds a violation.

Each case breaks a small generated dataset in one way; the verdict of
:func:`graphsvc.store.loading.validate_quads` (pre-screen, then pySHACL on the flagged nodes) is
compared with pySHACL on the whole data merged with the ontology.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from graphsvc.errors import ValidationError
from graphsvc.store.loading import ontology_quads, to_rdflib, validate_quads
from graphsvc.store.prescreen import TripleIndex, compile_shapes, compiled_shapes, prescreen
from graphsvc.store.validation import ontology_graph, validate
from graphsvc.synthetic import dataset_quads, generate_dataset
from graphsvc.vocab import DCTERMS, PES, PROV, RDF, SCHEMA, XSD

Mutation = Callable[[list[Quad]], list[Quad]]

TITLE, DATE, SPATIAL, SOURCE = (
    NamedNode(str(p)) for p in (DCTERMS.title, DCTERMS.date, DCTERMS.spatial, DCTERMS.source)
)
ATTRIBUTED, PRESENTED = NamedNode(str(PROV.wasAttributedTo)), NamedNode(str(PES.presentedAt))
NAME, START, TYPE = (
    NamedNode(str(SCHEMA.name)),
    NamedNode(str(SCHEMA.startDate)),
    NamedNode(str(RDF.type)),
)
PRACTICE, EVENT = NamedNode(str(PES.GoodPractice)), NamedNode(str(SCHEMA.Event))


@pytest.fixture(scope="module")
def base() -> list[Quad]:
    return list(dataset_quads(generate_dataset(40, seed=3, pes=8)))


def _first(quads: list[Quad], cls: NamedNode) -> NamedNode:
    return next(q.subject for q in quads if q.predicate == TYPE and q.object == cls)  # type: ignore[return-value]


def _replace(predicate: NamedNode, cls: NamedNode, value: object) -> Mutation:
    def mutate(quads: list[Quad]) -> list[Quad]:
        target = _first(quads, cls)
        out = [q for q in quads if not (q.subject == target and q.predicate == predicate)]
        if value is not None:
            values = value if isinstance(value, list) else [value]
            out += [Quad(target, predicate, v, quads[0].graph_name) for v in values]
        return out

    return mutate


def _rename_practice(quads: list[Quad]) -> list[Quad]:
    old = _first(quads, PRACTICE)
    new = NamedNode("https://w3id.org/graphsvc/id/practice/Not_A_Slug")
    swap = {old: new}
    return [
        Quad(
            swap.get(q.subject, q.subject), q.predicate, swap.get(q.object, q.object), q.graph_name
        )
        for q in quads
    ]  # type: ignore[arg-type]


def _blank_source(quads: list[Quad]) -> list[Quad]:
    return _replace(SOURCE, PRACTICE, BlankNode())(quads)


COUNTRY = NamedNode("http://publications.europa.eu/resource/authority/country/SWE")
CASES: dict[str, Mutation] = {
    "intact": lambda quads: quads,
    "no title": _replace(TITLE, PRACTICE, None),
    "title only in French": _replace(TITLE, PRACTICE, Literal("Titre", language="fr")),
    "two English titles": _replace(
        TITLE, PRACTICE, [Literal("A", language="en"), Literal("B", language="EN")]
    ),
    "title without language": _replace(
        TITLE, PRACTICE, [Literal("A", language="en"), Literal("B")]
    ),
    "impossible date": _replace(
        DATE, PRACTICE, Literal("2021-02-30", datatype=NamedNode(str(XSD.date)))
    ),
    "five-digit year": _replace(
        DATE, PRACTICE, Literal("20211", datatype=NamedNode(str(XSD.gYear)))
    ),
    "date as a string": _replace(DATE, PRACTICE, Literal("2021")),
    "two dates": _replace(
        DATE,
        PRACTICE,
        [
            Literal("2021", datatype=NamedNode(str(XSD.gYear))),
            Literal("2020", datatype=NamedNode(str(XSD.gYear))),
        ],
    ),
    "country not a country": _replace(SPATIAL, PRACTICE, NamedNode("https://example.org/atlantis")),
    "country as text": _replace(SPATIAL, PRACTICE, Literal("Sweden")),
    "source as text": _replace(SOURCE, PRACTICE, Literal("a web page")),
    "source a blank node": _blank_source,
    "attributed to a country": _replace(ATTRIBUTED, PRACTICE, COUNTRY),
    "presented at a country": _replace(PRESENTED, PRACTICE, COUNTRY),
    "practice IRI not a slug": _rename_practice,
    "event without a name": _replace(NAME, EVENT, None),
    "event start as dateTime": _replace(
        START, EVENT, Literal("2021-01-01T10:00:00", datatype=NamedNode(str(XSD.dateTime)))
    ),
    "event start in 2021-1": _replace(
        START, EVENT, Literal("2021-1", datatype=NamedNode(str(XSD.gYearMonth)))
    ),
}


def _text(violation: object) -> str:
    """A violation as text, blank node labels left out (each parse draws new ones)."""
    return re.sub(r"_:[A-Za-z0-9]+", "_:b", str(violation))


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_prescreened_verdict_is_pyshacls(case: str, base: list[Quad]) -> None:
    quads = CASES[case](list(base))
    full = validate(to_rdflib(quads), ontology=ontology_graph())
    expected = {_text(v) for v in full.errors}
    try:
        validate_quads(quads, "data")
    except ValidationError as exc:
        found = {_text(v) for v in exc.violations}
    else:
        found = set()
    assert found == expected
    assert (case == "intact") == (not expected)


def test_conforming_data_flags_nothing(base: list[Quad]) -> None:
    index = TripleIndex([*base, *ontology_quads()])
    result = prescreen(index, {q.subject for q in base})
    assert not result.needs_full
    assert result.flagged == frozenset()


SKOS = "http://www.w3.org/2004/02/skos/core#"
EX = "https://example.org/"


def _scheme(*broader: tuple[str, str]) -> list[Quad]:
    """A concept scheme of example.org with the given ``(concept, parent)`` links."""
    scheme = NamedNode(EX + "scheme")
    quads = [
        Quad(scheme, TYPE, NamedNode(SKOS + "ConceptScheme")),
        Quad(scheme, NamedNode(str(DCTERMS.title)), Literal("Scheme", language="en")),
    ]
    for concept, parent in broader:
        for node in (concept, parent):
            quads.append(Quad(NamedNode(EX + node), NamedNode(SKOS + "inScheme"), scheme))
        quads.append(
            Quad(NamedNode(EX + concept), NamedNode(SKOS + "broader"), NamedNode(EX + parent))
        )
    return quads


@pytest.mark.parametrize(
    ("broader", "cycle"),
    [
        ((("b", "a"), ("c", "b")), False),
        ((("b", "a"), ("c", "b"), ("a", "c")), True),
        ((("a", "a"),), True),
    ],
)
def test_the_sparql_constraint_is_run_by_the_prescreen(
    broader: tuple[tuple[str, str], ...], cycle: bool
) -> None:
    """The concept schemes' acyclicity (``sh:sparql``) is checked without pySHACL: a cycle asks
    for a full validation, whose report is pySHACL's on everything; none clears the scheme."""
    quads = _scheme(*broader)
    focus = {q.subject for q in quads if isinstance(q.subject, NamedNode)}
    result = prescreen(TripleIndex([*quads, *ontology_quads()]), focus)
    assert result.needs_full == cycle
    assert result.flagged == frozenset()
    if cycle:
        assert result.reason is not None and "SchemeAcyclicShape: sh:sparql found" in result.reason
    expected = {_text(v) for v in validate(to_rdflib(quads), ontology=ontology_graph()).errors}
    assert bool(expected) == cycle
    try:
        validate_quads(quads, "data")
    except ValidationError as exc:
        assert {_text(v) for v in exc.violations} == expected
        assert all("form a cycle" in v.message for v in exc.violations)
    else:
        assert not expected


def test_the_seeds_need_no_pyshacl() -> None:
    """Every shape the ontology and seeds meet, the SPARQL one too, is evaluated by the
    pre-screen, which clears them all."""
    from graphsvc.settings import PROJECT_ROOT
    from graphsvc.store.loading import check_files, ontology_and_seed_targets

    targets = ontology_and_seed_targets(PROJECT_ROOT / "ontology", PROJECT_ROOT / "seeds")
    quads = check_files(targets, validate=False)
    focus = {q.subject for q in quads if isinstance(q.subject, NamedNode | BlankNode)}
    result = prescreen(TripleIndex([*quads, *ontology_quads()]), focus)
    assert (result.needs_full, result.flagged) == (False, frozenset())


UNSUPPORTED = {
    "sh:not": "sh:not [ sh:class ex:Other ]",
    "a SPARQL group in a group": """sh:sparql [ sh:select \"\"\"
        SELECT $this WHERE { OPTIONAL { $this ex:p ?o } FILTER(!BOUND(?o)) }\"\"\" ]""",
    "a SPARQL aggregate": """sh:sparql [ sh:select \"\"\"
        SELECT $this (COUNT(?o) AS ?n) WHERE { $this ex:p ?o }\"\"\" ]""",
    "a SPARQL solution modifier": """sh:sparql [ sh:select \"\"\"
        SELECT $this WHERE { $this ex:p ?o } LIMIT 1\"\"\" ]""",
    "another pre-bound variable": """sh:sparql [ sh:select \"\"\"
        SELECT $this WHERE { $this ex:p $currentShape }\"\"\" ]""",
}


@pytest.mark.parametrize("construct", sorted(UNSUPPORTED))
def test_a_shape_it_cannot_evaluate_asks_for_full_validation(construct: str) -> None:
    from rdflib import Graph

    shapes = compile_shapes(
        Graph().parse(
            data="@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
            f"@prefix ex: <{EX}> .\n"
            f"ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ; {UNSUPPORTED[construct]} .\n",
            format="turtle",
        )
    )
    node = NamedNode(EX + "x")
    result = prescreen(TripleIndex([Quad(node, TYPE, NamedNode(EX + "Thing"))]), {node}, shapes)
    assert result.needs_full
    assert result.reason is not None and result.reason.startswith(f"{EX}Shape: sh:")


def test_every_shape_is_evaluated() -> None:
    assert {s.name: s.problem() for s in compiled_shapes() if s.problem()} == {}
    [acyclic] = [s for s in compiled_shapes() if s.selects]
    assert acyclic.name.endswith("#SchemeAcyclicShape")


def test_a_resource_is_judged_with_the_stored_links_to_it() -> None:
    """A participation reloaded alone is linked from its stored event (an inverse path)."""
    from graphsvc.settings import PROJECT_ROOT
    from graphsvc.store import OxigraphStore
    from graphsvc.store.base import Changeset
    from graphsvc.store.loading import load_ontology_and_seeds

    store = OxigraphStore(None)
    load_ontology_and_seeds(store, PROJECT_ROOT / "ontology", PROJECT_ROOT / "seeds")
    participation = NamedNode(
        "https://w3id.org/graphsvc/id/event/wapes-conference-youth-migration-yaounde-2019/participation/cmr-fne"
    )
    own = list(store.quads(participation))
    assert own and next(store.quads(None, None, participation), None) is not None
    store.apply(Changeset(remove=own))
    validate_quads(own, "participation.ttl", store)  # conforms: no ValidationError
    unlinked = OxigraphStore(None)
    with pytest.raises(ValidationError) as refused:
        validate_quads(own, "participation.ttl", unlinked)  # no event links to it there
    assert any("linked from its event" in v.message for v in refused.value.violations)
