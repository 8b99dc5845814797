"""The offline evaluation: metrics on known rankings, no leak into the source, reproducibility."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.errors import InputError
from graphsvc.recommend.evaluate import METHODS, Protocol, _metrics, evaluate, markdown_table
from graphsvc.recommend.source import RecordSet

GRAPHSVC = Path(sys.executable).parent / "graphsvc"


def test_metrics_of_a_known_ranking() -> None:
    hit, mrr, ndcg = _metrics(["x", "a", "y", "b"], frozenset({"a", "b"}), k=3)
    assert (hit, mrr) == (1.0, 0.5)
    assert ndcg == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert _metrics(["x", "y"], frozenset({"a"}), k=10) == (0.0, 0.0, 0.0)


def test_event_hold_out_leaves_the_source_as_it_was(
    generated: Callable[[int, int], RecordSet],
) -> None:
    source = generated(1500, 4)
    before = dict(source.practices)
    first = evaluate(source, Protocol.EVENT, queries=40, seed=3)
    assert source.practices == before
    assert set(first) == set(METHODS)
    for m in first.values():
        assert m.queries == 40
        assert 0 <= m.hit <= 1 and 0 <= m.mrr <= 1 and 0 <= m.ndcg <= 1
    assert first["hybrid"].ndcg > first["random"].ndcg
    assert evaluate(source, Protocol.EVENT, queries=40, seed=3) == first  # reproducible


def test_theme_hold_out_on_the_hand_made_graph(small: RecordSet) -> None:
    results = evaluate(small, "theme", methods=("theme-overlap", "similarity"))
    # A and B have two themes each: four queries, each hiding one of them
    assert results["similarity"].queries == 4
    table = markdown_table({"hand-made": results})
    assert table.splitlines()[0].startswith("| method | hand-made: hit@10 | MRR | nDCG@10 |")
    assert "Queries — hand-made: 4." in table


@pytest.mark.parametrize(
    ("source", "kwargs", "message"),
    [
        (RecordSet(), {}, "no practice qualifies"),
        (None, {"methods": ("magic",)}, "unknown methods"),
    ],
)
def test_bad_evaluations(
    small: RecordSet, source: RecordSet | None, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        evaluate(source if source is not None else small, "event", **kwargs)  # type: ignore[arg-type]


def test_cli_prints_the_table_for_the_seeds() -> None:
    result = subprocess.run(
        [GRAPHSVC, "evaluate", "--no-synthetic", "--queries", "15"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "| method | seeds, theme hold-out: hit@10 | MRR | nDCG@10 |"
    assert [line.split(" | ")[0] for line in lines[2:8]] == [f"| {m}" for m in METHODS]
