"""Building an :class:`~graphsvc.recommend.state.IndexState` from a source, in one pass.

:func:`build_state` numbers the nodes of the projection in IRI order, collects the context edges
and every practice's edges into one CSR matrix, and fills the feature postings and the PES
portfolios; O(nodes + edges). It reads a copy of the source's collections taken at the start
(:func:`consistent_copy`), so it can run in a background thread while writers change the source.

A practice's features (:func:`practice_features`) are computed here and by the incremental
updates alike, so an updated practice looks exactly as it would after a fresh build. Example::

    >>> state = build_state(read_model)                                  # doctest: +SKIP
    >>> state.adjacency.size                                             # doctest: +SKIP
    12345
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext

import networkx as nx
import numpy as np

from graphsvc.model.records import Practice, pick_label
from graphsvc.recommend import communities
from graphsvc.recommend.adjacency import Adjacency
from graphsvc.recommend.features import Feature, FeatureIndex, Signal
from graphsvc.recommend.places import Places
from graphsvc.recommend.portfolios import PeerIndex
from graphsvc.recommend.projection import (
    EDGE_WEIGHTS,
    NodeKind,
    context_edges,
    node_kinds,
    practice_country,
    practice_edges,
    practice_region,
)
from graphsvc.recommend.source import GraphSource, RecordSet
from graphsvc.recommend.state import EDGE_CODE, EDGE_KINDS, IndexState
from graphsvc.recommend.text import TextIndex, practice_terms

__all__ = [
    "build_state",
    "consistent_copy",
    "practice_features",
    "theme_ancestors",
    "theme_distances",
]


def theme_ancestors(source: GraphSource) -> dict[str, frozenset[str]]:
    """Each theme's strict ancestors through ``skos:broader``. O(themes x depth)."""
    out: dict[str, frozenset[str]] = {}
    for theme in source.themes:
        seen: set[str] = set()
        todo = list(source.themes[theme].broader)
        while todo:
            b = todo.pop()
            if b in seen or b == theme or b not in source.themes:
                continue
            seen.add(b)
            todo.extend(source.themes[b].broader)
        out[theme] = frozenset(seen)
    return out


def theme_distances(source: GraphSource) -> dict[str, dict[str, int]]:
    """Each theme's broader and narrower themes with the number of ``skos:broader`` steps to
    them (the shortest chain). O(themes x depth)."""
    out: dict[str, dict[str, int]] = {t: {} for t in source.themes}
    for theme in source.themes:
        frontier, seen, step = [theme], {theme}, 0
        while frontier:
            step += 1
            nxt = []
            for t in frontier:
                for b in source.themes[t].broader:
                    if b in source.themes and b not in seen:
                        seen.add(b)
                        nxt.append(b)
                        out[theme][b] = step  # b is broader than theme
                        out[b].setdefault(theme, step)  # and theme narrower than b
            frontier = nxt
    return out


def practice_features(
    source: GraphSource, practice: Practice, ancestors: Mapping[str, frozenset[str]]
) -> list[Feature]:
    """The features of a practice (see :mod:`graphsvc.recommend.features`), to known nodes only."""
    themes = [t for t in practice.themes if t in source.themes]
    out: list[Feature] = [(Signal.THEME, t) for t in themes]
    broader = set().union(*(ancestors.get(t, frozenset()) for t in themes)) - set(themes)
    out += [(Signal.BROADER_THEME, t) for t in sorted(broader)]
    out += [(Signal.TARGET_GROUP, g) for g in practice.target_groups if g in source.target_groups]
    if practice.pes and practice.pes in source.pes:
        out.append((Signal.PES, practice.pes))
    country = practice_country(source, practice)
    if country and country in source.countries:
        out.append((Signal.COUNTRY, country))
    region = practice_region(source, practice)
    if region and region in source.regions:
        out.append((Signal.REGION, region))
    out += [(Signal.EVENT, e) for e in practice.events if e in source.events]
    return out


def consistent_copy(source: GraphSource) -> RecordSet:
    """The source's collections as they are now, copied under the source's ``lock`` if it has one.

    The read model changes its practices in place under its lock, so a copy taken under it is one
    moment of the source. Shallow: O(records), a few milliseconds at 100k practices.
    """
    lock: AbstractContextManager[object] = getattr(source, "lock", None) or nullcontext()
    with lock:
        return RecordSet.of(source)


def build_state(
    source: GraphSource,
    *,
    signal_weights: Mapping[Signal, float] | None = None,
) -> IndexState:
    """A new state built from a :func:`consistent_copy` of ``source``; the state reads ``source``
    itself afterwards (labels, incremental updates), its places only from the copy."""
    started = time.perf_counter()
    records = consistent_copy(source)
    kinds = node_kinds(records)
    iris = sorted(kinds)
    ids = {iri: i for i, iri in enumerate(iris)}
    n = len(iris)
    ancestors = theme_ancestors(records)
    us: list[int] = []
    vs: list[int] = []
    ks: list[int] = []
    context: dict[int, set[int]] = {}
    context_graph: nx.Graph[int] = nx.Graph()
    context_graph.add_nodes_from(i for i, iri in enumerate(iris) if kinds[iri] != NodeKind.PRACTICE)
    for edge in context_edges(records):
        a, b = ids[edge.source], ids[edge.target]
        us.append(a)
        vs.append(b)
        ks.append(EDGE_CODE[edge.kind])
        context.setdefault(a, set()).add(b)
        context.setdefault(b, set()).add(a)
        if not context_graph.has_edge(a, b):  # a repeated pair keeps its first edge, as below
            context_graph.add_edge(a, b, cost=1.0 / EDGE_WEIGHTS[edge.kind])
    features = FeatureIndex(n, signal_weights)
    peers_index = PeerIndex()
    text = TextIndex()
    search = getattr(source, "search", None)  # the read model's search postings, if any
    years = np.zeros(n, dtype=np.int16)
    placed: list[tuple[int, list[Feature], str, int | None]] = []
    for practice in records.practices.values():
        pid = ids[practice.iri]
        text.set_terms(pid, practice_terms(practice, search))
        for edge in practice_edges(records, practice):
            us.append(pid)
            vs.append(ids[edge.target])
            ks.append(EDGE_CODE[edge.kind])
        found = practice_features(records, practice, ancestors)
        features.set_features(pid, found)
        placed.append((pid, found, pick_label(practice.title, "en", practice.iri), practice.year))
        if practice.pes and practice.pes in records.pes:
            peers_index.add(practice.pes, found)
    weights = np.array([EDGE_WEIGHTS[k] for k in EDGE_KINDS])[np.array(ks, dtype=np.int64)]
    adjacency = Adjacency.from_edges(n, us, vs, weights, ks)
    node_kind = np.array([int(kinds[i]) for i in iris], dtype=np.int8)
    state = IndexState(
        source,
        iris,
        node_kind,
        ancestors,
        context,
        features,
        peers_index,
        Places.of(records),
        adjacency,
        text=text,
        years=years,
        community=communities.detect(adjacency, node_kind),
        context_graph=context_graph,
        theme_distance=theme_distances(records),
        build_seconds=0.0,
    )
    for pid, found, title, year in placed:
        state.set_practice(pid, found, title, year or 0)
    state.rank_titles({pid: title for pid, _, title, _ in placed})
    state.build_seconds = time.perf_counter() - started
    return state
