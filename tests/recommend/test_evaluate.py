"""The offline evaluation: metrics on known rankings, baselines, bootstrap intervals, no leak into
the source, reproducibility, the report and the command."""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable

import numpy as np
import pytest

from graphsvc.cli import main as cli_main
from graphsvc.errors import InputError
from graphsvc.recommend.baselines import CoPresentation, Factorisation, rank_baseline
from graphsvc.recommend.evaluate import (
    METHODS,
    Evaluation,
    Protocol,
    _diversity,
    _metrics,
    evaluate,
)
from graphsvc.recommend.evaluate_report import markdown_report
from graphsvc.recommend.index import RecommendationIndex
from graphsvc.recommend.places import Places
from graphsvc.recommend.source import RecordSet
from recommend.graphs import CG, CMR_PES, E1, FIN_PES, GREEN, A, B, C, D, E, F


def test_metrics_of_a_known_ranking() -> None:
    hit, mrr, ndcg = _metrics(["x", "a", "y", "b"], frozenset({"a", "b"}), k=3)
    assert (hit, mrr) == (1.0, 0.5)
    assert ndcg == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert _metrics(["x", "y"], frozenset({"a"}), k=10) == (0.0, 0.0, 0.0)
    assert all(math.isnan(v) for v in _metrics(["x"], frozenset(), k=10))


def test_diversity_of_a_known_list(small: RecordSet) -> None:
    # A is FIN_PES's; C is too, B and F are SWE_PES's (Sweden), D is CMR_PES's (Cameroon)
    share, pes, countries = _diversity(small, A, [C, B, F, D])
    assert share == 0.25
    assert (pes, countries) == (3.0, 3.0)
    assert _diversity(small, A, []) == (0.0, 0.0, 0.0)


def _evaluation(values: dict[str, list[float]], tops: dict[str, list[list[str]]]) -> Evaluation:
    columns = ("hit", "mrr", "ndcg", "own_pes", "pes", "countries")
    arrays = {m: {c: np.array(v, dtype=np.float64) for c in columns} for m, v in values.items()}
    catalogue = sorted({i for lists in tops.values() for top in lists for i in top} | {"z"})
    return Evaluation(list(values), arrays, tops, catalogue, resamples=500, seed=1)


def test_bootstrap_intervals() -> None:
    ev = _evaluation(
        {"flat": [0.5] * 40, "spread": [0.0, 1.0] * 20, "same": [0.0, 1.0] * 20},
        {m: [["a"], ["b"]] * 20 for m in ("flat", "spread", "same")},
    )
    flat = ev.estimate("flat", "ndcg")
    assert (flat.value, flat.low, flat.high) == pytest.approx((0.5, 0.5, 0.5))
    spread = ev.estimate("spread", "ndcg")
    assert spread.value == 0.5
    assert 0.3 < spread.low < 0.5 < spread.high < 0.7  # about 0.5 ± 1.96 * 0.079
    assert spread.overlaps(flat)
    # the same per-query figures resampled together: no difference, whatever the spread
    same = ev.difference("spread", "same", "ndcg")
    assert (same.value, same.low, same.high) == (0.0, 0.0, 0.0)
    assert ev.ratio("spread", "same", "ndcg").value == 1.0
    # catalogue: a, b, z; two of three shown; every resample shows both (bias-corrected)
    coverage = ev.estimate("flat", "coverage")
    assert coverage.value == pytest.approx(2 / 3)
    assert coverage.low == pytest.approx(2 / 3) and coverage.high == pytest.approx(2 / 3)


def test_baselines_on_the_hand_made_graph(small: RecordSet) -> None:
    index = RecommendationIndex(small)
    ranked = [
        index.iri_of(i) for i in rank_baseline(index, "shared-features", A, 10, random.Random(0))
    ]
    # B shares two themes, their broader themes, the target group and the region; C the PES
    assert ranked[0] == B
    overlap = rank_baseline(index, "theme-overlap", A, 10, random.Random(0))
    assert {index.iri_of(i) for i in overlap} == {B, D, F}  # practices on YG or CG
    rule = CoPresentation(small, Places.of(small).pes_region)
    assert [index.iri_of(i) for i in rule.rank(index, C, None, 10)] == [E]  # presented together
    factorisation = Factorisation(index, rank=3)
    assert index.iri_of(factorisation.rank(A, 5)[0]) == B
    with pytest.raises(InputError, match="unknown baseline"):
        rank_baseline(index, "magic", A, 10, random.Random(0))


def test_co_presentation_guesses_the_event_from_region_and_theme(small: RecordSet) -> None:
    small.events[E1] = dataclasses.replace(small.events[E1], themes=(GREEN,))
    regions = Places.of(small).pes_region
    rule = CoPresentation(small, regions)
    africa, europe = regions[CMR_PES], regions[FIN_PES]
    # E1 is organised in Africa, on the green transition
    on_theme_here = rule.chance(E1, frozenset({GREEN}), africa)
    off_theme_here = rule.chance(E1, frozenset({CG}), africa)
    on_theme_elsewhere = rule.chance(E1, frozenset({GREEN}), europe)
    assert on_theme_here > on_theme_elsewhere > off_theme_here > 0


def test_event_hold_out_leaves_the_source_as_it_was(
    generated: Callable[[int, int], RecordSet],
) -> None:
    source = generated(1500, 4)
    before = dict(source.practices)
    first = evaluate(source, Protocol.EVENT, queries=40, seed=3, resamples=200)
    assert source.practices == before
    assert first.methods == METHODS
    assert first.queries == 40
    for m in METHODS:
        for metric in ("hit", "mrr", "ndcg", "own_pes", "coverage"):
            e = first.estimate(m, metric)
            assert 0 <= e.low <= e.value <= e.high <= 1, (m, metric, e)
    assert first.estimate("hybrid", "ndcg").value > first.estimate("random", "ndcg").value
    # the rule the generator follows finds co-presented practices far better than chance
    assert first.estimate("co-presentation", "hit").value > first.estimate("random", "hit").high
    again = evaluate(source, Protocol.EVENT, queries=40, seed=3, resamples=200)
    for m in METHODS:
        assert again.estimate(m, "ndcg") == first.estimate(m, "ndcg")  # reproducible
    report = markdown_report("generated", first)
    assert "| method | hit@10 | MRR | nDCG@10 |" in report
    assert "| method | own-PES share@10 | distinct PES@10 |" in report
    assert "against the strongest baseline" in report
    assert "Paired differences of nDCG@10, hybrid − baseline: random +" in report
    assert "(target ≥ 0.90)" in report


def test_intact_lists_measure_diversity_only(small: RecordSet) -> None:
    ev = evaluate(small, "intact", methods=("hybrid", "default"), resamples=100)
    assert ev.queries == 6
    assert not ev.has("ndcg") and ev.has("own_pes")
    report = markdown_report("hand-made", ev)
    assert "nDCG" not in report.split("- Diversity")[0]
    assert "own-PES share@10" in report


def test_theme_hold_out_on_the_hand_made_graph(small: RecordSet) -> None:
    results = evaluate(small, "theme", methods=("theme-overlap", "similarity"), resamples=100)
    # A and B have two themes each: four queries, each hiding one of them
    assert results.queries == 4
    assert results.methods == ("theme-overlap", "similarity")


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


def test_cli_prints_the_tables_for_the_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    # the command's own code in this process: its tables are the point, not a process start
    status = cli_main(["evaluate", "--no-synthetic", "--queries", "15"])
    printed = capsys.readouterr()
    assert status == 0, printed.err
    lines = printed.out.splitlines()
    assert lines[0] == "#### seeds, theme hold-out"
    header = lines.index("| method | hit@10 | MRR | nDCG@10 |")
    assert [line.split(" | ")[0] for line in lines[header + 2 : header + 2 + len(METHODS)]] == [
        f"| {m}" for m in METHODS
    ]
