"""A change to a non-practice node rebuilds the index in a background thread: the change returns
before the rebuild is done, the previous index is served meanwhile, practices changed during the
rebuild are not lost, and once the rebuild is done the index equals a fresh build.

A :class:`Gate` holds each background build after it has read the source, so every test decides
the order of events; the timeouts only keep a broken implementation from hanging the run.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import graphsvc.recommend.index as index_module
from graphsvc.errors import GraphsvcError, NotFoundError
from graphsvc.recommend.build import build_state
from graphsvc.recommend.features import Signal
from graphsvc.recommend.index import RecommendationIndex
from graphsvc.recommend.projection import NodeKind
from graphsvc.recommend.source import GraphSource, RecordSet
from graphsvc.recommend.state import IndexState
from graphsvc.vocab import ID

GUARD = 60.0  # seconds; a guard against hanging, never what a test checks


@dataclass
class Gate:
    """Holds background builds once they have read the source, until ``release`` is set.

    While ``armed``, a build in the thread that made the change fails the test: it would mean the
    rebuild ran in the write path.
    """

    caller: threading.Thread = field(default_factory=threading.current_thread)
    armed: bool = False
    built: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    states: list[IndexState] = field(default_factory=list)
    threads: list[str] = field(default_factory=list)

    def build(self, source: GraphSource, **options: Any) -> IndexState:
        if threading.current_thread() is self.caller:
            if self.armed:
                raise AssertionError("the rebuild ran in the thread that made the change")
            return build_state(source, **options)
        state = build_state(source, **options)
        self.states.append(state)
        self.threads.append(threading.current_thread().name)
        self.built.set()
        if not self.release.wait(GUARD):
            raise AssertionError("the test never released the build")
        return state


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    gate = Gate()
    monkeypatch.setattr(index_module, "build_state", gate.build)
    yield gate
    gate.release.set()  # let a build the test left held finish


def structure(index: RecommendationIndex) -> dict[str, Any]:
    """The index's content by IRI (node ids differ between a built and an updated index)."""
    state = index.state
    live = [
        n for n in range(len(state.iris)) if state.kind[n] != NodeKind.PRACTICE or state.alive[n]
    ]
    edges = set()
    for n in live:
        cols, weights, kinds = state.adjacency.row(n)
        edges |= {
            (state.iris[n], state.iris[int(c)], round(float(w), 12), int(k))
            for c, w, k in zip(cols, weights, kinds, strict=True)
        }
    return {
        "nodes": sorted(state.iris[n] for n in live),
        "edges": edges,
        "features": {
            state.iris[n]: sorted(state.features.features(n))
            for n in live
            if state.kind[n] == NodeKind.PRACTICE
        },
        "portfolios": {p: state.peers_index.portfolio(p) for p in sorted(index.source.pes)},
        "context graph": {
            frozenset((state.iris[a], state.iris[b])) for a, b in state.context_graph.edges
        },
    }


def answers(index: RecommendationIndex, practices: list[str]) -> list[object]:
    out: list[object] = []
    for iri in practices:
        for strategy in ("similarity", "pagerank", "hybrid"):
            out.append(
                [(r.iri, round(r.score, 9), r.reasons) for r in index.related(iri, 10, strategy)]
            )
    for pes in sorted(index.source.pes)[:5]:
        out.append([(r.iri, round(r.score, 9)) for r in index.peers(pes, 5)])
        out.append([(r.iri, round(r.score, 9)) for r in index.recommended_practices(pes, 5)])
    return out


def assert_equals_a_fresh_build(index: RecommendationIndex, source: RecordSet) -> None:
    fresh = RecommendationIndex(source)
    assert structure(index) == structure(fresh)
    probe = sorted(source.practices)[::25]
    assert answers(index, probe) == answers(fresh, probe)


def move_a_pes(source: RecordSet, which: int = 0) -> str:
    """Give a PES another country: a change to a non-practice node."""
    pes = sorted(source.pes)[which]
    other = next(c for c in sorted(source.countries) if c != source.pes[pes].country)
    source.pes[pes] = dataclasses.replace(source.pes[pes], country=other)
    return pes


def test_a_change_to_another_node_returns_before_the_rebuild_is_done(
    generated: Callable[[int, int], RecordSet], gate: Gate
) -> None:
    source = generated(300, 3)
    index = RecommendationIndex(source)
    probe = sorted(source.practices)[::30]
    served, version, before = index.state, index.version, answers(index, probe)
    gate.armed = True

    index.apply_change([move_a_pes(source)])

    # the change has returned while the build, in another thread, is held
    assert gate.built.wait(GUARD)
    assert gate.threads == ["recommendation-index-rebuild"]
    assert index.rebuilding and not gate.release.is_set()
    assert index.state is served and index.version == version  # the previous index is served
    assert answers(index, probe) == before
    assert index.wait_until_current(timeout=0) is False  # not current yet

    gate.release.set()
    assert index.wait_until_current(GUARD)
    assert not index.rebuilding
    assert index.state is gate.states[0] and index.version > version
    gate.armed = False
    assert_equals_a_fresh_build(index, source)


def test_practices_changed_during_a_rebuild_are_in_the_new_index(
    generated: Callable[[int, int], RecordSet], gate: Gate
) -> None:
    source = generated(300, 4)
    index = RecommendationIndex(source)
    gate.armed = True
    index.apply_change([move_a_pes(source)])
    assert gate.built.wait(GUARD)  # the new state has read the source: what follows is not in it

    iris = sorted(source.practices)
    new = str(ID["practice/written-during-the-rebuild"])
    source.practices[new] = dataclasses.replace(source.practices[iris[0]], iri=new)
    updated = iris[1]
    themes = tuple(sorted(source.themes)[:2])
    source.practices[updated] = dataclasses.replace(source.practices[updated], themes=themes)
    deleted = iris[2]
    del source.practices[deleted]
    for iri in (new, updated, deleted):
        index.apply_change([iri])
    assert new not in gate.states[0].ids  # the build predates them

    # served at once from the previous state
    assert index.rebuilding
    assert iris[0] in [r.iri for r in index.related(new, 5)]  # its twin
    with pytest.raises(NotFoundError):
        index.related(deleted)

    gate.release.set()
    assert index.wait_until_current(GUARD)
    assert index.state is gate.states[0]
    assert iris[0] in [r.iri for r in index.related(new, 5)]
    with pytest.raises(NotFoundError):
        index.related(deleted)
    gate.armed = False
    assert_equals_a_fresh_build(index, source)


def test_another_change_during_a_rebuild_starts_one_more(
    generated: Callable[[int, int], RecordSet], gate: Gate
) -> None:
    source = generated(300, 5)
    index = RecommendationIndex(source)
    gate.armed = True
    index.apply_change([move_a_pes(source, 0)])
    assert gate.built.wait(GUARD)
    index.apply_change([move_a_pes(source, 1)])  # the held build read the source before this
    theme = next((t for t in sorted(source.themes) if source.themes[t].broader), None)
    assert theme is not None
    source.themes[theme] = dataclasses.replace(source.themes[theme], broader=())
    practice = sorted(source.practices)[0]
    source.practices[practice] = dataclasses.replace(source.practices[practice], themes=(theme,))
    index.apply_change([theme, practice])  # both kinds in one write

    gate.release.set()
    assert index.wait_until_current(GUARD)
    assert len(gate.states) == 2 and index.state is gate.states[1]
    assert index.state.features.features(index.state.ids[practice])[0] == (Signal.THEME, theme)
    gate.armed = False
    assert_equals_a_fresh_build(index, source)


def test_a_failed_rebuild_keeps_the_previous_index_and_says_so(
    generated: Callable[[int, int], RecordSet], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = generated(200, 3)
    index = RecommendationIndex(source)
    served = index.state

    def broken(source: GraphSource, **options: Any) -> IndexState:
        raise RuntimeError("no memory left")

    monkeypatch.setattr(index_module, "build_state", broken)
    index.apply_change([move_a_pes(source)])
    with pytest.raises(GraphsvcError, match="rebuilding the recommendation index failed"):
        index.wait_until_current(GUARD)
    assert index.state is served and not index.rebuilding
    assert index.related(sorted(source.practices)[0], 3)

    monkeypatch.setattr(index_module, "build_state", build_state)
    index.apply_change([move_a_pes(source, 1)])  # the next change tries again
    assert index.wait_until_current(GUARD)
    assert_equals_a_fresh_build(index, source)
