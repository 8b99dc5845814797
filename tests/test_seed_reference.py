"""The reference seed graphs: facts from public sources beyond the five source documents.

Each ``seeds/reference-<slug>.trig`` holds exactly the named graph ``graph/reference/<slug>``;
every resource described there names the public web page it comes from; the good practices are
complete enough for the recommender; every PES the project names is described; and a sample of
facts is checked with SPARQL on a pyoxigraph store holding the reference files with the ontology.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from graphsvc.settings import PROJECT_ROOT
from graphsvc.store.validation import ontology_files, ontology_graph, validate

SEEDS = PROJECT_ROOT / "seeds"
ID = "https://w3id.org/graphsvc/id/"
GRAPH = "https://w3id.org/graphsvc/graph/reference/"
DCT_SOURCE = "http://purl.org/dc/terms/source"
TIME = "http://www.w3.org/2006/time#"

REFERENCE_FILES = sorted(SEEDS.glob("reference-*.trig"))
SLUGS = [p.stem.removeprefix("reference-") for p in REFERENCE_FILES]

# The PES slugs every data file must use (the fixed term list of the project).
PES_SLUGS = (
    "aut-ams",
    "bel-vdab",
    "bel-forem",
    "bel-actiris",
    "bel-adg",
    "bgr-employment-agency",
    "hrv-hzz",
    "cyp-department-of-labour",
    "cze-urad-prace",
    "dnk-star",
    "est-tootukassa",
    "fin-keha",
    "fin-te-services",
    "fra-france-travail",
    "fra-pole-emploi",
    "deu-ba",
    "grc-dypa",
    "grc-oaed",
    "hun-nfsz",
    "irl-intreo",
    "ita-ministry-of-labour",
    "lva-nva",
    "ltu-uzimtumo-tarnyba",
    "lux-adem",
    "mlt-jobsplus",
    "nld-uwv",
    "pol-mrips",
    "prt-iefp",
    "rou-anofm",
    "svk-upsvr",
    "svn-ess",
    "esp-sepe",
    "swe-arbetsformedlingen",
    "nor-nav",
    "isl-vinnumalastofnun",
    "lie-ams-fl",
    "mar-anapec",
    "tur-iskur",
    "cmr-fne",
    "mli-anpe",
    "ben-anpe",
    "tcd-onape",
    "gab-pnpe",
    "kor-keis",
    "jpn-mhlw",
    "mex-sne",
    "khm-nea",
    "mne-zzzcg",
    "ukr-ses",
)
# No label in the PES's own language could be confirmed for these (English label only).
WITHOUT_OWN_LANGUAGE_LABEL = {"khm-nea"}
OTHER_AGENTS = ("european-commission", "ilo", "ingeus", "itcilo", "emco", "pes-board")

CONCEPT_PREFIXES = (
    ID + "theme/",
    ID + "target-group/",
    ID + "role/",
    ID + "event-type/",
    ID + "region/",
    "http://publications.europa.eu/resource/authority/country/",
)

PREFIXES = """
PREFIX id: <https://w3id.org/graphsvc/id/>
PREFIX pes: <https://w3id.org/graphsvc/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX cv: <http://data.europa.eu/m8g/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def quads_of(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=path, format=ox.RdfFormat.TRIG))


def triples(*paths: Path) -> Graph:
    """The triples of TriG files, all graphs merged, as an rdflib graph (for SHACL and lookups)."""
    graph = Graph()
    for path in paths:
        plain = [ox.Triple(q.subject, q.predicate, q.object) for q in quads_of(path)]
        data = ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES)
        if data:
            graph.parse(data=data.decode(), format="nt")
    return graph


@pytest.fixture(scope="module")
def store() -> Iterator[ox.Store]:
    """The reference graphs and the ontology (for countries' regions), as one union graph."""
    store = ox.Store()
    for path in REFERENCE_FILES:
        store.load(path=path, format=ox.RdfFormat.TRIG)
    for path in ontology_files():
        store.load(path=path, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH + "test"))
    yield store


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    """The solutions of a SELECT over the union of the graphs, each value as its plain text."""
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = result.variables
    out: list[tuple[str, ...]] = []
    for solution in result:
        out.append(tuple("" if solution[v] is None else solution[v].value for v in names))
    return out


def pairs(store: ox.Store, query: str) -> list[tuple[str, str]]:
    """The solutions of a SELECT of two variables."""
    return [(row[0], row[1]) for row in rows(store, query)]


def values(store: ox.Store, query: str) -> set[str]:
    return {row[0] for row in rows(store, query)}


def ask(store: ox.Store, query: str) -> bool:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


# --- structure and provenance -------------------------------------------------------------------


def test_the_five_reference_files_exist() -> None:
    assert set(SLUGS) >= {"pes", "wapes", "eu-pes-network", "practices", "events"}


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=SLUGS)
def test_file_holds_exactly_its_named_graph(path: Path) -> None:
    quads = quads_of(path)
    assert quads, f"{path.name} is empty"
    slug = path.stem.removeprefix("reference-")
    assert {q.graph_name for q in quads} == {ox.NamedNode(GRAPH + slug)}


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=SLUGS)
def test_every_resource_names_a_public_web_source(path: Path) -> None:
    quads = quads_of(path)
    subjects = {q.subject for q in quads if isinstance(q.subject, ox.NamedNode)}
    sources: dict[ox.NamedNode, set[str]] = {}
    for q in quads:
        if q.predicate.value == DCT_SOURCE and isinstance(q.subject, ox.NamedNode):
            sources.setdefault(q.subject, set()).add(str(q.object))
    assert subjects - set(sources) == set()
    for subject, urls in sources.items():
        for url in urls:
            assert url.startswith(("<http://", "<https://")), f"{subject}: {url}"
            assert not url.startswith("<" + ID), f"{subject} cites {url}, not a public page"


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=SLUGS)
def test_no_blank_nodes_intervals_and_instants_are_iris(path: Path) -> None:
    """Every resource, down to the interval of a membership and its instants, has an IRI, so that
    each can carry its own dct:source."""
    quads = quads_of(path)
    blank = [
        q
        for q in quads
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
    ]
    assert blank == []
    during = {
        q.object for q in quads if q.predicate.value == "http://www.w3.org/ns/org#memberDuring"
    }
    typed = {
        q.subject
        for q in quads
        if q.predicate.value == str(RDF.type) and str(q.object) == f"<{TIME}Interval>"
    }
    assert during <= typed


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=SLUGS)
def test_referenced_concepts_are_declared_in_the_ontology(path: Path) -> None:
    ontology = ontology_graph()
    missing = {
        str(o)
        for _s, _p, o in triples(path)
        if isinstance(o, URIRef)
        and str(o).startswith(CONCEPT_PREFIXES)
        and (o, RDF.type, None) not in ontology
    }
    assert missing == set()


def test_reference_resources_conform_within_the_seed_set() -> None:
    """Validated with the ontology and every seed file, no resource described in a reference
    graph is the focus of a violation."""
    ours = {str(s) for s in triples(*REFERENCE_FILES).subjects()}
    report = validate(triples(*sorted(SEEDS.glob("*.trig"))), ontology=ontology_graph())
    errors = [str(v) for v in report.violations if v.focus_node in ours]
    assert errors == []


# --- PES and other agents ------------------------------------------------------------------------


def test_every_pes_of_the_term_list_is_described(store: ox.Store) -> None:
    found = rows(
        store,
        """SELECT ?pes ?label ?country WHERE {
            GRAPH <https://w3id.org/graphsvc/graph/reference/pes> {
                ?pes a pes:PublicEmploymentService, cv:PublicOrganisation, org:Organization ;
                     skos:prefLabel ?label ; dct:spatial ?country .
                FILTER(lang(?label) = "en") } }""",
    )
    described = {pes.removeprefix(ID + "pes/") for pes, _label, _country in found}
    assert set(PES_SLUGS) - described == set()
    countries = {c for _p, _l, c in found}
    assert all(
        c.startswith("http://publications.europa.eu/resource/authority/country/") for c in countries
    )


def test_pes_have_a_label_in_their_own_language(store: ox.Store) -> None:
    own = values(
        store,
        """SELECT ?pes WHERE { GRAPH <https://w3id.org/graphsvc/graph/reference/pes> {
            ?pes a pes:PublicEmploymentService ; skos:prefLabel ?label .
            FILTER(lang(?label) != "en") } }""",
    )
    missing = {slug for slug in PES_SLUGS if ID + "pes/" + slug not in own}
    assert missing == WITHOUT_OWN_LANGUAGE_LABEL


def test_acronyms_and_unverified_markers(store: ox.Store) -> None:
    assert ask(
        store,
        """ASK { id:pes\\/tur-iskur skos:altLabel "İŞKUR" . id:pes\\/nld-uwv skos:altLabel "UWV" .
                 id:pes\\/mar-anapec skos:altLabel "ANAPEC" . id:pes\\/kor-keis skos:altLabel "KEIS" }""",
    )
    unverified = values(
        store,
        """SELECT ?pes WHERE { GRAPH <https://w3id.org/graphsvc/graph/reference/pes> {
            ?pes a pes:PublicEmploymentService ; pes:confidence "unverified" } }""",
    )
    assert ID + "pes/esp-sepe" in unverified
    assert ID + "pes/swe-arbetsformedlingen" not in unverified


@pytest.mark.parametrize(
    ("original", "resulting", "date"),
    [
        ("fra-pole-emploi", "fra-france-travail", "2024-01-01"),
        ("grc-oaed", "grc-dypa", "2022"),
    ],
)
def test_renames_are_change_events(
    store: ox.Store, original: str, resulting: str, date: str
) -> None:
    found = values(
        store,
        f"""SELECT ?date WHERE {{ ?change a org:ChangeEvent ;
            org:originalOrganization id:pes\\/{original} ;
            org:resultingOrganization id:pes\\/{resulting} ; dct:date ?date . }}""",
    )
    assert found == {date}


@pytest.mark.parametrize("slug", OTHER_AGENTS)
def test_other_agents_have_a_label(store: ox.Store, slug: str) -> None:
    assert ask(store, f"ASK {{ id:agent\\/{slug} skos:prefLabel ?l . FILTER(lang(?l) = 'en') }}")


# --- good practices ------------------------------------------------------------------------------

_PRACTICES = """
SELECT ?p ?title ?theme ?audience ?country ?date ?pes ?source ?abstract ?region ?unverified WHERE {
    GRAPH ?practices {
        ?p a pes:GoodPractice, schema:CreativeWork ;
           dct:title ?title ; dct:abstract ?abstract ; dct:subject ?theme ;
           dct:audience ?audience ; dct:spatial ?country ; dct:date ?date ;
           prov:wasAttributedTo ?pes ; dct:source ?source .
        FILTER(lang(?title) = "en" && lang(?abstract) = "en")
        FILTER(datatype(?date) IN (xsd:gYear, xsd:date))
        OPTIONAL { ?p pes:confidence ?unverified }
    }
    FILTER(STRSTARTS(STR(?practices), "https://w3id.org/graphsvc/graph/reference/practices"))
    ?theme a pes:Theme .
    ?audience a pes:TargetGroup .
    ?country pes:region ?region .
    ?pes a pes:PublicEmploymentService .
}
"""


def test_at_least_25_complete_practices(store: ox.Store) -> None:
    described = rows(store, _PRACTICES)
    complete = {p for p, *_rest in described}
    declared = values(store, "SELECT ?p WHERE { ?p a pes:GoodPractice }")
    assert declared - complete == set(), "every practice has all the required facts"
    assert len(complete) >= 25
    confirmed = {row[0] for row in described if not row[-1]}
    assert len(confirmed) >= 25, "at least 25 practices carry no 'unverified' marker"


def test_each_practice_has_one_pes_one_year_and_a_public_source(store: ox.Store) -> None:
    counts = rows(
        store,
        """SELECT ?p (COUNT(DISTINCT ?pes) AS ?n) (COUNT(DISTINCT ?date) AS ?d) WHERE {
            ?p a pes:GoodPractice ; prov:wasAttributedTo ?pes ; dct:date ?date } GROUP BY ?p""",
    )
    assert counts and all(n == "1" and d == "1" for _p, n, d in counts)
    sources = values(store, "SELECT ?s WHERE { ?p a pes:GoodPractice ; dct:source ?s }")
    assert all(s.startswith(("http://", "https://")) for s in sources)


def test_practices_span_the_wapes_regions(store: ox.Store) -> None:
    regions = {row[9] for row in rows(store, _PRACTICES)}
    assert len(regions) >= 3
    assert {ID + "region/europe", ID + "region/africa", ID + "region/asia-pacific"} <= regions


@pytest.mark.parametrize(
    ("practice", "year", "country", "pes"),
    [
        ("ohjaamo", "2014", "FIN", "fin-te-services"),
        ("jugendberufsagentur-hamburg", "2012", "DEU", "deu-ba"),
        ("vdab-competence-based-matching", "2013", "BEL", "bel-vdab"),
        ("adem-digital-skills-bridge", "2018", "LUX", "lux-adem"),
        ("actiris-diversity-plans", "2007", "BEL", "bel-actiris"),
        ("nea-performance-assessment-framework", "2019", "KHM", "khm-nea"),
        ("rusta-och-matcha", "2020", "SWE", "swe-arbetsformedlingen"),
        ("hzz-cisok", "2013", "HRV", "hrv-hzz"),
        ("keis-the-work", "2019", "KOR", "kor-keis"),
        ("anpe-benin-azoli", "2021", "BEN", "ben-anpe"),
    ],
)
def test_sample_practices(
    store: ox.Store, practice: str, year: str, country: str, pes: str
) -> None:
    assert ask(
        store,
        f"""ASK {{ id:practice\\/{practice} dct:date "{year}"^^xsd:gYear ;
            dct:spatial <http://publications.europa.eu/resource/authority/country/{country}> ;
            prov:wasAttributedTo id:pes\\/{pes} . }}""",
    )


def test_practice_presented_at_documented_events(store: ox.Store) -> None:
    events = values(
        store,
        """SELECT ?e WHERE { id:practice\\/nea-performance-assessment-framework pes:presentedAt ?e .
            ?e a schema:Event ; dct:isPartOf id:project\\/japan-wapes-joint-project }""",
    )
    assert events == {
        ID + "event/japan-wapes-online-meeting-2020-07",
        ID + "event/japan-wapes-online-meeting-2020-09",
    }


def test_a_practice_transferred_to_another_pes(store: ox.Store) -> None:
    adopters = values(
        store,
        """SELECT ?pes WHERE { ?p pes:transferredTo ?pes ; prov:wasAttributedTo ?origin .
            ?pes a pes:PublicEmploymentService . FILTER(?pes != ?origin) }""",
    )
    assert ID + "pes/ukr-ses" in adopters
    assert ask(
        store,
        "ASK { id:practice\\/tootukassa-support-to-ukrainian-employment-service "
        "pes:transferredTo id:pes\\/ukr-ses ; prov:wasAttributedTo id:pes\\/est-tootukassa }",
    )


def test_transferred_to_must_name_a_pes() -> None:
    bad = Graph().parse(
        data="""
            @prefix pes: <https://w3id.org/graphsvc/ontology#> .
            @prefix schema: <https://schema.org/> .
            <https://w3id.org/graphsvc/id/practice/x> a pes:GoodPractice, schema:CreativeWork ;
                pes:transferredTo <https://w3id.org/graphsvc/id/event/not-a-pes> .
        """,
        format="turtle",
    )
    report = validate(bad)
    assert not report.conforms
    assert any(
        "pes:transferredTo must point to a public employment service" in v.message
        for v in report.errors
    )


# --- WAPES ---------------------------------------------------------------------------------------


def test_wapes_foundation_form_and_regions(store: ox.Store) -> None:
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/graphsvc/graph/reference/wapes> {
            id:network\\/wapes a org:FormalOrganization ; dct:created "1988"^^xsd:gYear ;
                skos:prefLabel "World Association of Public Employment Services"@en ;
                dct:description ?founders, ?form .
            FILTER(CONTAINS(?founders, "Geneva") && CONTAINS(?founders, "Canada"))
            FILTER(CONTAINS(?form, "Belgian law") && CONTAINS(?form, "Brussels")) } }""",
    )
    units = values(store, "SELECT ?u WHERE { id:network\\/wapes org:hasUnit ?u }")
    assert units == {
        ID + "region/" + r
        for r in ("africa", "americas", "asia-pacific", "europe", "middle-east-arab")
    }
    bodies = values(
        store,
        """SELECT ?b WHERE { GRAPH <https://w3id.org/graphsvc/graph/reference/wapes> {
            ?b a org:OrganizationalUnit ; org:unitOf id:network\\/wapes } }""",
    )
    assert {
        ID + "agent/wapes-" + b
        for b in (
            "general-assembly",
            "managing-board",
            "executive-committee",
            "executive-secretariat",
        )
    } == bodies


def test_wapes_observer_and_founding_member(store: ox.Store) -> None:
    assert ask(
        store,
        """ASK { ?m org:member id:agent\\/ilo ; org:organization id:network\\/wapes ;
                   org:role id:role\\/observer .
                 ?f org:member id:pes\\/deu-ba ; org:organization id:network\\/wapes ;
                   org:role id:role\\/founding-member ;
                   org:memberDuring/time:hasBeginning/time:inXSDgYear "1988"^^xsd:gYear . }""",
    )


def test_wapes_presidencies(store: ox.Store) -> None:
    found = set(
        rows(
            store,
            """SELECT ?member ?begin ?end WHERE {
                ?m org:organization id:network\\/wapes ; org:role id:role\\/president ;
                   org:member ?member ; org:memberDuring ?i .
                ?i time:hasBeginning/time:inXSDgYear ?begin .
                OPTIONAL { ?i time:hasEnd/time:inXSDgYear ?end } }""",
        )
    )
    assert found == {
        (ID + "pes/tur-iskur", "2015", "2018"),
        (ID + "pes/mar-anapec", "2018", ""),
    }


def test_wapes_members_and_their_regions(store: ox.Store) -> None:
    found: dict[str, str] = dict(
        pairs(
            store,
            """SELECT ?member ?region WHERE {
                GRAPH <https://w3id.org/graphsvc/graph/reference/wapes> {
                    ?m org:organization id:network\\/wapes ; org:role id:role\\/member ;
                       org:member ?member ; dct:spatial ?region . } }""",
        )
    )
    expected = {
        "mar-anapec": "middle-east-arab",
        "tur-iskur": "europe",
        "cmr-fne": "africa",
        "mli-anpe": "africa",
        "ben-anpe": "africa",
        "tcd-onape": "africa",
        "gab-pnpe": "africa",
        "kor-keis": "asia-pacific",
        "jpn-mhlw": "asia-pacific",
        "mex-sne": "americas",
        "khm-nea": "asia-pacific",
        "swe-arbetsformedlingen": "europe",
        "fra-pole-emploi": "europe",
        "mne-zzzcg": "europe",
        "ukr-ses": "europe",
        "cod-onem": "africa",
        "ury-dinae": "americas",
        "civ-aej": "africa",
        "gin-aguipe": "africa",
        "usa-eta": "americas",
        "tun-aneti": "middle-east-arab",
    }
    for slug, region in expected.items():
        assert found.get(ID + "pes/" + slug) == ID + "region/" + region, slug
    # the membership's region agrees with the region of the member's country
    assert not ask(
        store,
        """ASK { GRAPH <https://w3id.org/graphsvc/graph/reference/wapes> {
                ?m org:organization id:network\\/wapes ; org:member ?pes ; dct:spatial ?region }
            ?pes dct:spatial ?country . ?country pes:region ?other . FILTER(?other != ?region) }""",
    )


def test_wapes_members_are_pes_of_every_region(store: ox.Store) -> None:
    """Every WAPES member is a PES with a country, and the confirmed members (without the
    'unverified' marker) come from all five regions."""
    found = rows(
        store,
        """SELECT ?pes ?region ?unverified WHERE {
            GRAPH <https://w3id.org/graphsvc/graph/reference/wapes> {
                ?m org:organization id:network\\/wapes ; org:role id:role\\/member ;
                   org:member ?pes ; dct:spatial ?region ; dct:source ?source .
                OPTIONAL { ?m pes:confidence ?unverified } }
            ?pes a pes:PublicEmploymentService ; dct:spatial ?country . ?country a pes:Country }""",
    )
    members = values(
        store,
        """SELECT ?pes WHERE { GRAPH <https://w3id.org/graphsvc/graph/reference/wapes> {
            ?m org:organization id:network\\/wapes ; org:role id:role\\/member ; org:member ?pes } }""",
    )
    assert members == {pes for pes, _region, _u in found}
    confirmed = {region.removeprefix(ID + "region/") for _pes, region, u in found if not u}
    assert confirmed == {"africa", "americas", "asia-pacific", "europe", "middle-east-arab"}
    assert len(members) >= 20


@pytest.mark.parametrize(
    ("year", "start", "end", "city"),
    [
        ("2015", "2015-05-06", "2015-05-08", "Istanbul, Türkiye"),
        ("2018", "2018-04-17", "2018-04-20", "Marrakesh, Morocco"),
        ("2022", "2022-04-25", "2022-04-29", "Tallinn, Estonia"),
        ("2025", "2025-05-05", "2025-05-08", "Abidjan, Côte d'Ivoire"),
    ],
)
def test_world_congresses(store: ox.Store, year: str, start: str, end: str, city: str) -> None:
    found = rows(
        store,
        f"""SELECT ?start ?end ?address WHERE {{
            id:event\\/wapes-world-congress-{year} dct:type id:event-type\\/world-congress ;
                schema:organizer id:network\\/wapes ; schema:startDate ?start ;
                schema:endDate ?end ; schema:location/schema:address ?address . }}""",
    )
    assert found == [(start, end, city)]


def test_tallinn_congress_host(store: ox.Store) -> None:
    assert ask(
        store,
        """ASK { id:event\\/wapes-world-congress-2022 cv:hasParticipation ?p .
                 ?p cv:role id:role\\/host . id:pes\\/est-tootukassa cv:playsRole ?p . }""",
    )


# --- European PES Network ------------------------------------------------------------------------


def test_network_extension_observer_and_board(store: ox.Store) -> None:
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/graphsvc/graph/reference/eu-pes-network> {
            id:network\\/eu-pes-network pes:legalBasis <http://data.europa.eu/eli/dec/2020/1782/oj> ;
                dct:description ?d . FILTER(CONTAINS(?d, "31 December 2027"))
            <http://data.europa.eu/eli/dec/2020/1782/oj> dct:date "2020-11-25"^^xsd:date .
            ?m org:member id:agent\\/emco ; org:organization id:network\\/eu-pes-network ;
               org:role id:role\\/observer .
            id:agent\\/pes-board dct:isPartOf id:network\\/eu-pes-network ; dct:description ?b .
            FILTER(CONTAINS(?b, "twice a year")) } }""",
    )


# --- events --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "kind", "start", "end"),
    [
        ("pes-network-webinar-greening-2021", "webinar", "2021-09-16", "2021-09-16"),
        ("pes-board-meeting-vienna-2018", "board-meeting", "2018-12-10", "2018-12-11"),
        ("wapes-conference-youth-migration-yaounde-2019", "conference", "2019-09-17", "2019-09-19"),
        ("wapes-aasep-employment-advisers-training-2023", "training", "2023-09-11", "2023-09-21"),
        ("japan-wapes-study-visit-phnom-penh-2020", "study-visit", "2020-02-03", "2020-02-05"),
        ("japan-wapes-philippines-meeting-manila-2025", "meeting", "2025-02-06", "2025-02-06"),
        ("japan-wapes-study-visit-tokyo-2025", "study-visit", "2025-03-13", "2025-03-14"),
    ],
)
def test_event_types_and_dates(
    store: ox.Store, event: str, kind: str, start: str, end: str
) -> None:
    found = rows(
        store,
        f"""SELECT ?start ?end WHERE {{ id:event\\/{event} a schema:Event ;
            dct:type id:event-type\\/{kind} ; schema:startDate ?start ; schema:endDate ?end ;
            dct:subject ?theme ; schema:location ?where . }} LIMIT 1""",
    )
    assert found == [(start, end)]


def test_joint_project_events_belong_to_the_project(store: ox.Store) -> None:
    events = values(
        store,
        """SELECT ?e WHERE { GRAPH <https://w3id.org/graphsvc/graph/reference/events> {
            ?e a schema:Event ; dct:isPartOf id:project\\/japan-wapes-joint-project } }""",
    )
    assert {e.removeprefix(ID + "event/") for e in events} == {
        "japan-wapes-study-visit-phnom-penh-2020",
        "japan-wapes-online-meeting-2020-07",
        "japan-wapes-online-meeting-2020-09",
        "japan-wapes-philippines-meeting-manila-2025",
        "japan-wapes-study-visit-tokyo-2025",
    }
    assert ask(
        store,
        """ASK { id:event\\/japan-wapes-online-meeting-2020-07 schema:startDate "2020-07"^^xsd:gYearMonth .
                 ?m org:member id:agent\\/phl-dole ;
                    org:organization id:project\\/japan-wapes-joint-project ;
                    org:role id:role\\/beneficiary . }""",
    )


def test_yaounde_events_hosted_by_the_fne(store: ox.Store) -> None:
    hosted = values(
        store,
        """SELECT ?e WHERE { ?e cv:hasParticipation ?p . ?p cv:role id:role\\/host .
            id:pes\\/cmr-fne cv:playsRole ?p . ?e schema:organizer id:agent\\/aasep }""",
    )
    assert hosted == {
        ID + "event/wapes-conference-youth-migration-yaounde-2019",
        ID + "event/wapes-aasep-employment-advisers-training-2023",
    }
