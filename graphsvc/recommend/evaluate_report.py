"""Markdown tables of an :class:`~graphsvc.recommend.evaluate.Evaluation` (``graphsvc evaluate``).

Per dataset: a quality table (hit@k, MRR, nDCG@k), a diversity table (own-PES share, distinct PES
and countries of the top ``k``, catalogue coverage), every figure with its 95% bootstrap interval
in brackets, and the comparisons the targets ask for: the hybrid against the strongest baseline on
nDCG@k, and the default (diversified) list against the undiversified hybrid. Example::

    >>> print(markdown_report("generated, event hold-out", evaluation))     # doctest: +SKIP
"""

from __future__ import annotations

from graphsvc.recommend.evaluate import BASELINES, DIVERSITY, QUALITY, Estimate, Evaluation

__all__ = ["comparisons", "markdown_report"]

_HEADERS = {
    "hit": "hit@{k}",
    "mrr": "MRR",
    "ndcg": "nDCG@{k}",
    "own_pes": "own-PES share@{k}",
    "pes": "distinct PES@{k}",
    "countries": "distinct countries@{k}",
    "coverage": "catalogue coverage",
}
_COUNTS = ("pes", "countries")


def _cell(e: Estimate, metric: str) -> str:
    digits = 1 if metric in _COUNTS else 3
    return f"{e.value:.{digits}f} [{e.low:.{digits}f}, {e.high:.{digits}f}]"


def _table(ev: Evaluation, metrics: tuple[str, ...], k: int, bold_best: bool) -> list[str]:
    lines = [
        "| method | " + " | ".join(_HEADERS[m].format(k=k) for m in metrics) + " |",
        "|---|" + "---:|" * len(metrics),
    ]
    estimates = {(m, c): ev.estimate(m, c) for m in ev.methods for c in metrics}
    best = {c: max(estimates[(m, c)].value for m in ev.methods) for c in metrics}
    for m in ev.methods:
        cells = []
        for c in metrics:
            text = _cell(estimates[(m, c)], c)
            cells.append(
                f"**{text}**" if bold_best and estimates[(m, c)].value == best[c] else text
            )
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return lines


def comparisons(ev: Evaluation, k: int = 10) -> list[str]:
    """Sentences on the two targets, with the figures and paired intervals behind them."""
    out: list[str] = []
    quality = ev.has("ndcg")
    if (
        quality
        and "hybrid" in ev.methods
        and any(m in ev.methods for m in ("random", "most-popular"))
    ):
        base = ev.strongest_baseline("ndcg")
        h, b = ev.estimate("hybrid", "ndcg"), ev.estimate(base, "ndcg")
        d = ev.difference("hybrid", base, "ndcg")
        verdict = (
            "the intervals overlap"
            if h.overlaps(b)
            else ("the hybrid is better; the intervals do not overlap")
            if h.value > b.value
            else "the baseline is better; the intervals do not overlap"
        )
        out.append(
            f"- nDCG@{k}, hybrid {_cell(h, 'ndcg')} against the strongest baseline, {base}, "
            f"{_cell(b, 'ndcg')}: {verdict}. Paired difference (hybrid − {base}): "
            f"{d.value:+.3f} [{d.low:+.3f}, {d.high:+.3f}]."
        )
        others = [m for m in BASELINES if m in ev.methods]
        parts = []
        for m in others:
            diff = ev.difference("hybrid", m, "ndcg")
            parts.append(f"{m} {diff.value:+.3f} [{diff.low:+.3f}, {diff.high:+.3f}]")
        out.append(
            f"- Paired differences of nDCG@{k}, hybrid − baseline: " + "; ".join(parts) + "."
        )
    if "default" in ev.methods and "hybrid" in ev.methods:
        share_d, share_h = ev.estimate("default", "own_pes"), ev.estimate("hybrid", "own_pes")
        text = (
            f"- Diversity: own-PES share of the top {k}, default (diversified) "
            f"{_cell(share_d, 'own_pes')} against undiversified hybrid {_cell(share_h, 'own_pes')}"
            " (target ≤ 0.30)"
        )
        if quality:
            r = ev.ratio("default", "hybrid", "ndcg")
            text += (
                f"; nDCG@{k} of the default over the undiversified hybrid's "
                f"{r.value:.3f} [{r.low:.3f}, {r.high:.3f}] (target ≥ 0.90)"
            )
        out.append(text + ".")
    return out


def markdown_report(name: str, ev: Evaluation, k: int = 10) -> str:
    """The tables and comparisons of one dataset, headed by ``name``."""
    lines = [
        f"#### {name}",
        "",
        f"{ev.queries} queries over {ev.catalogue:,} practices; 95% bootstrap intervals in "
        "brackets (queries resampled with replacement, the same resamples for every method).",
    ]
    if all(ev.has(m) for m in QUALITY):
        lines += ["", *_table(ev, QUALITY, k, bold_best=True)]
    lines += ["", *_table(ev, DIVERSITY, k, bold_best=False)]
    extra = comparisons(ev, k)
    if extra:
        lines += ["", *extra]
    return "\n".join(lines)
