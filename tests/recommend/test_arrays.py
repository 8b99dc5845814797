"""The array structures under the recommender: adjacency rows, replaced rows, push steps."""

from __future__ import annotations

import random

import numpy as np
import pytest

from graphsvc.recommend.adjacency import Adjacency
from graphsvc.recommend.index import RecommendationIndex
from graphsvc.recommend.ppr import arriving_mass, personalized_pagerank
from graphsvc.recommend.projection import NodeKind
from graphsvc.recommend.source import RecordSet
from recommend.graphs import C, E


def random_adjacency(
    n: int = 60, edges: int = 200
) -> tuple[Adjacency, dict[int, dict[int, float]]]:
    rng = random.Random(7)
    pairs: dict[tuple[int, int], float] = {}
    while len(pairs) < edges:
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b and (b, a) not in pairs:
            pairs.setdefault((a, b), rng.choice((0.25, 0.5, 1.0)))
    us, vs = zip(*pairs, strict=True)
    adj = Adjacency.from_edges(n, list(us), list(vs), list(pairs.values()), [0] * len(pairs))
    truth: dict[int, dict[int, float]] = {u: {} for u in range(n)}
    for (a, b), w in pairs.items():
        truth[a][b] = w
        truth[b][a] = w
    return adj, truth


def as_dict(cols: np.ndarray, values: np.ndarray) -> dict[int, float]:
    out: dict[int, float] = {}
    for c, v in zip(cols.tolist(), values.tolist(), strict=True):
        out[c] = out.get(c, 0.0) + v
    return out


@pytest.mark.parametrize("frontier", [[3], [1, 5, 9], list(range(0, 60, 1))])
def test_spread_and_gather_agree_with_the_edges(frontier: list[int]) -> None:
    adj, truth = random_adjacency()
    nodes = np.array(frontier, dtype=np.int64)
    coefficients = np.linspace(0.5, 2.0, len(nodes))
    cols, values = adj.spread(nodes, coefficients)
    expected: dict[int, float] = {}
    for node, c in zip(frontier, coefficients.tolist(), strict=True):
        for v, w in truth[node].items():
            expected[v] = expected.get(v, 0.0) + c * w
    assert as_dict(cols, values) == pytest.approx(expected)
    for u in range(60):
        assert adj.degree[u] == pytest.approx(sum(truth[u].values()))


def test_replaced_rows_and_compaction_keep_the_graph_symmetric() -> None:
    adj, _ = random_adjacency()
    adj.set_row(4, {7: (1.0, 2), 8: (0.5, 1)})
    new = adj.add_node()
    adj.set_row(new, {4: (0.25, 3)})
    for a in range(adj.size):
        cols, ws, _ = adj.row(a)
        for b, w in zip(cols.tolist(), ws.tolist(), strict=True):
            assert adj.edge(b, a) == (w, adj.edge(a, b)[1])  # type: ignore[index]
    assert sorted(adj.row(4)[0].tolist()) == [7, 8, new]
    before = {u: as_dict(*adj.row(u)[:2]) for u in range(adj.size)}
    adj.compact()
    assert adj.replaced_rows == 0
    assert {u: as_dict(*adj.row(u)[:2]) for u in range(adj.size)} == before


def test_arriving_mass_splits_a_pagerank_exactly(small: RecordSet) -> None:
    index = RecommendationIndex(small)
    seed = index.node_id(C, NodeKind.PRACTICE, "practice")
    target = index.node_id(E, NodeKind.PRACTICE, "practice")
    p = personalized_pagerank(index.adjacency, {seed: 1.0}, epsilon=1e-12, max_rounds=5000)
    _, mass, _ = arriving_mass(index.adjacency, p, target)
    assert float(mass.sum()) == pytest.approx(float(p[target]), rel=1e-6)
