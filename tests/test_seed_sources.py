"""The seed graphs of the five source documents: structure, provenance and a sample of facts.

Each ``seeds/source-00N-*.trig`` holds exactly the named graph ``graph/source/00N``; every resource
described there says it comes from ``id:source/00N``; the facts are checked with SPARQL on a
pyoxigraph store holding the five files, and the whole seed set against the SHACL shapes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from graphsvc.settings import PROJECT_ROOT
from graphsvc.store.validation import ontology_graph, validate

SEEDS = PROJECT_ROOT / "seeds"
ID = "https://w3id.org/graphsvc/id/"
GRAPH = "https://w3id.org/graphsvc/graph/source/"

SOURCES: dict[str, str] = {
    "000": "source-000-wapes-missions.trig",
    "001": "source-001-pes-network-mission.trig",
    "002": "source-002-organisational-learning-workshop.trig",
    "003": "source-003-japan-wapes-joint-project.trig",
    "004": "source-004-pes-network-work-programme-2022.trig",
}

PREFIXES = """
PREFIX id: <https://w3id.org/graphsvc/id/>
PREFIX pes: <https://w3id.org/graphsvc/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX cv: <http://data.europa.eu/m8g/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

# Concept schemes every referenced concept must be declared in (ontology/*.ttl).
CONCEPT_PREFIXES = (
    ID + "theme/",
    ID + "activity-format/",
    ID + "role/",
    ID + "event-type/",
    ID + "target-group/",
    ID + "region/",
    "http://publications.europa.eu/resource/authority/country/",
)


def _path(number: str) -> Path:
    return SEEDS / SOURCES[number]


def triples(*paths: Path) -> Graph:
    """The triples of TriG files, all graphs merged, as an rdflib graph (for SHACL and lookups)."""
    graph = Graph()
    for path in paths:
        quads = ox.parse(path=path, format=ox.RdfFormat.TRIG)
        plain = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        data = ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES)
        if data:
            graph.parse(data=data.decode(), format="nt")
    return graph


@pytest.fixture(scope="module")
def store() -> Iterator[ox.Store]:
    """An in-memory store with the five source graphs, queried with the union as default graph."""
    store = ox.Store()
    for name in SOURCES.values():
        store.load(path=SEEDS / name, format=ox.RdfFormat.TRIG)
    yield store


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    """The solutions of a SELECT over the union of the graphs, each value as its plain text."""
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    variables = result.variables
    out: list[tuple[str, ...]] = []
    for solution in result:
        values: list[str] = []
        for variable in variables:
            term = solution[variable]
            values.append("" if term is None else term.value)
        out.append(tuple(values))
    return out


def pairs(store: ox.Store, query: str) -> dict[str, str]:
    """The solutions of a SELECT of two variables, as a mapping from the first to the second."""
    return {row[0]: row[1] for row in rows(store, query)}


def values(store: ox.Store, query: str) -> set[str]:
    """The values of the single variable of a SELECT."""
    return {row[0] for row in rows(store, query)}


def ask(store: ox.Store, query: str) -> bool:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


# --- structure and provenance -------------------------------------------------------------------


@pytest.mark.parametrize("number", sorted(SOURCES))
def test_file_holds_exactly_its_named_graph(number: str) -> None:
    quads = list(ox.parse(path=_path(number), format=ox.RdfFormat.TRIG))
    assert quads, f"{SOURCES[number]} is empty"
    graphs = {q.graph_name for q in quads}
    assert graphs == {ox.NamedNode(GRAPH + number)}


@pytest.mark.parametrize("number", sorted(SOURCES))
def test_every_subject_names_its_source_document(number: str) -> None:
    quads = list(ox.parse(path=_path(number), format=ox.RdfFormat.TRIG))
    source = ox.NamedNode(ID + "source/" + number)
    subjects = {q.subject for q in quads}
    assert all(isinstance(s, ox.NamedNode) for s in subjects), "blank nodes cannot carry a source"
    sourced = {q.subject for q in quads if q.predicate.value.endswith("/terms/source")}
    assert subjects - sourced == set()
    # ...and the source is this document, not another one.
    for q in quads:
        if q.predicate.value == "http://purl.org/dc/terms/source":
            assert q.object == source, f"{q.subject} names {q.object} in graph {number}"


@pytest.mark.parametrize("number", sorted(SOURCES))
def test_source_document_is_described(store: ox.Store, number: str) -> None:
    found = rows(
        store,
        f"""SELECT ?title ?identifier ?language WHERE {{
            id:source\\/{number} a pes:SourceDocument, foaf:Document ;
                dct:title ?title ; dct:identifier ?identifier ; dct:language ?language . }}""",
    )
    assert found, f"id:source/{number} is not described"
    identifiers = {identifier for _title, identifier, _language in found}
    assert len(identifiers) == 1
    assert re.fullmatch(number + r"_[0-9a-f]{16}\.txt", identifiers.pop())


@pytest.mark.parametrize("number", sorted(SOURCES))
def test_referenced_concepts_are_declared_in_the_ontology(number: str) -> None:
    ontology = ontology_graph()
    missing = {
        str(o)
        for _s, _p, o in triples(_path(number))
        if isinstance(o, URIRef)
        and str(o).startswith(CONCEPT_PREFIXES)
        and (o, RDF.type, None) not in ontology
    }
    assert missing == set()


def test_source_resources_conform_within_the_seed_set() -> None:
    """Validated with every seed file (the reference files name the PES the documents only cite),
    no resource described in a source graph is the focus of a violation."""
    ours = {str(s) for s in triples(*(_path(n) for n in SOURCES)).subjects()}
    report = validate(triples(*sorted(SEEDS.glob("*.trig"))))
    errors = [str(v) for v in report.errors if v.focus_node in ours]
    assert errors == []


# --- 000 WAPES missions -------------------------------------------------------------------------


def test_wapes_missions_and_their_statements(store: ox.Store) -> None:
    counts = pairs(
        store,
        """SELECT ?label (COUNT(?statement) AS ?n) WHERE {
            GRAPH <https://w3id.org/graphsvc/graph/source/000> {
                id:network\\/wapes pes:mission ?m . ?m skos:prefLabel ?label ; pes:statement ?statement .
            } } GROUP BY ?label""",
    )
    assert counts == {
        "WAPES mission": "1",
        "Knowledge hub": "5",
        "Network hub": "3",
        "Change promoter": "4",
    }
    themes = values(
        store,
        """SELECT ?t WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/000> {
            id:source\\/000 dct:subject ?t } }""",
    )
    for slug in (
        "benchlearning",
        "knowledge-sharing",
        "labour-market-information",
        "communication-and-visibility",
        "advocacy",
        "capacity-building",
    ):
        assert ID + "theme/" + slug in themes


# --- 001 European PES Network (Swedish) --------------------------------------------------------


def test_pes_network_has_31_members_as_memberships(store: ox.Store) -> None:
    members = values(
        store,
        """SELECT ?member WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/001> {
            ?m a org:Membership ; org:organization id:network\\/eu-pes-network ;
               org:role id:role\\/member ; org:member ?member .
            ?member org:memberOf id:network\\/eu-pes-network . } }""",
    )
    assert len(members) == 34  # 33 PES (Belgium has four) and the European Commission
    assert ID + "agent/european-commission" in members
    pes = {m.removeprefix(ID + "pes/") for m in members if m.startswith(ID + "pes/")}
    assert len([p for p in pes if p.startswith("bel-")]) == 4
    countries = {p[:3] for p in pes}
    assert {"nor", "isl", "lie"} <= countries
    # 27 Member States + Norway, Iceland, Liechtenstein, and the Commission: 31 members.
    assert len(countries) + 1 == 31


def test_pes_network_swedish_text_beside_english(store: ox.Store) -> None:
    found = rows(
        store,
        """SELECT ?sv ?en ?basis WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/001> {
            id:network\\/eu-pes-network skos:prefLabel ?sv, ?en ; pes:legalBasis ?basis .
            FILTER(lang(?sv) = "sv" && lang(?en) = "en") } }""",
    )
    assert found == [
        (
            "Det europeiska nätverket för offentliga anställningstjänster",
            "European Network of Public Employment Services",
            "http://data.europa.eu/eli/dec/2014/573/oj",
        )
    ]
    by_language = pairs(
        store,
        """SELECT ?lang (COUNT(?s) AS ?n) WHERE {
            GRAPH <https://w3id.org/graphsvc/graph/source/001> {
                id:network\\/eu-pes-network pes:mission/pes:statement ?s } BIND(lang(?s) AS ?lang)
            } GROUP BY ?lang""",
    )
    # the purpose, its four bullets, the "to achieve our goals" lead-in and three "we" statements
    assert by_language == {"sv": "9", "en": "9"}
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/graphsvc/graph/source/001> {
            id:network\\/eu-pes-network pes:mission/pes:statement ?s ; pes:vision ?v .
            FILTER(lang(?s) = "sv" && CONTAINS(?s, "ungdomsgarantin") && lang(?v) = "sv") } }""",
    )
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/graphsvc/graph/source/001> {
            id:agent\\/hopes skos:altLabel "HoPES" ; dct:created "1997"^^xsd:gYear ;
                dct:creator id:agent\\/european-commission . } }""",
    )


# --- 002 Organisational learning workshop ------------------------------------------------------


def test_workshop_dates_hosts_and_moderator(store: ox.Store) -> None:
    found = rows(
        store,
        """SELECT ?start ?end ?type ?phone ?fax WHERE {
            GRAPH <https://w3id.org/graphsvc/graph/source/002> {
                id:event\\/organisational-learning-workshop-2019 schema:startDate ?start ;
                    schema:endDate ?end ; dct:type ?type ; schema:location ?place .
                ?place schema:telephone ?phone ; schema:faxNumber ?fax . } }""",
    )
    assert found == [
        (
            "2019-12-05",
            "2019-12-06",
            ID + "event-type/workshop",
            "+46 771 60 00 00",
            "+46 10 486 01 00",
        )
    ]
    roles = rows(
        store,
        """SELECT ?agent ?role WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/002> {
            id:event\\/organisational-learning-workshop-2019 cv:hasParticipation ?p .
            ?p cv:role ?role . ?agent cv:playsRole ?p . } }""",
    )
    assert set(roles) == {
        (ID + "network/wapes", ID + "role/host"),
        (ID + "pes/nor-nav", ID + "role/host"),
        (ID + "pes/swe-arbetsformedlingen", ID + "role/host"),
        (ID + "pes/swe-arbetsformedlingen", ID + "role/moderator"),
    }


def test_workshop_topics_objectives_and_results(store: ox.Store) -> None:
    counts = rows(
        store,
        """SELECT (COUNT(DISTINCT ?t) AS ?topics) (COUNT(DISTINCT ?o) AS ?objectives)
                  (COUNT(DISTINCT ?r) AS ?results) WHERE {
            GRAPH <https://w3id.org/graphsvc/graph/source/002> {
                id:event\\/organisational-learning-workshop-2019 pes:topic ?t ;
                    pes:objective ?o ; pes:expectedResult ?r . } }""",
    )
    assert counts == [("4", "2", "5")]
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/graphsvc/graph/source/002> {
            id:event\\/organisational-learning-workshop-2019
                dct:subject id:theme\\/organisational-learning .
            id:pes\\/swe-arbetsformedlingen skos:prefLabel "Arbetsförmedlingen"@sv . } }""",
    )


# --- 003 JAPAN-WAPES Joint Project -------------------------------------------------------------


def test_project_steps_in_order(store: ox.Store) -> None:
    steps = rows(
        store,
        """SELECT ?position ?name WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/003> {
            id:project\\/japan-wapes-joint-project pes:step ?s .
            ?s a pes:ProjectStep ; schema:position ?position ; schema:name ?name . } }
            ORDER BY ?position""",
    )
    assert steps == [
        ("1", "Fact finding"),
        ("2", "Planning"),
        ("3", "Acting"),
        ("4", "Observing"),
        ("5", "Reflecting"),
    ]


def test_project_phase_one_and_its_achievements(store: ox.Store) -> None:
    achievements = rows(
        store,
        """SELECT ?start ?end ?name WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/003> {
            id:project\\/japan-wapes-joint-project pes:phase ?phase .
            ?phase schema:position 1 ; schema:startDate ?start ; schema:endDate ?end ;
                pes:achievement ?a . ?a schema:position ?position ; schema:name ?name . } }
            ORDER BY ?position""",
    )
    assert achievements == [
        ("2019", "2021", "Kick-Off Meeting"),
        ("2019", "2021", "Study Visit"),
        ("2019", "2021", "Online Meetings"),
        ("2019", "2021", "Planning of the Consultation Conference"),
    ]


def test_project_partners_and_roles(store: ox.Store) -> None:
    partners = set(
        rows(
            store,
            """SELECT ?member ?role WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/003> {
                ?m org:organization id:project\\/japan-wapes-joint-project ;
                   org:member ?member ; org:role ?role . } }""",
        )
    )
    assert partners == {
        (ID + "pes/jpn-mhlw", ID + "role/lead-partner"),
        (ID + "agent/wapes-executive-secretariat", ID + "role/lead-partner"),
        (ID + "pes/kor-keis", ID + "role/partner"),
        (ID + "pes/khm-nea", ID + "role/beneficiary"),
        (ID + "agent/fumie-higashira", ID + "role/coordinator"),
    }
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/graphsvc/graph/source/003> {
            ?m org:member id:pes\\/kor-keis ; org:organization id:network\\/wapes ;
               org:role id:role\\/vice-president ; dct:spatial id:region\\/asia-pacific . } }""",
    )


def test_project_meetings_and_no_invented_names(store: ox.Store) -> None:
    meeting = rows(
        store,
        """SELECT ?date (COUNT(?p) AS ?attendees) WHERE {
            GRAPH <https://w3id.org/graphsvc/graph/source/003> {
                ?e dct:isPartOf id:project\\/japan-wapes-joint-project ;
                   dct:type id:event-type\\/online-meeting ; schema:startDate ?date ;
                   cv:hasParticipation ?p . ?p cv:role id:role\\/attendee . ?agent cv:playsRole ?p .
            } } GROUP BY ?date""",
    )
    assert meeting == [("2022-09-01", "5")]
    workshop = rows(
        store,
        """SELECT ?start ?end ?where WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/003> {
            ?e dct:isPartOf id:project\\/japan-wapes-joint-project ;
               dct:type id:event-type\\/workshop ; schema:startDate ?start ;
               schema:endDate ?end ; schema:location/schema:name ?where . } }""",
    )
    assert workshop == [("2022-11-22", "2022-11-24", "Takamatsu")]
    # The only person the document names is the coordinator.
    names = values(
        store,
        """SELECT ?name WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/003> {
            ?person a foaf:Person ; foaf:name ?name } }""",
    )
    assert names == {"Fumie HIGASHIRA"}


# --- 004 PES Network Work Programme 2022 -------------------------------------------------------


def test_work_programme_adoption(store: ox.Store) -> None:
    adopted = rows(
        store,
        """SELECT ?on ?by WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/004> {
            id:work-programme\\/pes-network-2022 a pes:WorkProgramme ;
                pes:adoptedOn ?on ; pes:adoptedBy ?by . } }""",
    )
    assert adopted == [("2021-12-10", ID + "agent/pes-board")]
    events = set(
        rows(
            store,
            """SELECT ?type ?start ?end WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/004> {
                ?e a schema:Event ; schema:about id:work-programme\\/pes-network-2022 ;
                   dct:type ?type ; schema:startDate ?start ; schema:endDate ?end . } }""",
        )
    )
    assert events == {
        (ID + "event-type/board-meeting", "2021-12-09", "2021-12-10"),
        (ID + "event-type/meeting", "2021-09-30", "2021-09-30"),
        (ID + "event-type/meeting", "2021-10-28", "2021-10-28"),
    }


def test_every_table_cell_is_an_activity_with_cluster(store: ox.Store) -> None:
    per_cluster = pairs(
        store,
        """SELECT ?label (COUNT(?a) AS ?n) WHERE {
            GRAPH <https://w3id.org/graphsvc/graph/source/004> {
                ?a a pes:Activity ; dct:title ?title ; pes:cluster ?c ;
                   pes:workProgramme id:work-programme\\/pes-network-2022 .
                ?c skos:prefLabel ?label . } } GROUP BY ?label""",
    )
    assert per_cluster == {
        "Recovery and structural changes": "6",
        "PES service delivery": "5",
        "PES performance management": "5",
        "PES visibility and partnerships": "6",
        "Others": "5",
        "Meetings": "5",
    }
    with_format = values(
        store,
        """SELECT ?a WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/004> {
            ?a a pes:Activity ; pes:activityFormat ?f } }""",
    )
    assert len(with_format) >= 25


@pytest.mark.parametrize(
    ("slug", "formats"),
    [
        (
            "greening-of-the-labour-market",
            {"thematic-review-workshop", "self-driven-working-group"},
        ),
        ("pes-support-to-recovery", {"dissemination-webinar", "regular-updates"}),
        ("pes-4-0-task-force", {"working-group", "virtual-study-visit"}),
        (
            "communication-activities",
            {"newsletter", "webpages", "videos", "podcast", "pes-practices"},
        ),
        ("pes-benchlearning", {"site-visits"}),
        ("labour-market-information", {"barometer"}),
        ("pes-board", {"online-or-physical-meeting"}),
        ("pes-network-partnerships", set()),
    ],
)
def test_activity_formats(store: ox.Store, slug: str, formats: set[str]) -> None:
    found = values(
        store,
        f"""SELECT ?f WHERE {{ GRAPH <https://w3id.org/graphsvc/graph/source/004> {{
            id:activity\\/pes-network-2022\\/{slug} pes:activityFormat ?f }} }}""",
    )
    assert found == {ID + "activity-format/" + f for f in formats}


def test_benchlearning_facts(store: ox.Store) -> None:
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/graphsvc/graph/source/004> {
            id:activity\\/pes-network-2022\\/pes-benchlearning dct:description ?d ;
                dct:subject id:theme\\/benchlearning ; pes:foreseenFunder ?fund ;
                pes:cluster id:work-programme\\/pes-network-2022\\/cluster\\/pes-performance-management .
            ?fund schema:name "European Social Fund+"@en ;
                schema:startDate "2021"^^xsd:gYear ; schema:endDate "2027"^^xsd:gYear .
            FILTER(CONTAINS(?d, "17 PES") && CONTAINS(?d, "3rd cycle")) } }""",
    )
    # "(tbc)" in the table: the source does not confirm the activity.
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/graphsvc/graph/source/004> {
            id:activity\\/pes-network-2022\\/pes-support-to-ltus pes:confidence "unverified" } }""",
    )


def test_mandate_and_recommendations(store: ox.Store) -> None:
    statements = values(
        store,
        """SELECT ?s WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/004> {
            id:network\\/eu-pes-network pes:mission ?m . ?m pes:statement ?s .
            FILTER(CONTAINS(?s, "Youth Guarantee") || CONTAINS(?s, "long-term unemployed")) } }""",
    )
    assert len(statements) == 2
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/graphsvc/graph/source/004> {
            id:network\\/eu-pes-network dct:created "2014-06"^^xsd:gYearMonth ;
                pes:legalBasis <http://data.europa.eu/eli/dec/2014/573/oj> .
            <http://data.europa.eu/eli/dec/2014/573/oj> dct:modified "2020"^^xsd:gYear . } }""",
    )


def test_thematic_clusters_and_foreseen_funding(store: ox.Store) -> None:
    thematic = values(
        store,
        """SELECT ?c WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/004> {
            ?c a pes:ThematicCluster, pes:WorkProgrammeCluster } }""",
    )
    base = ID + "work-programme/pes-network-2022/cluster/"
    assert thematic == {
        base + c
        for c in (
            "recovery-and-structural-changes",
            "pes-service-delivery",
            "pes-performance-management",
            "pes-visibility-and-partnerships",
        )
    }
    clusters = values(
        store,
        """SELECT ?c WHERE { GRAPH <https://w3id.org/graphsvc/graph/source/004> {
            ?c a pes:WorkProgrammeCluster } }""",
    )
    assert clusters - thematic == {base + "others", base + "meetings"}
    # ESF+ funding of benchlearning is only foreseen: it is no schema:funder.
    assert not ask(store, "ASK { ?a schema:funder id:agent\\/esf-plus }")


@pytest.mark.parametrize(
    ("graph", "subject", "words"),
    [
        ("001", "source\\/001", ("Kunskapscenter", "Knowledge Centre")),
        (
            "002",
            "event\\/organisational-learning-workshop-2019",
            ("Online registration", "recorded"),
        ),
        (
            "003",
            "project\\/japan-wapes-joint-project\\/phase\\/2",
            ("online meetings and activities",),
        ),
        ("003", "course\\/itcilo-human-centred-recovery", ("international-wide view",)),
        ("004", "source\\/004", ("LEGAL NOTICE", "prepared for the European Commission")),
    ],
)
def test_notes_complete_the_documents(
    store: ox.Store, graph: str, subject: str, words: tuple[str, ...]
) -> None:
    notes = " ".join(
        values(
            store,
            f"""SELECT ?n WHERE {{ GRAPH <https://w3id.org/graphsvc/graph/source/{graph}> {{
                id:{subject} skos:note ?n }} }}""",
        )
    )
    for word in words:
        assert word in notes, (subject, word)
