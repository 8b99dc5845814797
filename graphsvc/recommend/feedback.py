"""Members' feedback on recommendations, used as a ranking signal.

A member PES marks a recommended practice ``useful`` or ``not-relevant``
(:mod:`graphsvc.edit.feedback` writes it). Each mark is a ``pes:RecommendationFeedback`` in the
named graph ``graph/feedback``, one per PES and practice (a new mark replaces the old one)::

    id:feedback/<hash> a pes:RecommendationFeedback, prov:Entity ;
        pes:feedbackOn id:practice/x ;           # the practice judged
        pes:verdict "not-relevant" ;             # or "useful"
        pes:recommendedFor id:practice/y ;       # optional: the list it was shown on
        prov:wasAttributedTo id:pes/... ;        # the member's PES
        dct:created "2026-12-03T10:00:00Z"^^xsd:dateTime ;
        prov:wasGeneratedBy id:change/<uuid> .   # the change record, in graph/provenance

:class:`FeedbackIndex` keeps the marks in memory, read from the store at start-up and refreshed
after every write that touches a feedback IRI. They act on every ranking of practices the GraphQL
API serves (:meth:`FeedbackIndex.for_viewer`, for the PES of the request's member token, if any)
through :class:`~graphsvc.recommend.ranking.RankRequest`:

- ``exclude``: the practices the viewer's PES marked ``not-relevant`` (:meth:`dismissed`) are
  never shown to it;
- ``boosts``: a practice member PES marked ``useful`` gains :data:`USEFUL_BOOST` per PES, at most
  :data:`MAX_BOOST` (:meth:`boosts`; a nudge that reorders close items and cannot lift a weak one
  over a strong one), which the ranking adds before it orders and shows as a
  ``("feedback", "feedback")`` contribution; :meth:`explain` adds the reason, in the requested
  language, saying whether the viewer's own PES is among those that marked it.

Complexity: :meth:`boosts` O(marked practices); a refresh O(quads of the touched marks).
Example::

    >>> fb = FeedbackIndex.load(store)                                              # doctest: +SKIP
    >>> request = RankRequest(RankKind.FOR_PES, pes, exclude=fb.dismissed(pes),
    ...                       boosts=fb.boosts())                                   # doctest: +SKIP
    >>> [fb.explain(r, pes) for r in index.rank(request).items]                    # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import enum
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode

from graphsvc.recommend.explain import Reason, Recommendation
from graphsvc.recommend.ranking import Ranking, RankKind, RankRequest
from graphsvc.store.base import GraphStore
from graphsvc.vocab import DCTERMS, ID, PES, PROV, graph_iri

__all__ = [
    "FEEDBACK_GRAPH",
    "FEEDBACK_PREFIX",
    "MAX_BOOST",
    "USEFUL_BOOST",
    "FeedbackIndex",
    "Mark",
    "Verdict",
    "feedback_reason",
]

FEEDBACK_GRAPH = str(graph_iri("feedback"))
FEEDBACK_PREFIX = str(ID["feedback/"])
USEFUL_BOOST = 0.02
"""Added to an item's score per member PES that marked it useful."""
MAX_BOOST = 0.06
"""The most that useful marks add to one item's score."""

_ON = NamedNode(str(PES.feedbackOn))
_VERDICT = NamedNode(str(PES.verdict))
_FOR = NamedNode(str(PES.recommendedFor))
_BY = NamedNode(str(PROV.wasAttributedTo))
_CREATED = NamedNode(str(DCTERMS.created))


class Verdict(enum.StrEnum):
    USEFUL = "useful"
    NOT_RELEVANT = "not-relevant"


@dataclass(frozen=True, slots=True)
class Mark:
    """One PES's verdict on one practice."""

    iri: str
    pes: str
    practice: str
    verdict: Verdict
    created: str
    recommended_for: str | None = None


# "Marked useful by your PES", "... by your PES and N other PES", "... by N member PES"
_TEXTS: dict[str, tuple[str, str, str]] = {
    "en": (
        "Marked useful by your PES",
        " and {n} other PES",
        "Marked useful by {n} member PES",
    ),
    "fr": (
        "Jugée utile par votre service public de l'emploi",
        " et {n} autre(s) service(s) public(s) de l'emploi",
        "Jugée utile par {n} service(s) public(s) de l'emploi membre(s)",
    ),
    "es": (
        "Marcada como útil por su servicio público de empleo",
        " y {n} servicio(s) público(s) de empleo más",
        "Marcada como útil por {n} servicio(s) público(s) de empleo miembro(s)",
    ),
    "sv": (
        "Markerad som användbar av er arbetsförmedling",
        " och {n} andra arbetsförmedlingar",
        "Markerad som användbar av {n} arbetsförmedlingar i nätverket",
    ),
}


def feedback_reason(marked_by: Iterable[str], viewer: str | None, lang: str = "en") -> Reason:
    """The sentence that says who marked an item useful (never naming other PES)."""
    by = set(marked_by)
    mine, others, count = _TEXTS.get(lang, _TEXTS["en"])
    if viewer is not None and viewer in by:
        text = mine + (others.format(n=len(by) - 1) if len(by) > 1 else "")
    else:
        text = count.format(n=len(by))
    return Reason("feedback", text, ())


class FeedbackIndex:
    """The marks of every PES, by PES and by practice; see the module docstring.

    Updates replace whole dicts (copy on write), so a reader never sees one half-applied.
    """

    def __init__(self, marks: Iterable[Mark] = ()) -> None:
        self._lock = threading.Lock()
        self._marks: dict[str, Mark] = {m.iri: m for m in marks}
        self._reindex()

    def _reindex(self) -> None:
        by_pes: dict[str, dict[str, Verdict]] = {}
        useful: dict[str, frozenset[str]] = {}
        for m in self._marks.values():
            by_pes.setdefault(m.pes, {})[m.practice] = m.verdict
            if m.verdict is Verdict.USEFUL:
                useful[m.practice] = useful.get(m.practice, frozenset()) | {m.pes}
        self._by_pes, self._useful = by_pes, useful

    # -- reading the store ------------------------------------------------------------------------

    @classmethod
    def load(cls, store: GraphStore) -> FeedbackIndex:
        """Every mark in the feedback graph. O(feedback quads)."""
        graph = NamedNode(FEEDBACK_GRAPH)
        subjects = {
            q.subject.value
            for q in store.quads(None, _ON, None, graph)
            if isinstance(q.subject, NamedNode)
        }
        found = (_read(store, s) for s in sorted(subjects))
        return cls(m for m in found if m is not None)

    def refresh(self, store: GraphStore, subjects: Iterable[str]) -> bool:
        """Re-read the marks among ``subjects`` (a change listener); other IRIs are ignored.
        Whether any was among them."""
        touched = [s for s in subjects if s.startswith(FEEDBACK_PREFIX)]
        if not touched:
            return False
        with self._lock:
            marks = dict(self._marks)
            for iri in touched:
                mark = _read(store, iri)
                if mark is None:
                    marks.pop(iri, None)
                else:
                    marks[iri] = mark
            self._marks = marks
            self._reindex()
        return True

    # -- lookups ----------------------------------------------------------------------------------

    def marks(self) -> list[Mark]:
        return sorted(self._marks.values(), key=lambda m: (m.pes, m.practice))

    def verdict(self, pes: str, practice: str) -> Verdict | None:
        return self._by_pes.get(pes, {}).get(practice)

    def dismissed(self, pes: str) -> frozenset[str]:
        """The practices ``pes`` marked not relevant."""
        marks = self._by_pes.get(pes, {})
        return frozenset(p for p, v in marks.items() if v is Verdict.NOT_RELEVANT)

    def useful_by(self, practice: str) -> frozenset[str]:
        """The PES that marked ``practice`` useful."""
        return self._useful.get(practice, frozenset())

    # -- the signal -------------------------------------------------------------------------------

    def boosts(self) -> dict[str, float]:
        """Per practice marked useful: :data:`USEFUL_BOOST` per PES that marked it, at most
        :data:`MAX_BOOST` (``RankRequest.boosts``: the ranking adds it before it orders)."""
        return {p: min(MAX_BOOST, USEFUL_BOOST * len(by)) for p, by in self._useful.items()}

    def for_viewer(self, request: RankRequest, viewer: str | None) -> RankRequest:
        """``request`` with the practices ``viewer`` (a PES, or ``None``) dismissed left out and
        every useful mark's boost; a peer ranking is left as it is."""
        if request.kind is RankKind.PEERS:
            return request
        dismissed = self.dismissed(viewer) if viewer else frozenset()
        boosts = self.boosts()
        if not dismissed and not boosts:
            return request
        return dataclasses.replace(
            request,
            exclude=request.exclude | dismissed,
            boosts={**boosts, **request.boosts},
        )

    def explain_ranking(self, ranking: Ranking, viewer: str | None, lang: str = "en") -> Ranking:
        """:meth:`explain` for every item of a page."""
        items = tuple(self.explain(item, viewer, lang) for item in ranking.items)
        return dataclasses.replace(ranking, items=items)

    def explain(self, item: Recommendation, viewer: str | None, lang: str = "en") -> Recommendation:
        """``item`` with the reason for its feedback boost, if the ranking gave it one."""
        if item.contribution("feedback", "feedback") <= 0:
            return item
        reason = feedback_reason(self.useful_by(item.iri), viewer, lang)
        return dataclasses.replace(item, reasons=(*item.reasons, reason))


def _read(store: GraphStore, iri: str) -> Mark | None:
    """The mark ``iri`` as the store holds it, or ``None`` if it is gone or incomplete."""
    values: dict[str, str] = {}
    for q in store.quads(NamedNode(iri), None, None, NamedNode(FEEDBACK_GRAPH)):
        if isinstance(q.object, NamedNode | Literal):
            values.setdefault(q.predicate.value, q.object.value)
    try:
        verdict = Verdict(values.get(_VERDICT.value, ""))
    except ValueError:
        return None
    pes, practice = values.get(_BY.value), values.get(_ON.value)
    if not pes or not practice:
        return None
    return Mark(
        iri=iri,
        pes=pes,
        practice=practice,
        verdict=verdict,
        created=values.get(_CREATED.value, ""),
        recommended_for=values.get(_FOR.value),
    )
