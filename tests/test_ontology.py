"""The ontology modules in ``ontology/``: declarations, SKOS schemes, module metadata.

The fixed concept IRIs below are the contract the seed files rely on: concepts may be added to the
schemes, never renamed or moved.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Node, URIRef
from rdflib.namespace import DefinedNamespace

from graphsvc.store.validation import ontology_dir, ontology_files, ontology_graph
from graphsvc.vocab import DCTERMS, EU_COUNTRY, ID, ORG, OWL, PES, RDF, RDFS, SKOS

ONTOLOGY_IRI = URIRef("https://w3id.org/graphsvc/ontology")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
VANN_PREFIX = URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")
DECLARATION_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDF.Property,
    SKOS.ConceptScheme,
)

# theme slug -> parent slug (None for the top concepts)
FIXED_THEMES: dict[str, str | None] = {
    "recovery-and-structural-change": None,
    "green-transition": "recovery-and-structural-change",
    "digital-transition": "recovery-and-structural-change",
    "skills-and-labour-shortages": "recovery-and-structural-change",
    "new-almp-interventions": "recovery-and-structural-change",
    "short-time-work": "recovery-and-structural-change",
    "pes-support-to-recovery": "recovery-and-structural-change",
    "entrepreneurship": "recovery-and-structural-change",
    "labour-mobility": "recovery-and-structural-change",
    "skills-and-guidance": None,
    "future-skills": "skills-and-guidance",
    "career-guidance": "skills-and-guidance",
    "lifelong-learning": "skills-and-guidance",
    "training-and-skills-validation": "skills-and-guidance",
    "skills-needs-identification": "skills-and-guidance",
    "service-delivery": None,
    "digital-service-delivery": "service-delivery",
    "behavioural-science": "service-delivery",
    "employer-services": "service-delivery",
    "customer-surveys": "service-delivery",
    "profiling-and-matching": "service-delivery",
    "inclusion": None,
    "anti-discrimination": "inclusion",
    "long-term-unemployed": "inclusion",
    "youth-employment": "inclusion",
    "youth-guarantee": "youth-employment",
    "neets": "youth-employment",
    "vulnerable-groups": "inclusion",
    "gender-equality": "inclusion",
    "migrants-integration": "inclusion",
    "performance-and-learning": None,
    "benchlearning": "performance-and-learning",
    "performance-management": "performance-and-learning",
    "quality-management": "performance-and-learning",
    "staff-management": "performance-and-learning",
    "organisational-learning": "performance-and-learning",
    "knowledge-sharing": "performance-and-learning",
    "mutual-assistance": "performance-and-learning",
    "capacity-building": "performance-and-learning",
    "visibility-and-partnerships": None,
    "communication-and-visibility": "visibility-and-partnerships",
    "internal-communication": "visibility-and-partnerships",
    "partnerships": "visibility-and-partnerships",
    "stakeholder-cooperation": "visibility-and-partnerships",
    "advocacy": "visibility-and-partnerships",
    "labour-market-information": None,
}

FIXED_FLAT: dict[tuple[str, URIRef, URIRef], list[str]] = {
    ("target-group", PES.TargetGroup, PES.targetGroupScheme): [
        "jobseekers",
        "young-people",
        "neets",
        "long-term-unemployed",
        "employers",
        "women",
        "migrants",
        "people-with-disabilities",
        "older-workers",
        "low-skilled",
        "vulnerable-groups",
        "pes-staff",
        "graduates",
        "policy-makers",
    ],
    ("event-type", PES.EventType, PES.eventTypeScheme): [
        "workshop",
        "conference",
        "world-congress",
        "webinar",
        "seminar",
        "meeting",
        "board-meeting",
        "online-meeting",
        "study-visit",
        "training",
        "focus-group",
    ],
    ("role", ORG.Role, PES.roleScheme): [
        "member",
        "observer",
        "president",
        "vice-president",
        "executive-secretariat",
        "host",
        "moderator",
        "organiser",
        "participant",
        "attendee",
        "lead-partner",
        "partner",
        "beneficiary",
        "coordinator",
        "founding-member",
    ],
    ("activity-format", PES.ActivityFormat, PES.activityFormatScheme): [
        "online",
        "seminar",
        "thematic-review-workshop",
        "self-driven-working-group",
        "dissemination-webinar",
        "regular-updates",
        "study",
        "focus-group",
        "toolkit",
        "jour-fixe",
        "report",
        "site-visits",
        "workshop",
        "working-group",
        "virtual-study-visit",
        "survey",
        "ad-hoc-working-group",
        "newsletter",
        "webpages",
        "videos",
        "podcast",
        "pes-practices",
        "webinar",
        "peer-support",
        "mandatory-publications",
        "ad-hoc-studies-and-surveys",
        "barometer",
        "online-or-physical-meeting",
        "innovation-lab",
    ],
    ("region", PES.WapesRegion, PES.regionScheme): [
        "africa",
        "americas",
        "asia-pacific",
        "europe",
        "middle-east-arab",
    ],
}

EU_MEMBER_STATES = [
    "AUT",
    "BEL",
    "BGR",
    "HRV",
    "CYP",
    "CZE",
    "DNK",
    "EST",
    "FIN",
    "FRA",
    "DEU",
    "GRC",
    "HUN",
    "IRL",
    "ITA",
    "LVA",
    "LTU",
    "LUX",
    "MLT",
    "NLD",
    "POL",
    "PRT",
    "ROU",
    "SVK",
    "SVN",
    "ESP",
    "SWE",
]
OTHER_COUNTRIES = [
    "NOR",
    "ISL",
    "LIE",
    "MAR",
    "TUR",
    "CMR",
    "MLI",
    "BEN",
    "TCD",
    "GAB",
    "KOR",
    "JPN",
    "MEX",
    "KHM",
    "CAN",
    "USA",
    "PHL",
    "CIV",
    "SEN",
    "TGO",
    "BFA",
    "GIN",
    "KEN",
    "ZAF",
    "NAM",
    "GHA",
    "RWA",
    "COL",
    "CHL",
    "BRA",
    "ARG",
    "CRI",
    "URY",
    "DOM",
    "SGP",
    "MYS",
    "THA",
    "IND",
    "AUS",
    "NZL",
    "TUN",
    "DZA",
    "SAU",
    "JOR",
    "QAT",
    "BHR",
    "OMN",
    "LBN",
    "FJI",
    "KWT",
    "ARE",
    "COD",
    "COG",
    "ECU",
    "PRY",
    "JAM",
    "IDN",
    "IRQ",
    "MNE",
    "UKR",
    "MRT",
    "NER",
    "TZA",
    "CPV",
    "BRB",
    "MUS",
    "PER",
    "LKA",
    "TTO",
    "PAN",
    "UGA",
    "ZMB",
    "HND",
    "BOL",
    "GTM",
    "BDI",
    "AGO",
    "MOZ",
]

# WAPES regions that reference/facts.md states; the others follow from geography.
STATED_REGIONS = {
    "MAR": "middle-east-arab",
    "TUR": "europe",
    "CMR": "africa",
    "MLI": "africa",
    "BEN": "africa",
    "TCD": "africa",
    "GAB": "africa",
    "KOR": "asia-pacific",
    "JPN": "asia-pacific",
    "MEX": "americas",
    "KHM": "asia-pacific",
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return ontology_graph()


def _pes_terms() -> set[URIRef]:
    names = (n for n in PES.__annotations__ if not n.startswith("_"))
    return {PES[n] for n in names}


def _has_english(graph: Graph, subject: Node, predicate: URIRef) -> bool:
    return any(
        isinstance(o, Literal) and o.language == "en" for o in graph.objects(subject, predicate)
    )


def _label(graph: Graph, term: URIRef) -> bool:
    return _has_english(graph, term, RDFS.label) or _has_english(graph, term, SKOS.prefLabel)


def _definition(graph: Graph, term: URIRef) -> bool:
    return _has_english(graph, term, SKOS.definition) or _has_english(graph, term, RDFS.comment)


def _concepts(graph: Graph) -> Iterator[URIRef]:
    for concept in set(graph.subjects(RDF.type, SKOS.Concept)):
        assert isinstance(concept, URIRef)
        yield concept


@pytest.mark.parametrize("path", sorted(Path(ontology_dir()).glob("*.ttl")), ids=lambda p: p.name)
def test_every_module_parses_and_carries_title_license_and_version(path: Path) -> None:
    module = Graph().parse(path, format="turtle")
    heads = [
        s
        for t in (OWL.Ontology, SKOS.ConceptScheme)
        for s in module.subjects(RDF.type, t)
        if (s, DCTERMS.title, None) in module
    ]
    assert len(heads) == 1, f"{path.name}: one owl:Ontology or skos:ConceptScheme with a title"
    head = heads[0]
    assert (head, DCTERMS.license, CC_BY) in module
    assert module.value(head, OWL.versionInfo) == Literal("0.1.0")


def test_ontology_header(graph: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(str(ONTOLOGY_IRI) + "/0.1.0")
    assert graph.value(ONTOLOGY_IRI, VANN_PREFIX) == Literal("pes")
    for predicate in (DCTERMS.description, DCTERMS.creator, DCTERMS.publisher, DCTERMS.created):
        assert graph.value(ONTOLOGY_IRI, predicate) is not None, predicate


def test_every_vocab_term_is_declared_with_label_and_definition(graph: Graph) -> None:
    problems = []
    for term in sorted(_pes_terms()):
        if not any((term, RDF.type, t) in graph for t in DECLARATION_TYPES):
            problems.append(f"{term}: not declared")
        if not _label(graph, term):
            problems.append(f"{term}: no English label")
        if not _definition(graph, term):
            problems.append(f"{term}: no English definition")
    assert problems == []


def test_every_declared_pes_term_is_in_vocab(graph: Graph) -> None:
    namespace = str(PES._NS)
    declared = {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(namespace)}
    assert declared - _pes_terms() == set()


@pytest.mark.parametrize("namespace", [ORG], ids=["org"])
def test_reused_terms_have_labels_and_their_standard(
    graph: Graph, namespace: type[DefinedNamespace]
) -> None:
    for name in (n for n in namespace.__annotations__ if not n.startswith("_")):
        term = namespace[name]
        assert _label(graph, term), term
        assert (term, RDFS.isDefinedBy, URIRef(str(namespace._NS))) in graph, term


def test_reused_declarations_all_name_their_standard(graph: Graph) -> None:
    namespace = str(PES._NS)
    for t in DECLARATION_TYPES[:5]:
        for term in graph.subjects(RDF.type, t):
            if isinstance(term, URIRef) and not term.startswith(namespace):
                assert _label(graph, term), term
                assert graph.value(term, RDFS.isDefinedBy) is not None, term


def test_pes_classes_extend_the_standards(graph: Graph) -> None:
    def sub(cls: URIRef, parent: URIRef) -> bool:
        return (cls, RDFS.subClassOf, parent) in graph

    cv_public = URIRef("http://data.europa.eu/m8g/PublicOrganisation")
    schema = "https://schema.org/"
    assert sub(PES.PublicEmploymentService, cv_public)
    assert sub(cv_public, ORG.Organization)
    assert sub(PES.Network, ORG.Organization)
    assert sub(PES.GoodPractice, URIRef(schema + "CreativeWork"))
    assert sub(PES.Project, URIRef(schema + "Project"))
    assert sub(PES.Project, ORG.OrganizationalCollaboration)
    assert sub(PES.Activity, URIRef("http://www.w3.org/ns/prov#Plan"))
    assert sub(PES.SourceDocument, URIRef("http://xmlns.com/foaf/0.1/Document"))
    for cls in (PES.Theme, PES.TargetGroup, PES.EventType, PES.ActivityFormat, PES.WapesRegion):
        assert sub(cls, SKOS.Concept), cls
    assert sub(PES.WorkProgrammeCluster, SKOS.Concept)


def test_every_concept_is_complete(graph: Graph) -> None:
    problems = []
    for concept in _concepts(graph):
        english = [
            o
            for o in graph.objects(concept, SKOS.prefLabel)
            if isinstance(o, Literal) and o.language == "en"
        ]
        if len(english) != 1:
            problems.append(f"{concept}: {len(english)} English prefLabels")
        if not _has_english(graph, concept, SKOS.definition):
            problems.append(f"{concept}: no English definition")
        if len(list(graph.objects(concept, SKOS.notation))) != 1:
            problems.append(f"{concept}: not exactly one notation")
        schemes = set(graph.objects(concept, SKOS.inScheme))
        if len(schemes) != 1:
            problems.append(f"{concept}: not in exactly one scheme")
        top = set(graph.objects(concept, SKOS.topConceptOf))
        broader = set(graph.objects(concept, SKOS.broader))
        if not top and not broader:
            problems.append(f"{concept}: neither broader nor topConceptOf")
        for scheme in top:
            if scheme not in schemes or (scheme, SKOS.hasTopConcept, concept) not in graph:
                problems.append(f"{concept}: topConceptOf {scheme} without inScheme/hasTopConcept")
        for parent in broader:
            if set(graph.objects(parent, SKOS.inScheme)) != schemes:
                problems.append(f"{concept}: broader {parent} is in another scheme")
        for label in graph.objects(concept, SKOS.altLabel):
            if (concept, SKOS.prefLabel, label) in graph:
                problems.append(f"{concept}: {label!r} is both pref and alt label")
    assert problems == []


def test_every_top_concept_is_in_its_scheme(graph: Graph) -> None:
    for scheme, concept in graph.subject_objects(SKOS.hasTopConcept):
        assert (concept, SKOS.topConceptOf, scheme) in graph


def test_notations_and_labels_are_unique_within_a_scheme(graph: Graph) -> None:
    seen: dict[tuple[Node | None, str], URIRef] = {}
    clashes = []
    for concept in _concepts(graph):
        scheme = graph.value(concept, SKOS.inScheme)
        keys = [f"notation:{n}" for n in graph.objects(concept, SKOS.notation)]
        for predicate in (SKOS.prefLabel, SKOS.altLabel):
            keys += [
                f"{o.language}:{str(o).casefold()}"
                for o in graph.objects(concept, predicate)
                if isinstance(o, Literal)
            ]
        for key in set(keys):
            other = seen.setdefault((scheme, key), concept)
            if other != concept:
                clashes.append(f"{scheme} {key}: {other} and {concept}")
    assert clashes == []


def test_broader_has_no_cycles(graph: Graph) -> None:
    parents: dict[Node, set[Node]] = {}
    for child, parent in graph.subject_objects(SKOS.broader):
        parents.setdefault(child, set()).add(parent)

    def ancestors(node: Node) -> set[Node]:
        found: set[Node] = set()
        stack = list(parents.get(node, ()))
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(parents.get(current, ()))
        return found

    assert [str(n) for n in parents if n in ancestors(n)] == []


def test_fixed_themes_keep_their_place(graph: Graph) -> None:
    for slug, parent in FIXED_THEMES.items():
        theme = ID[f"theme/{slug}"]
        assert (theme, RDF.type, PES.Theme) in graph, slug
        assert (theme, SKOS.inScheme, PES.themeScheme) in graph, slug
        if parent is None:
            assert (theme, SKOS.topConceptOf, PES.themeScheme) in graph, slug
        else:
            assert set(graph.objects(theme, SKOS.broader)) == {ID[f"theme/{parent}"]}, slug


def test_swedish_labels_from_document_001(graph: Graph) -> None:
    def swedish(slug: str) -> Literal | None:
        labels = [
            o
            for o in graph.objects(ID[f"theme/{slug}"], SKOS.prefLabel)
            if isinstance(o, Literal) and o.language == "sv"
        ]
        return labels[0] if labels else None

    assert swedish("youth-guarantee") == Literal("ungdomsgarantin", lang="sv")
    assert swedish("labour-market-information") == Literal("arbetsmarknadsinformation", lang="sv")


def test_synonyms_are_alt_labels(graph: Graph) -> None:
    for slug, alt in [
        ("long-term-unemployed", "LTU"),
        ("youth-guarantee", "YG"),
        ("green-transition", "greening of the labour market"),
        ("digital-transition", "digitalisation"),
    ]:
        assert (ID[f"theme/{slug}"], SKOS.altLabel, Literal(alt, lang="en")) in graph, slug


@pytest.mark.parametrize(
    ("kind", "cls", "scheme"), list(FIXED_FLAT), ids=[k[0] for k in FIXED_FLAT]
)
def test_fixed_flat_concepts_exist(graph: Graph, kind: str, cls: URIRef, scheme: URIRef) -> None:
    for slug in FIXED_FLAT[(kind, cls, scheme)]:
        concept = ID[f"{kind}/{slug}"]
        assert (concept, RDF.type, cls) in graph, concept
        assert (concept, RDF.type, SKOS.Concept) in graph, concept
        assert (concept, SKOS.inScheme, scheme) in graph, concept


def test_regions_are_units_of_wapes(graph: Graph) -> None:
    regions = set(graph.subjects(RDF.type, PES.WapesRegion))
    assert len(regions) == 5
    for region in regions:
        assert (region, ORG.unitOf, ID["network/wapes"]) in graph
        assert (region, RDF.type, ORG.OrganizationalUnit) in graph
        assert (region, DCTERMS.source, URIRef("https://www.wapes.org")) in graph


def test_countries(graph: Graph) -> None:
    countries = set(graph.subjects(RDF.type, PES.Country))
    expected = {EU_COUNTRY[c] for c in EU_MEMBER_STATES + OTHER_COUNTRIES}
    assert len(EU_MEMBER_STATES) == 27
    assert countries == expected
    for country in countries:
        code = str(country).rsplit("/", 1)[-1]
        assert graph.value(country, SKOS.notation) == Literal(code)
        assert graph.value(country, PES.region) is not None, code
        own = [o for o in graph.objects(country, SKOS.prefLabel) if isinstance(o, Literal)]
        assert len(own) >= (1 if code == "USA" else 2), code
    for code in [*EU_MEMBER_STATES, "NOR", "ISL", "LIE"]:
        assert graph.value(EU_COUNTRY[code], PES.region) == ID["region/europe"], code
    for code, region in STATED_REGIONS.items():
        assert graph.value(EU_COUNTRY[code], PES.region) == ID[f"region/{region}"], code


def test_ontology_graph_holds_every_module_but_the_shapes(graph: Graph) -> None:
    total = Graph()
    for path in ontology_files():
        total.parse(path, format="turtle")
    assert len(graph) == len(total)
    assert (None, RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape")) not in graph
