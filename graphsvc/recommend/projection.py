"""The NetworkX projection of the knowledge graph that recommendations walk on.

Nodes are practices, PES, countries, WAPES regions, themes (with their ``skos:broader`` hierarchy),
target groups, events and networks; every node carries ``kind`` and ``label``. Edges are undirected,
typed (``kind``) and weighted (``weight``, from :data:`EDGE_WEIGHTS`):

==================  =====================================  ======
edge kind           from the data model                    weight
==================  =====================================  ======
``theme``           practice ``dct:subject`` theme           1.0
``event``           practice ``pes:presentedAt`` event       1.0
``target-group``    practice ``dct:audience`` group          0.5
``pes``             practice ``prov:wasAttributedTo`` PES    0.5
``country``         practice ``dct:spatial`` country         0.25
``broader``         theme ``skos:broader`` theme             0.5
``event-theme``     event ``dct:subject`` theme              0.5
``event-agent``     event organiser, host or moderator       0.5
``pes-country``     PES ``dct:spatial`` country              1.0
``country-region``  country ``pes:region`` region            1.0
``member-of``       PES member of a network (either form)    0.25
``network-region``  network ``org:hasUnit`` region           0.25
==================  =====================================  ======

The weights say how much a link tells about relatedness: a shared theme or event says more than a
shared target group or PES, and a shared country or network least. They were chosen on a
development seed of the synthetic data (``docs/recommendations.md``), never on the reported ones.

Only edges between nodes the source knows are projected, so a practice that names an unknown theme
simply lacks that edge. :func:`practice_edges` and :func:`context_edges` are the single definition
of the edges; the graph below and the sparse index (``graphsvc.recommend.adjacency``) both use them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx

from graphsvc.model.records import Practice, pick_label
from graphsvc.recommend.source import GraphSource

__all__ = [
    "EDGE_WEIGHTS",
    "Edge",
    "EdgeKind",
    "NodeKind",
    "add_context_node",
    "build_projection",
    "context_edges",
    "context_edges_of",
    "kind_of",
    "node_kinds",
    "node_label",
    "practice_country",
    "practice_edges",
    "practice_region",
    "replace_practice",
]


class NodeKind(enum.IntEnum):
    PRACTICE = 0
    PES = 1
    COUNTRY = 2
    REGION = 3
    THEME = 4
    TARGET_GROUP = 5
    EVENT = 6
    NETWORK = 7


class EdgeKind(enum.StrEnum):
    THEME = "theme"
    EVENT = "event"
    TARGET_GROUP = "target-group"
    PES = "pes"
    COUNTRY = "country"
    BROADER = "broader"
    EVENT_THEME = "event-theme"
    EVENT_AGENT = "event-agent"
    PES_COUNTRY = "pes-country"
    COUNTRY_REGION = "country-region"
    MEMBER_OF = "member-of"
    NETWORK_REGION = "network-region"


EDGE_WEIGHTS: dict[EdgeKind, float] = {
    EdgeKind.THEME: 1.0,
    EdgeKind.EVENT: 1.0,
    EdgeKind.TARGET_GROUP: 0.5,
    EdgeKind.PES: 0.5,
    EdgeKind.COUNTRY: 0.25,
    EdgeKind.BROADER: 0.5,
    EdgeKind.EVENT_THEME: 0.5,
    EdgeKind.EVENT_AGENT: 0.5,
    EdgeKind.PES_COUNTRY: 1.0,
    EdgeKind.COUNTRY_REGION: 1.0,
    EdgeKind.MEMBER_OF: 0.25,
    EdgeKind.NETWORK_REGION: 0.25,
}


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind

    @property
    def weight(self) -> float:
        return EDGE_WEIGHTS[self.kind]


def node_kinds(source: GraphSource) -> dict[str, NodeKind]:
    """Every node of the projection with its kind (a practice wins over any other reading)."""
    kinds: dict[str, NodeKind] = {}
    for table, kind in (
        (source.networks, NodeKind.NETWORK),
        (source.events, NodeKind.EVENT),
        (source.target_groups, NodeKind.TARGET_GROUP),
        (source.themes, NodeKind.THEME),
        (source.regions, NodeKind.REGION),
        (source.countries, NodeKind.COUNTRY),
        (source.pes, NodeKind.PES),
        (source.practices, NodeKind.PRACTICE),
    ):
        for iri in table:
            kinds[iri] = kind
    return kinds


def node_label(source: GraphSource, iri: str, lang: str = "en") -> str:
    """The display label of a node (English when there is one), else its IRI."""
    if (practice := source.practices.get(iri)) is not None:
        return pick_label(practice.title, lang, iri)
    if (pes := source.pes.get(iri)) is not None:
        return pick_label(pes.labels, lang, pes.alt_labels[0] if pes.alt_labels else iri)
    if (event := source.events.get(iri)) is not None:
        return pick_label(event.name, lang, iri)
    if (network := source.networks.get(iri)) is not None:
        return pick_label(
            network.labels, lang, network.alt_labels[0] if network.alt_labels else iri
        )
    for table in (source.themes, source.target_groups):
        if (concept := table.get(iri)) is not None:
            return pick_label(concept.labels, lang, iri)
    if (country := source.countries.get(iri)) is not None:
        return pick_label(country.labels, lang, country.notation or iri)
    if (region := source.regions.get(iri)) is not None:
        return pick_label(region.labels, lang, iri)
    return iri


def practice_country(source: GraphSource, practice: Practice) -> str | None:
    """The practice's country, else its PES's country."""
    if practice.country:
        return practice.country
    pes = source.pes.get(practice.pes) if practice.pes else None
    return pes.country if pes is not None else None


def practice_region(source: GraphSource, practice: Practice) -> str | None:
    country_iri = practice_country(source, practice)
    country = source.countries.get(country_iri) if country_iri else None
    return country.region if country is not None else None


def practice_edges(source: GraphSource, practice: Practice) -> list[Edge]:
    """The edges of one practice, to the nodes ``source`` knows, sorted and without repeats."""
    iri = practice.iri
    edges: set[Edge] = set()
    for theme in practice.themes:
        if theme in source.themes:
            edges.add(Edge(iri, theme, EdgeKind.THEME))
    for group in practice.target_groups:
        if group in source.target_groups:
            edges.add(Edge(iri, group, EdgeKind.TARGET_GROUP))
    for event in practice.events:
        if event in source.events:
            edges.add(Edge(iri, event, EdgeKind.EVENT))
    if practice.pes and practice.pes in source.pes:
        edges.add(Edge(iri, practice.pes, EdgeKind.PES))
    if practice.country and practice.country in source.countries:
        edges.add(Edge(iri, practice.country, EdgeKind.COUNTRY))
    return sorted(edges, key=lambda e: (e.target, e.kind))


def context_edges(source: GraphSource) -> Iterator[Edge]:
    """Every edge that does not touch a practice."""
    for theme in source.themes.values():
        for broader in theme.broader:
            if broader in source.themes and broader != theme.iri:
                yield Edge(theme.iri, broader, EdgeKind.BROADER)
    for event in source.events.values():
        for theme_iri in event.themes:
            if theme_iri in source.themes:
                yield Edge(event.iri, theme_iri, EdgeKind.EVENT_THEME)
        for agent in {*event.organizers, *event.hosts, *event.moderators}:
            if agent in source.pes or agent in source.networks:
                yield Edge(event.iri, agent, EdgeKind.EVENT_AGENT)
    for pes in source.pes.values():
        if pes.country and pes.country in source.countries:
            yield Edge(pes.iri, pes.country, EdgeKind.PES_COUNTRY)
    for country in source.countries.values():
        if country.region and country.region in source.regions:
            yield Edge(country.iri, country.region, EdgeKind.COUNTRY_REGION)
    members: set[tuple[str, str]] = {
        (m.member, m.organization)
        for m in source.memberships.values()
        if m.member in source.pes and m.organization in source.networks
    }
    members |= {(p.iri, n) for p in source.pes.values() for n in p.networks if n in source.networks}
    for pes_iri, network_iri in sorted(members):
        yield Edge(pes_iri, network_iri, EdgeKind.MEMBER_OF)
    for network in source.networks.values():
        for region in network.regions:
            if region in source.regions:
                yield Edge(network.iri, region, EdgeKind.NETWORK_REGION)


def _add_edge(graph: nx.Graph[str], edge: Edge) -> None:
    # Two links between the same pair (a PES that both organises and hosts an event) count once.
    if not graph.has_edge(edge.source, edge.target):
        graph.add_edge(edge.source, edge.target, kind=edge.kind.value, weight=edge.weight)


def build_projection(source: GraphSource) -> nx.Graph[str]:
    """The whole projection as an undirected weighted NetworkX graph.

    Complexity: O(nodes + edges). Example::

        >>> g = build_projection(read_model)                        # doctest: +SKIP
        >>> g.edges["https://w3id.org/graphsvc/id/practice/ohjaamo",
        ...         "https://w3id.org/graphsvc/id/theme/youth-guarantee"]["kind"]  # doctest: +SKIP
        'theme'
    """
    graph: nx.Graph[str] = nx.Graph()
    for iri, kind in node_kinds(source).items():
        graph.add_node(iri, kind=kind.name.lower(), label=node_label(source, iri))
    for edge in context_edges(source):
        _add_edge(graph, edge)
    for practice in source.practices.values():
        for edge in practice_edges(source, practice):
            _add_edge(graph, edge)
    return graph


def kind_of(source: GraphSource, iri: str) -> NodeKind | None:
    """The kind of node ``iri`` is in the projection, or ``None`` if it is not a node."""
    for table, kind in (
        (source.practices, NodeKind.PRACTICE),
        (source.pes, NodeKind.PES),
        (source.countries, NodeKind.COUNTRY),
        (source.regions, NodeKind.REGION),
        (source.themes, NodeKind.THEME),
        (source.target_groups, NodeKind.TARGET_GROUP),
        (source.events, NodeKind.EVENT),
        (source.networks, NodeKind.NETWORK),
    ):
        if iri in table:
            return kind
    return None


def context_edges_of(source: GraphSource, iri: str) -> list[Edge]:
    """The edges of :func:`context_edges` that touch the non-practice node ``iri``, sorted.

    Complexity: O(themes + memberships + events) for a theme, PES or network; O(degree) otherwise.
    """
    edges: list[Edge] = []
    kind = kind_of(source, iri)
    if kind is NodeKind.THEME:
        theme = source.themes[iri]
        edges += [Edge(iri, b, EdgeKind.BROADER) for b in theme.broader if b in source.themes]
        edges += [
            Edge(other.iri, iri, EdgeKind.BROADER)
            for other in source.themes.values()
            if iri in other.broader and other.iri != iri
        ]
        edges += [
            Edge(e.iri, iri, EdgeKind.EVENT_THEME)
            for e in source.events.values()
            if iri in e.themes
        ]
    elif kind is NodeKind.EVENT:
        event = source.events[iri]
        edges += [Edge(iri, t, EdgeKind.EVENT_THEME) for t in event.themes if t in source.themes]
        agents = {*event.organizers, *event.hosts, *event.moderators}
        edges += [
            Edge(iri, a, EdgeKind.EVENT_AGENT)
            for a in agents
            if a in source.pes or a in source.networks
        ]
    elif kind is NodeKind.PES or kind is NodeKind.NETWORK:
        pes = source.pes.get(iri)
        if pes is not None and pes.country in source.countries and pes.country:
            edges.append(Edge(iri, pes.country, EdgeKind.PES_COUNTRY))
        for m in source.memberships.values():
            if (
                iri in (m.member, m.organization)
                and m.member in source.pes
                and m.organization in source.networks
            ):
                edges.append(Edge(m.member, m.organization, EdgeKind.MEMBER_OF))
        if pes is not None:
            edges += [
                Edge(iri, n, EdgeKind.MEMBER_OF) for n in pes.networks if n in source.networks
            ]
        if iri in source.networks:
            edges += [
                Edge(p.iri, iri, EdgeKind.MEMBER_OF)
                for p in source.pes.values()
                if iri in p.networks
            ]
        network = source.networks.get(iri)
        if network is not None:
            edges += [
                Edge(iri, r, EdgeKind.NETWORK_REGION)
                for r in network.regions
                if r in source.regions
            ]
        for e in source.events.values():
            if iri in e.organizers or iri in e.hosts or iri in e.moderators:
                edges.append(Edge(e.iri, iri, EdgeKind.EVENT_AGENT))
    elif kind is NodeKind.COUNTRY:
        country = source.countries[iri]
        if country.region and country.region in source.regions:
            edges.append(Edge(iri, country.region, EdgeKind.COUNTRY_REGION))
        edges += [
            Edge(p.iri, iri, EdgeKind.PES_COUNTRY) for p in source.pes.values() if p.country == iri
        ]
    elif kind is NodeKind.REGION:
        edges += [
            Edge(c.iri, iri, EdgeKind.COUNTRY_REGION)
            for c in source.countries.values()
            if c.region == iri
        ]
        edges += [
            Edge(n.iri, iri, EdgeKind.NETWORK_REGION)
            for n in source.networks.values()
            if iri in n.regions
        ]
    return sorted(set(edges), key=lambda e: (e.source, e.target, e.kind))


def replace_practice(graph: nx.Graph[str], source: GraphSource, iri: str) -> None:
    """Bring one practice's node and edges in ``graph`` up to date with ``source`` (or drop it).

    A node the practice is the first to mention (a new event) is added with its context edges.
    """
    if graph.has_node(iri):
        graph.remove_node(iri)
    practice = source.practices.get(iri)
    if practice is None:
        return
    graph.add_node(iri, kind=NodeKind.PRACTICE.name.lower(), label=node_label(source, iri))
    for edge in practice_edges(source, practice):
        if not graph.has_node(edge.target):
            add_context_node(graph, source, edge.target)
        _add_edge(graph, edge)


def add_context_node(graph: nx.Graph[str], source: GraphSource, iri: str) -> None:
    kind = kind_of(source, iri)
    if kind is None:
        return
    graph.add_node(iri, kind=kind.name.lower(), label=node_label(source, iri))
    for edge in context_edges_of(source, iri):
        other = edge.target if edge.source == iri else edge.source
        if graph.has_node(other):
            _add_edge(graph, edge)
