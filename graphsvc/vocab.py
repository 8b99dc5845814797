"""Namespaces and IRI minting.

Every IRI the code uses comes from here; ``tests/test_vocab.py`` checks that each ``PES`` term is
declared in ``ontology/``. Entity IRIs live under :data:`ID` and dereference at ``/id/...``.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

__all__ = [
    "BASE",
    "CV",
    "DCAT",
    "DCTERMS",
    "EU_COUNTRY",
    "FOAF",
    "GRAPH",
    "ID",
    "ORG",
    "OWL",
    "PES",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SH",
    "SKOS",
    "TIME",
    "VOID",
    "XSD",
    "entity_iri",
    "graph_iri",
    "slugify",
]

BASE = "https://w3id.org/graphsvc/"
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")


class ORG(DefinedNamespace):
    """W3C Organization Ontology terms used by graphsvc."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/org#")

    Organization: URIRef
    FormalOrganization: URIRef
    OrganizationalUnit: URIRef
    OrganizationalCollaboration: URIRef
    Membership: URIRef
    Role: URIRef
    ChangeEvent: URIRef
    member: URIRef
    organization: URIRef
    role: URIRef
    memberDuring: URIRef
    memberOf: URIRef
    hasMember: URIRef
    unitOf: URIRef
    hasUnit: URIRef
    originalOrganization: URIRef
    resultingOrganization: URIRef
    purpose: URIRef


class CV(DefinedNamespace):
    """SEMIC Core Vocabularies (CPOV, CPEV) terms used by graphsvc."""

    _fail = True
    _NS = Namespace("http://data.europa.eu/m8g/")

    PublicOrganisation: URIRef
    Participation: URIRef
    hasParticipation: URIRef
    playsRole: URIRef
    role: URIRef


class PES(DefinedNamespace):
    """The graphsvc ontology: terms the reused standards lack."""

    _fail = True
    _NS = Namespace(BASE + "ontology#")

    # classes
    PublicEmploymentService: URIRef
    Network: URIRef
    WapesRegion: URIRef
    Country: URIRef
    GoodPractice: URIRef
    Theme: URIRef
    TargetGroup: URIRef
    EventType: URIRef
    Project: URIRef
    ProjectPhase: URIRef
    ProjectStep: URIRef
    Achievement: URIRef
    WorkProgramme: URIRef
    WorkProgrammeCluster: URIRef
    ThematicCluster: URIRef
    Activity: URIRef
    ActivityFormat: URIRef
    Mission: URIRef
    SourceDocument: URIRef
    RecommendationFeedback: URIRef
    # properties
    region: URIRef
    country: URIRef
    cluster: URIRef
    activityFormat: URIRef
    workProgramme: URIRef
    phase: URIRef
    step: URIRef
    achievement: URIRef
    mission: URIRef
    statement: URIRef
    vision: URIRef
    presentedAt: URIRef
    transferredTo: URIRef
    foreseenFunder: URIRef
    topic: URIRef
    objective: URIRef
    expectedResult: URIRef
    workingLanguage: URIRef
    confidence: URIRef
    legalBasis: URIRef
    adoptedOn: URIRef
    adoptedBy: URIRef
    changedProperty: URIRef
    revision: URIRef
    feedbackOn: URIRef
    recommendedFor: URIRef
    verdict: URIRef
    # schemes and named individuals
    themeScheme: URIRef
    targetGroupScheme: URIRef
    eventTypeScheme: URIRef
    regionScheme: URIRef
    roleScheme: URIRef
    activityFormatScheme: URIRef
    countryScheme: URIRef


_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lower-case ASCII slug: ``"Arbetsförmedlingen"`` -> ``"arbetsformedlingen"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _SLUG_UNSAFE.sub("-", ascii_text.lower()).strip("-")
    if not slug:
        raise ValueError(f"cannot mint an IRI from {text!r}: no letters or digits")
    return slug


def entity_iri(kind: str, key: str) -> URIRef:
    """Mint the IRI of an entity: ``entity_iri("practice", "Ohjaamo")`` -> ``.../id/practice/ohjaamo``."""
    return ID[f"{kind}/{slugify(key)}"]


def graph_iri(name: str) -> URIRef:
    """Named graph IRI, e.g. ``graph_iri("ontology")`` or ``graph_iri("source/004")``."""
    return GRAPH[name]


PREFIXES: dict[str, str] = {
    "pes": str(PES._NS),
    "id": str(ID),
    "org": str(ORG._NS),
    "cv": str(CV._NS),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "schema": str(SCHEMA),
    "time": str(TIME),
    "owl": str(OWL),
    "rdfs": str(RDFS),
    "rdf": str(RDF),
    "xsd": str(XSD),
    "sh": str(SH),
    "dcat": str(DCAT),
    "void": str(VOID),
    "country": str(EU_COUNTRY),
}
"""Prefixes used in Turtle/TriG output and accepted by default in SPARQL queries."""
