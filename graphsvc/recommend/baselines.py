"""Baselines the offline evaluation ranks against (:mod:`graphsvc.recommend.evaluate`).

Each ranks the practices the index holds for one query practice, as the index sees it at that
moment (the evaluation has already hidden the query's held-out links), and returns node ids best
first, ties broken by the index's IRI hash:

- ``random``: a seeded sample;
- ``most-popular``: weighted degree in the projection;
- ``theme-overlap``: how many themes the two practices share;
- ``shared-features``: how many features of any signal they share (themes, broader themes, target
  groups, PES, country, region, events), with no graph walk and no rarity weight;
- ``co-presentation``: the rule by which the generator (:mod:`graphsvc.synthetic`) presents
  practices at events, read backwards. A practice shares an event with the query's practice if
  the query was presented there; for an event it was not known to attend, the chance that it was
  is estimated as the generator draws it: in its own WAPES region three times out of four, on one
  of its themes four times out of five, uniformly among the events that qualify. A candidate
  scores the summed chance of the events it was presented at;
- ``factorisation`` (:class:`Factorisation`): a learned baseline, truncated SVD of the practice x
  feature matrix (tf-idf weighted, rows normalised; latent semantic analysis), a standard matrix
  factorisation for link prediction. It is fitted once per evaluation on the features with every
  query's held-out links removed, and a query is folded in from its held-out features; similarity
  is the cosine of the latent vectors.

Complexity: the counting baselines are O(sum of the posting lengths) plus O(nodes); the
co-presentation rule O(events + their postings); the factorisation's fit is a sparse truncated
SVD (``scipy.sparse.linalg.svds``, rank ``k``) and a query O(practices x k). Example::

    >>> ids = rank_baseline(index, "shared-features", iri, 100, random.Random(0))  # doctest: +SKIP
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds

from graphsvc.errors import InputError
from graphsvc.recommend.adjacency import FloatArray
from graphsvc.recommend.features import Feature, Signal
from graphsvc.recommend.index import RecommendationIndex
from graphsvc.recommend.projection import NodeKind
from graphsvc.recommend.source import GraphSource

__all__ = [
    "BASELINES",
    "FACTORISATION_RANK",
    "CoPresentation",
    "Factorisation",
    "rank_baseline",
]

BASELINES = (
    "random",
    "most-popular",
    "theme-overlap",
    "shared-features",
    "co-presentation",
    "factorisation",
)

FACTORISATION_RANK = 32
"""Latent dimensions of :class:`Factorisation` (chosen on the development seed, see the docs)."""

# the generator's draw of an event for a practice (graphsvc.synthetic)
_LOCAL = 0.75  # an event of the practice's own region
_ON_THEME = 0.8  # an event on one of its themes


def rank_baseline(
    index: RecommendationIndex, name: str, iri: str, depth: int, rng: random.Random
) -> list[int]:
    """The ``depth`` best practices for ``iri`` by the counting baseline ``name`` (``random``,
    ``most-popular``, ``theme-overlap`` or ``shared-features``)."""
    node = index.node_id(iri, NodeKind.PRACTICE, "practice")
    size = index.adjacency.size
    alive = index.alive_practices()
    alive[node] = False
    if name == "random":
        ids = np.flatnonzero(alive)
        chosen = rng.sample(range(len(ids)), min(depth, len(ids)))
        return [int(ids[c]) for c in chosen]
    if name == "most-popular":
        score = index.adjacency.degree[:size].copy()
    elif name in ("theme-overlap", "shared-features"):
        score = np.zeros(size)
        for feature in index.features.features(node):
            if name == "shared-features" or feature[0] is Signal.THEME:
                posting = index.features.posting(feature)
                score[posting[posting < size]] += 1.0
    else:
        raise InputError(f"unknown baseline {name!r}")
    return index.top(score, alive, depth)


class CoPresentation:
    """The co-presentation rule (see the module docstring) over one source's events.

    Built in O(events); a query is O(events + the postings of the events it scores).
    """

    def __init__(self, source: GraphSource, regions: Mapping[str, str | None]) -> None:
        self.region: dict[str, str | None] = {}
        self.topics: dict[str, frozenset[str]] = {}
        for iri, event in sorted(source.events.items()):
            organiser = next((o for o in event.organizers if o in regions), None)
            self.region[iri] = regions.get(organiser) if organiser else None
            self.topics[iri] = frozenset(event.themes)
        self.events_in: dict[str | None, list[str]] = {}
        self.on_theme: dict[tuple[str | None, str], int] = {}  # (region or None: any, theme)
        for iri in self.region:
            self.events_in.setdefault(self.region[iri], []).append(iri)
            for theme in self.topics[iri]:
                for where in (self.region[iri], None):
                    self.on_theme[(where, theme)] = self.on_theme.get((where, theme), 0) + 1

    def chance(self, event: str, themes: frozenset[str], region: str | None) -> float:
        """How likely a practice of ``region`` on ``themes`` is to have been presented at
        ``event``, up to a factor shared by all events."""
        local = self.region[event] is not None and self.region[event] == region
        out = 0.0
        for where, share in ((region, _LOCAL), (None, 1.0 - _LOCAL)):
            if where is not None and not local:
                continue
            pool = len(self.events_in.get(where, ())) if where else len(self.region)
            on = [t for t in themes if (where, t) in self.on_theme]
            hits = [t for t in on if t in self.topics[event]]
            topical = sum(1.0 / self.on_theme[(where, t)] for t in hits) / len(on) if on else 0.0
            out += share * (_ON_THEME * topical + (1.0 - _ON_THEME) / max(1, pool))
        return out

    def rank(
        self, index: RecommendationIndex, iri: str, region: str | None, depth: int
    ) -> list[int]:
        """The ``depth`` practices most likely to have shared an event with practice ``iri``."""
        node = index.node_id(iri, NodeKind.PRACTICE, "practice")
        size = index.adjacency.size
        own = index.features.features(node)
        known = {f[1] for f in own if f[0] is Signal.EVENT}
        themes = frozenset(f[1] for f in own if f[0] is Signal.THEME)
        score = np.zeros(size)
        for event in self.region:
            weight = 1.0 if event in known else self.chance(event, themes, region)
            if weight > 0:
                posting = index.features.posting((Signal.EVENT, event))
                score[posting[posting < size]] += weight
        alive = index.alive_practices()
        alive[node] = False
        return index.top(score, alive, depth)


class Factorisation:
    """Truncated SVD of the tf-idf practice x feature matrix; see the module docstring.

    ``fit`` reads every practice's features from the index as they are when it is called.
    """

    def __init__(self, index: RecommendationIndex, rank: int | None = None) -> None:
        self.index = index
        nodes = np.flatnonzero(index.alive_practices())
        self.nodes = nodes
        vocabulary: dict[Feature, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for r, node in enumerate(nodes.tolist()):
            for feature in index.features.features(node):
                rows.append(r)
                cols.append(vocabulary.setdefault(feature, len(vocabulary)))
        self.vocabulary = vocabulary
        df = np.bincount(np.array(cols, dtype=np.int64), minlength=len(vocabulary))
        self.idf: FloatArray = np.log((1 + len(nodes)) / (1 + df)) + 1.0
        matrix = sp.csr_matrix(
            (self.idf[cols], (rows, cols)), shape=(len(nodes), len(vocabulary)), dtype=np.float64
        )
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        matrix = sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ matrix
        k = max(1, min(rank or FACTORISATION_RANK, min(matrix.shape) - 1))
        _, _, vt = svds(matrix, k=k, random_state=0)  # seeded start vector: reproducible
        self.components: FloatArray = vt.T  # features x k
        latent = matrix @ self.components
        self.latent: FloatArray = _unit_rows(np.asarray(latent))

    def embed(self, features: Iterable[Feature]) -> FloatArray:
        """The unit latent vector of a practice with ``features`` (fold-in; unknown features
        are ignored)."""
        cols = sorted({self.vocabulary[f] for f in features if f in self.vocabulary})
        row = np.zeros(len(self.vocabulary))
        row[cols] = self.idf[cols]
        norm = math.sqrt(float(row @ row))
        if norm > 0:
            row /= norm
        vector: FloatArray = row @ self.components
        length = math.sqrt(float(vector @ vector))
        return vector / length if length > 0 else vector

    def rank(self, iri: str, depth: int) -> list[int]:
        """The ``depth`` practices whose latent vectors are closest (cosine) to ``iri``'s."""
        index = self.index
        node = index.node_id(iri, NodeKind.PRACTICE, "practice")
        size = index.adjacency.size
        cosine = self.latent @ self.embed(index.features.features(node))
        score = np.zeros(size)
        inside = self.nodes < size
        # shifted to stay positive: top() ranks positive scores only
        score[self.nodes[inside]] = cosine[inside] + 1.0 + 1e-9
        alive = index.alive_practices()
        alive[node] = False
        return index.top(score, alive, depth)


def _unit_rows(matrix: FloatArray) -> FloatArray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    out: FloatArray = matrix / np.where(norms > 0, norms, 1.0)
    return out
