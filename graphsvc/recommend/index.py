"""The recommendation index: related practices, practices for a PES or a profile, peer PES.

:class:`RecommendationIndex` is what the service holds and the GraphQL resolvers call. It serves
one :class:`~graphsvc.recommend.state.IndexState` built from a
:class:`~graphsvc.recommend.source.GraphSource` (the read model), which holds

- the projection (:mod:`graphsvc.recommend.projection`) as arrays (:class:`~graphsvc.recommend.adjacency.Adjacency`), which personalised
  PageRank by forward push walks (:mod:`graphsvc.recommend.ppr`);
- the practices' features (:class:`~graphsvc.recommend.features.FeatureIndex`) for the
  neighbourhood similarity, the PES portfolios (:mod:`graphsvc.recommend.peers`), and each PES's
  country, region and networks as the build read them (:mod:`graphsvc.recommend.places`);
- the text postings (:mod:`graphsvc.recommend.text`), the communities found by Louvain
  (:mod:`graphsvc.recommend.communities`) and the NetworkX graph of the nodes other than
  practices that explanation paths are found on (:mod:`graphsvc.recommend.paths`). No NetworkX
  copy of the whole projection is kept: :func:`~graphsvc.recommend.projection.build_projection`
  makes one for analysis and baselines.

The work is split by what it does: :mod:`~graphsvc.recommend.build` builds a state,
:mod:`~graphsvc.recommend.incremental` updates it practice by practice and
:mod:`~graphsvc.recommend.ranking` (:func:`~graphsvc.recommend.ranking.rank`) ranks and explains.

Deterministic: the same data gives the same rankings; ties are broken on content (PageRank,
text, year, title, then IRI), so the order never depends on load or update order.

Freshness: :meth:`RecommendationIndex.update_practice` re-reads one practice from the source and
replaces its edges, features and portfolio counts, O(degree of its neighbours). A change to any
other node of the projection (a PES, a theme, an event) needs a rebuild, which takes seconds at
100k practices; :meth:`RecommendationIndex.apply_change` starts it in a background thread and
returns, and the previous state is served until the new one replaces it. Practices that change
while a rebuild runs are updated in the served state at once and applied again to the new state
before it is swapped in, since the build may have read the source before they changed; a change
to another node during a rebuild starts one more. Once no rebuild is pending
(:meth:`RecommendationIndex.wait_until_current`), the index equals a fresh build of the source.

Concurrency: writers (the change listener, the rebuild thread when it swaps) hold ``index.lock``;
readers take no lock. A query reads the state once, and a rebuild replaces the state as a whole,
so no query mixes two builds: what a query needs of nodes other than practices (places,
portfolios, edges) is kept in the state, and only labels are read from the source. Updates replace whole rows, arrays and cached entries rather than
editing them in place, so a reader sees each of them before or after a change, never
half-written; a query that runs while a practice is being updated may see the new edges of that
practice with its old features.

Build: O(nodes + edges); a query: see :mod:`~graphsvc.recommend.queries`. Example::

    >>> index = RecommendationIndex(read_model)                         # doctest: +SKIP
    >>> [r.label for r in index.related(practice_iri, first=3)]         # doctest: +SKIP
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence

from graphsvc.errors import GraphsvcError
from graphsvc.recommend import communities, incremental, paths
from graphsvc.recommend.adjacency import Adjacency, FloatArray
from graphsvc.recommend.build import build_state, practice_features, theme_ancestors
from graphsvc.recommend.communities import Cluster
from graphsvc.recommend.explain import NodeRef, Recommendation
from graphsvc.recommend.features import SIGNAL_WEIGHTS, FeatureIndex, Signal
from graphsvc.recommend.filters import Filters
from graphsvc.recommend.portfolios import PeerIndex
from graphsvc.recommend.projection import NodeKind, kind_of
from graphsvc.recommend.ranking import (
    HYBRID_WEIGHTS,
    Ranking,
    RankKind,
    RankRequest,
    Strategy,
    rank,
)
from graphsvc.recommend.source import GraphSource
from graphsvc.recommend.state import BoolArray, IndexState

__all__ = [
    "HYBRID_WEIGHTS",
    "RecommendationIndex",
    "Strategy",
    "practice_features",
    "theme_ancestors",
]

log = logging.getLogger(__name__)


class RecommendationIndex:
    """Everything recommendations read; see the module docstring."""

    def __init__(
        self,
        source: GraphSource,
        *,
        signal_weights: Mapping[Signal, float] | None = None,
    ) -> None:
        self.source = source
        self.signal_weights = dict(signal_weights or SIGNAL_WEIGHTS)
        self.lock = threading.RLock()
        self._rebuilt = threading.Condition(self.lock)
        self._worker: threading.Thread | None = None  # the rebuild thread, while one runs
        self._requested = False  # a rebuild was asked for that the worker has not started yet
        self._replay: dict[str, None] = {}  # practices changed while the worker runs, in order
        self._failure: Exception | None = None
        self.version = 0
        self._state = self._build()
        self.version += 1

    # -- the current state ------------------------------------------------------------------------

    @property
    def state(self) -> IndexState:
        """The state queries read now; capture it once to read several structures consistently."""
        return self._state

    @property
    def build_seconds(self) -> float:
        return self._state.build_seconds

    @property
    def adjacency(self) -> Adjacency:
        return self._state.adjacency

    @property
    def features(self) -> FeatureIndex:
        return self._state.features

    @property
    def peers_index(self) -> PeerIndex:
        return self._state.peers_index

    # -- building and freshness -------------------------------------------------------------------

    def _build(self) -> IndexState:
        return build_state(self.source, signal_weights=self.signal_weights)

    def rebuild(self) -> None:
        """Build everything again from the source, in this thread (writers wait meanwhile)."""
        with self.lock:
            self._state = self._build()  # one assignment: readers see the old or the new state
            self.version += 1

    @property
    def rebuilding(self) -> bool:
        """Whether a background rebuild is pending: the served state may lag the source."""
        with self.lock:
            return self._worker is not None

    def rebuild_in_background(self) -> None:
        """Start a rebuild in a background thread (or, if one runs, one more after it) and return.

        The previous state is served until the new one is swapped in.
        """
        with self.lock:
            self._requested = True
            self._failure = None
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._rebuild_until_current,
                    name="recommendation-index-rebuild",
                    daemon=True,  # it only reads memory: no reason to delay the process's exit
                )
                self._worker.start()

    def wait_until_current(self, timeout: float | None = None) -> bool:
        """Return once no rebuild is pending: then the index equals a fresh build of the source
        as of the last change it was told about. ``False`` if ``timeout`` seconds passed first;
        a :class:`~graphsvc.errors.GraphsvcError` if the last rebuild failed."""
        with self._rebuilt:
            done = self._rebuilt.wait_for(lambda: self._worker is None, timeout)
            if self._failure is not None:
                raise GraphsvcError("rebuilding the recommendation index failed") from self._failure
            return done

    def _rebuild_until_current(self) -> None:
        """The rebuild thread: build, re-apply the practices that changed meanwhile, swap; again
        while rebuilds were asked for during the build."""
        while True:
            with self.lock:
                if not self._requested:
                    # in the same critical section as the check, so a request made after it
                    # starts a new worker
                    self._worker = None
                    self._replay.clear()
                    self._rebuilt.notify_all()
                    return
                self._requested = False
            try:
                state = self._build()  # without the lock: practice updates go on meanwhile
                with self.lock:
                    for iri in self._replay:
                        incremental.update_practice(state, iri)
                    self._replay.clear()
                    self._state = state
                    self.version += 1
            except Exception as exc:
                log.exception("rebuilding the recommendation index failed; serving the previous")
                with self.lock:
                    self._failure = exc
                    self._requested = False  # the next change asks again

    def apply_change(self, subjects: Iterable[str]) -> None:
        """After a write that touched ``subjects``: update practices one by one; rebuild in the
        background if a known non-practice node changed; ignore subjects the projection does
        not hold."""
        with self.lock:
            state = self._state
            practices: list[str] = []
            other = False
            for subject in dict.fromkeys(subjects):
                known = state.ids.get(subject)
                is_practice = subject in self.source.practices or (
                    known is not None and state.kind[known] == NodeKind.PRACTICE
                )
                if is_practice:
                    practices.append(subject)
                elif known is not None or kind_of(self.source, subject) is not None:
                    other = True
            if other:
                self.rebuild_in_background()
            for iri in practices:
                self.update_practice(iri)

    def update_practice(self, iri: str) -> None:
        """Bring one practice up to date with the source, or remove it if the source lost it."""
        with self.lock:
            incremental.update_practice(self._state, iri)
            if self._worker is not None:
                self._replay[iri] = None  # the state being built may predate this change
            self.version += 1

    # -- lookups ----------------------------------------------------------------------------------

    def node_id(self, iri: str, kind: NodeKind, what: str) -> int:
        """The id of ``iri`` if it is a node of ``kind``, else :class:`NotFoundError`."""
        return self._state.node_id(iri, kind, what)

    def ref(self, node: int, lang: str = "en") -> NodeRef:
        """The node with its label in ``lang`` (English ones cached)."""
        return self._state.ref(node, lang)

    def iri_of(self, node: int) -> str:
        return self._state.iri_of(node)

    def alive_practices(self) -> BoolArray:
        """A fresh mask over node ids of the practices the index holds."""
        return self._state.alive_practices()

    def top(self, score: FloatArray, mask: BoolArray, k: int) -> list[int]:
        """The ids of the ``k`` best positive scores in ``mask``, ties broken by the IRI hash."""
        return self._state.top(score, mask, k)

    def ref_of(self, iri: str, lang: str = "en") -> NodeRef:
        return self._state.ref_of(iri, lang)

    def has_node(self, iri: str) -> bool:
        return self._state.has_node(iri)

    def practices_of(self, pes_node: int) -> list[int]:
        return self._state.practices_of(pes_node)

    # -- queries (see graphsvc.recommend.ranking) -------------------------------------------------

    def rank(self, request: RankRequest) -> Ranking:
        """One page of a ranking, with its total and, if empty, why: the typed entry point
        (:func:`graphsvc.recommend.ranking.rank`)."""
        return rank(self._state, request)

    def related(
        self,
        iri: str,
        first: int = 10,
        strategy: Strategy | str = Strategy.HYBRID,
        *,
        explain: bool = True,
        diversify: bool = True,
        filters: Filters | None = None,
        lang: str = "en",
    ) -> list[Recommendation]:
        """The ``first`` practices most related to practice ``iri`` (diversified by default).

        With ``explain=False`` the items carry only IRI, rank, score and strength.
        """
        request = RankRequest(
            RankKind.RELATED,
            iri,
            filters=filters or Filters(),
            diversify=diversify,
            strategy=strategy,
            first=first,
            lang=lang,
            explain=explain,
        )
        return list(self.rank(request).items)

    def recommended_practices(
        self,
        pes: str,
        first: int = 10,
        strategy: Strategy | str = Strategy.HYBRID,
        *,
        diversify: bool = True,
        filters: Filters | None = None,
        lang: str = "en",
    ) -> list[Recommendation]:
        """Practices of other PES on the themes PES ``pes`` works on, which it does not have."""
        request = RankRequest(
            RankKind.FOR_PES,
            pes,
            filters=filters or Filters(),
            diversify=diversify,
            strategy=strategy,
            first=first,
            lang=lang,
        )
        return list(self.rank(request).items)

    def recommend(
        self,
        themes: Sequence[str] = (),
        country: str | None = None,
        target_groups: Sequence[str] = (),
        first: int = 10,
        strategy: Strategy | str = Strategy.HYBRID,
        *,
        diversify: bool = True,
        filters: Filters | None = None,
        lang: str = "en",
    ) -> list[Recommendation]:
        """Practices for a member with no practice in the graph yet, from what they work on."""
        request = RankRequest(
            RankKind.PROFILE,
            themes=tuple(themes),
            country=country,
            target_groups=tuple(target_groups),
            filters=filters or Filters(),
            diversify=diversify,
            strategy=strategy,
            first=first,
            lang=lang,
        )
        return list(self.rank(request).items)

    def peers(
        self, pes: str, first: int = 10, *, filters: Filters | None = None, lang: str = "en"
    ) -> list[Recommendation]:
        """PES with the most similar portfolios to PES ``pes``, with reasons. O(PES x portfolio)."""
        request = RankRequest(
            RankKind.PEERS, pes, filters=filters or Filters(), first=first, lang=lang
        )
        return list(self.rank(request).items)

    # -- graph-wide views -------------------------------------------------------------------------

    def clusters(self) -> list[Cluster]:
        """The communities of practices with their top themes (Louvain; see
        :mod:`graphsvc.recommend.communities`)."""
        return communities.clusters(self._state)

    def cluster_of(self, practice: str) -> int | None:
        """The community number of a practice, or ``None``."""
        state = self._state
        node = state.node_id(practice, NodeKind.PRACTICE, "practice")
        state.grow()
        number = int(state.community[node])
        return number if number >= 0 else None

    def path(self, source: str, target: str, lang: str = "en") -> list[NodeRef]:
        """The cheapest path from practice ``source`` to practice ``target`` through nodes other
        than practices (see :mod:`graphsvc.recommend.paths`); ``[]`` if none is short enough."""
        state = self._state
        a = state.node_id(source, NodeKind.PRACTICE, "practice")
        b = state.node_id(target, NodeKind.PRACTICE, "practice")
        return [state.ref(n, lang) for n in paths.path(state, {a: 1.0}, b)]
