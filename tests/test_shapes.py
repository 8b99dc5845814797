"""SHACL shapes and the validation module.

Each shape has a pair of fixtures in ``tests/fixtures/shapes/``: ``<shape>-valid.ttl`` must
conform without a single result, ``<shape>-invalid.ttl`` must give exactly the results listed in
:data:`EXPECTED` (focus node, path, and a fragment of the message).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from graphsvc.store.validation import (
    ValidationReport,
    Violation,
    load_shapes,
    ontology_dir,
    ontology_files,
    ontology_graph,
    validate,
)
from graphsvc.vocab import (
    CV,
    DCTERMS,
    EU_COUNTRY,
    FOAF,
    GRAPH,
    ID,
    ORG,
    PES,
    PROV,
    RDF,
    SCHEMA,
    SH,
    SKOS,
    XSD,
)

SHAPE_FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
SHAPE_NAMES = sorted({p.name.rsplit("-", 1)[0] for p in SHAPE_FIXTURES.glob("*.ttl")})


def inverse(predicate: URIRef) -> str:
    return f"^<{predicate}>"


# (focus node, path or None, fragment of the message); every result of the fixture is listed.
Expected = tuple[str, str | None, str]
EXPECTED: dict[str, list[Expected]] = {
    "practice": [
        (ID["practice/example-broken"], DCTERMS.title, "needs an English title"),
        (ID["practice/example-broken"], DCTERMS.subject, "needs at least one theme"),
        (ID["practice/example-broken"], DCTERMS.date, "needs exactly one dct:date"),
        (ID["practice/example-broken"], DCTERMS.spatial, "needs exactly one country"),
        (ID["practice/example-broken"], PROV.wasAttributedTo, "the PES that developed it"),
        ("https://example.org/practice/Not_Minted", None, "IRI must have the form id:practice/"),
    ],
    "pes": [
        (ID["pes/swe-broken"], SKOS.prefLabel, "A PES needs a name"),
        (ID["pes/swe-broken"], SKOS.prefLabel, "should have an English name"),
        (ID["pes/swe-broken"], FOAF.homepage, "must be the IRI of the PES website"),
        (ID["pes/swe-broken"], DCTERMS.spatial, "A PES needs exactly one country"),
        (ID["pes/swe-broken"], ORG.memberOf, "must point to a network"),
        (ID["pes/example"], None, "id:pes/<iso3>-<short-name>"),
    ],
    "membership": [
        (ID["membership/example-network/broken"], ORG.member, "exactly one org:member"),
        (ID["membership/example-network/broken"], ORG.organization, "exactly one org:organization"),
        (ID["membership/example-network/broken"], ORG.role, "a role of the role scheme"),
        (ID["membership/example-network/broken/start"], None, "time:Instant needs its position"),
    ],
    "event": [
        (ID["event/example-broken"], SCHEMA.name, "needs an English name"),
        (ID["event/example-broken"], DCTERMS.type, "An event needs its type"),
        (ID["event/example-broken"], SCHEMA.startDate, "schema:startDate of an event must be"),
        (ID["event/example-broken"], SCHEMA.location, "must be a schema:Place"),
        (ID["event/example-broken/host"], CV.role, "exactly one cv:role"),
        (ID["event/example-broken/host"], inverse(CV.playsRole), "the agent who takes part"),
    ],
    "theme": [
        (ID["theme/example-orphan"], None, "needs a place in the hierarchy"),
        (ID["theme/example-orphan"], SKOS.prefLabel, "at most one per language"),
        (ID["theme/example-orphan"], SKOS.notation, "exactly one skos:notation"),
        (ID["theme/example-orphan"], SKOS.inScheme, "skos:inScheme pes:themeScheme"),
        # The cycle check runs once per scheme: the scheme is the focus, the message names the theme.
        (PES.themeScheme, SKOS.broader, f"links of {ID['theme/example-loop-a']} form a cycle"),
        (PES.themeScheme, SKOS.broader, f"links of {ID['theme/example-loop-b']} form a cycle"),
    ],
    "activity": [
        (ID["activity/example-2022/broken"], DCTERMS.title, "needs an English title"),
        (ID["activity/example-2022/broken"], DCTERMS.title, "needs a language tag"),
        (ID["activity/example-2022/broken"], PES.cluster, "exactly one pes:cluster"),
        (ID["activity/example-2022/broken"], PES.activityFormat, "activity format scheme"),
        (ID["activity/example-2022/broken"], PES.workProgramme, "exactly one pes:workProgramme"),
    ],
    "project": [
        (ID["project/example-broken"], SCHEMA.name, "A project needs a name"),
        (ID["project/example-broken/phase/1"], SCHEMA.position, "phase needs exactly one"),
        (ID["project/example-broken/phase/1"], inverse(PES.phase), "linked from exactly one"),
        (ID["project/example-broken/step/1"], SCHEMA.position, "step needs exactly one"),
        (
            ID["project/example-broken/achievement/orphan"],
            inverse(PES.achievement),
            "linked from a project phase",
        ),
    ],
    "network": [
        (ID["network/example-broken"], PES.mission, "must point to a pes:Mission"),
        (ID["network/example-broken"], PES.vision, "text with a language tag"),
        (ID["network/example-broken"], PES.legalBasis, "IRI of the legal act"),
        (ID["network/example-broken"], DCTERMS.created, "xsd:date, xsd:gYearMonth or xsd:gYear"),
        (ID["mission/example-broken/orphan"], PES.statement, "at least one pes:statement"),
        (ID["mission/example-broken/orphan"], inverse(PES.mission), "belong to an organisation"),
    ],
    "country": [
        (EU_COUNTRY.VCT, SKOS.notation, "ISO 3166-1 alpha-3"),
        (EU_COUNTRY.VCT, PES.region, "one WAPES region"),
        ("https://example.org/country/sweden", None, "EU authority table IRI"),
    ],
    "change-record": [
        (ID["change/0d3c5a6e-0000-4000-8000-000000000002"], PROV.wasAssociatedWith, "agent"),
        (ID["change/0d3c5a6e-0000-4000-8000-000000000002"], PROV.startedAtTime, "xsd:dateTime"),
        (ID["change/0d3c5a6e-0000-4000-8000-000000000002"], DCTERMS.description, "what changed"),
        (ID["change/0d3c5a6e-0000-4000-8000-000000000002"], None, "prov:used, prov:generated or"),
        (
            ID["change/0d3c5a6e-0000-4000-8000-000000000005"],
            PES.changedProperty,
            "IRI of a property",
        ),
    ],
    "feedback": [
        (ID["feedback/0d3c5a6e00000002"], PES.feedbackOn, "the practice it judges"),
        (ID["feedback/0d3c5a6e00000002"], PES.verdict, '"useful" or "not-relevant"'),
        (ID["feedback/0d3c5a6e00000002"], PROV.wasAttributedTo, "the PES that gave it"),
        (ID["feedback/0d3c5a6e00000002"], DCTERMS.created, "xsd:dateTime"),
        (ID["feedback/0d3c5a6e00000002"], PROV.wasGeneratedBy, "the change record"),
        (ID["feedback/0d3c5a6e00000003"], PES.feedbackOn, "exactly one pes:feedbackOn"),
    ],
    "source-document": [
        (ID["source/998"], DCTERMS.language, "needs its language"),
        (ID["source/998"], DCTERMS.identifier, "its file name"),
        (ID["agent/example-agent"], DCTERMS.source, "dct:source must be an IRI"),
        (ID["agent/example-agent"], PES.confidence, '"unverified"'),
    ],
}


def parse_fixture(name: str) -> Graph:
    return Graph().parse(SHAPE_FIXTURES / name, format="turtle")


def test_every_shape_fixture_has_a_pair_and_expectations() -> None:
    for name in SHAPE_NAMES:
        assert (SHAPE_FIXTURES / f"{name}-valid.ttl").is_file()
        assert (SHAPE_FIXTURES / f"{name}-invalid.ttl").is_file()
    assert sorted(EXPECTED) == SHAPE_NAMES
    required = {"practice", "pes", "membership", "event", "theme", "activity", "project", "network"}
    assert required <= set(SHAPE_NAMES)


@pytest.mark.parametrize("name", SHAPE_NAMES)
def test_valid_fixture_conforms_without_results(name: str) -> None:
    report = validate(parse_fixture(f"{name}-valid.ttl"))
    assert report.conforms, str(report)
    assert report.violations == (), str(report)


@pytest.mark.parametrize("name", SHAPE_NAMES)
def test_invalid_fixture_gives_the_expected_results(name: str) -> None:
    report = validate(parse_fixture(f"{name}-invalid.ttl"))
    assert not report.conforms
    unmatched = list(report.violations)
    for focus, path, fragment in EXPECTED[name]:
        hits = [
            v
            for v in unmatched
            if v.focus_node == str(focus)
            and v.path == (None if path is None else str(path))
            and fragment in v.message
        ]
        assert len(hits) == 1, f"expected one result {focus} {path} {fragment!r} in\n{report}"
        unmatched.remove(hits[0])
    assert unmatched == [], f"unexpected results:\n{report}"


def ontology_copy() -> Graph:
    """The ontology in a graph of its own: :func:`validate` then runs every shape."""
    copy = Graph()
    for triple in ontology_graph():
        copy.add(triple)
    return copy


def test_shapes_left_out_change_no_result() -> None:
    """Against the cached ontology, shapes whose look-ups the data cannot change are not run
    again; the report is the one of a run of every shape, for data beside the ontology, data
    that adds concepts (the concept shapes run again), and data that changes ontology concepts
    (a label without a language, a cycle of skos:broader found by a SPARQL constraint)."""
    from graphsvc.store.validation import _ontology_baseline

    assert _ontology_baseline() is not None  # the ontology alone gives no result: shapes can go
    themes = sorted(ontology_graph().subjects(RDF.type, PES.Theme), key=str)[:2]
    country = EU_COUNTRY["AUT"]
    changed = Graph()
    changed.add((themes[0], SKOS.broader, themes[1]))
    changed.add((themes[1], SKOS.broader, themes[0]))
    changed.add((country, SKOS.prefLabel, Literal("Austria")))
    cases = [
        parse_fixture("practice-valid.ttl"),
        parse_fixture("practice-invalid.ttl"),
        parse_fixture("theme-invalid.ttl"),
        parse_fixture("country-invalid.ttl"),
        changed,
    ]
    full = ontology_copy()
    reports = [validate(data) for data in cases]
    for data, report in zip(cases, reports, strict=True):
        assert report == validate(data, ontology=full)
    report = reports[-1]  # of changed
    assert {(v.focus_node, v.path) for v in report.errors} == {
        (str(country), str(SKOS.prefLabel)),
        (str(PES.themeScheme), str(SKOS.broader)),
    }


def test_ontology_modules_conform_on_their_own() -> None:
    report = validate(Graph())
    assert report == ValidationReport(conforms=True, violations=())
    assert str(report) == "conforms"


def test_warnings_are_reported_but_keep_conformance() -> None:
    data = Graph()
    pes = ID["pes/swe-example"]
    data.add((pes, RDF.type, PES.PublicEmploymentService))
    data.add((pes, SKOS.prefLabel, Literal("Exempelförmedlingen", lang="sv")))
    data.add((pes, DCTERMS.spatial, EU_COUNTRY.SWE))
    report = validate(data)
    assert report.conforms
    assert {(v.severity, v.path) for v in report.violations} == {
        ("Warning", str(SKOS.prefLabel)),
        ("Warning", str(DCTERMS.source)),
    }
    assert report.errors == ()
    assert str(report).startswith("conforms, with warnings")


def test_violation_text_names_focus_path_and_message() -> None:
    report = validate(parse_fixture("practice-invalid.ttl"))
    title = next(v for v in report.violations if v.path == str(DCTERMS.title))
    assert str(title) == (
        "<https://w3id.org/graphsvc/id/practice/example-broken> dct:title: "
        "A good practice needs an English title (dct:title with @en)"
    )
    assert title.severity == "Violation"
    assert title.shape == "https://w3id.org/graphsvc/shapes#GoodPracticeShape"
    date = next(v for v in report.violations if v.path == str(DCTERMS.date))
    assert date.value == '"2014"'
    assert str(date).endswith('(value: "2014")')


def test_inverse_paths_are_compacted_in_the_text() -> None:
    report = validate(parse_fixture("event-invalid.ttl"))
    agent = next(v for v in report.violations if v.path == inverse(CV.playsRole))
    assert str(agent).startswith(
        "<https://w3id.org/graphsvc/id/event/example-broken/host> ^cv:playsRole: "
    )


def test_warning_text_carries_its_severity() -> None:
    violation = Violation(
        focus_node="_:b0", path=None, message="Check this.", severity="Warning", value=None
    )
    assert str(violation) == "[Warning] _:b0: Check this"


def test_dataset_is_validated_as_the_union_of_its_graphs() -> None:
    practice = parse_fixture("practice-valid.ttl")
    pes = ID["pes/fin-example"]
    dataset = Dataset()
    practice_graph = dataset.graph(GRAPH["reference/practices"])
    pes_graph = dataset.graph(GRAPH["reference/pes"])
    for triple in practice:
        (pes_graph if triple[0] == pes else practice_graph).add(triple)
    assert validate(dataset).conforms
    # Without the PES graph the attribution points to an untyped node.
    dataset.remove_graph(pes_graph)
    report = validate(dataset)
    assert [v.path for v in report.errors] == [str(PROV.wasAttributedTo)]


def test_ontology_argument_replaces_the_packaged_ontology() -> None:
    data = parse_fixture("practice-valid.ttl")
    report = validate(data, ontology=Graph())
    paths = {v.path for v in report.errors}
    # Without the ontology, themes, countries and target groups are untyped.
    assert paths == {str(DCTERMS.subject), str(DCTERMS.spatial), str(DCTERMS.audience)}


def test_validation_leaves_its_inputs_unchanged() -> None:
    data = parse_fixture("practice-invalid.ttl")
    before = len(data)
    ontology_size = len(ontology_graph())
    validate(data)
    assert len(data) == before
    assert len(ontology_graph()) == ontology_size


def test_an_ill_typed_date_is_a_violation() -> None:
    data = parse_fixture("practice-valid.ttl")
    practice = ID["practice/example-one-stop-guidance"]
    data.set((practice, DCTERMS.date, Literal("2014-13-45", datatype=XSD.date)))
    report = validate(data)
    assert [(v.focus_node, v.path) for v in report.errors] == [(str(practice), str(DCTERMS.date))]


def test_shapes_and_ontology_are_cached_and_found_in_the_checkout() -> None:
    assert load_shapes() is load_shapes()
    assert ontology_graph() is ontology_graph()
    assert ontology_dir() == Path(__file__).resolve().parents[1] / "ontology"
    names = {p.name for p in ontology_files()}
    assert "shapes.ttl" not in names
    assert {"graphsvc.ttl", "themes-scheme.ttl", "countries.ttl"} <= names


DATA_MODEL_CLASSES = [
    PES.PublicEmploymentService,
    PES.Network,
    PES.Mission,
    ORG.Membership,
    PES.WapesRegion,
    PES.Country,
    PES.GoodPractice,
    PES.Theme,
    PES.TargetGroup,
    PES.EventType,
    SCHEMA.Event,
    PES.Project,
    PES.ProjectPhase,
    PES.ProjectStep,
    PES.Achievement,
    PES.WorkProgramme,
    PES.WorkProgrammeCluster,
    PES.Activity,
    PES.ActivityFormat,
    ORG.Role,
    PES.SourceDocument,
    PROV.Activity,
]


@pytest.mark.parametrize("cls", DATA_MODEL_CLASSES, ids=lambda c: str(c).rsplit("#", 1)[-1])
def test_every_class_of_the_data_model_has_a_node_shape(cls: URIRef) -> None:
    assert (None, SH.targetClass, cls) in load_shapes()


def test_every_constraint_carries_a_message() -> None:
    shapes = load_shapes()
    constraint_shapes = set(shapes.objects(None, SH.property))
    constraint_shapes |= {
        s
        for s in shapes.subjects(RDF.type, SH.NodeShape)
        if any((s, p, None) in shapes for p in (SH["or"], SH.pattern, SH.nodeKind, SH.sparql))
        and s not in {URIRef("https://w3id.org/graphsvc/shapes#" + n) for n in ("Text", "DateLike")}
    }
    assert constraint_shapes
    missing = sorted(
        str(s)
        for s in constraint_shapes
        if (s, SH.message, None) not in shapes
        and not any((c, SH.message, None) in shapes for c in shapes.objects(s, SH.sparql))
    )
    assert missing == []
