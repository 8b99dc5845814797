"""What a ranking compares with: the profile, the walk seeds and the key terms of a query.

A :class:`Query` is a weighted set of features (:mod:`graphsvc.recommend.features`), the seeds of
the walk, the key terms of the text signal, the nodes left out and the query's own PES:

- :func:`related_query`: a practice's own features and the practice;
- :func:`pes_query`: a PES's practices' features, averaged, and its practices (or, without
  practices, its country and region, and the PES);
- :func:`profile_query`: a member's themes, target groups, country and region, and those nodes.

Each theme of the query also matches the themes above and below it in the SKOS hierarchy, with the
weight :data:`THEME_DECAY` to the power of the number of ``skos:broader`` steps between them; those
features are outside ``base``, the query's own, which the similarity is measured against.
Complexity: O(features of the query's practices). Example::

    >>> related_query(state, practice_iri).seeds                         # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graphsvc.errors import InputError
from graphsvc.recommend.features import Feature, Signal
from graphsvc.recommend.projection import NodeKind
from graphsvc.recommend.state import IndexState

__all__ = ["THEME_DECAY", "Query", "pes_query", "profile_query", "related_query"]

THEME_DECAY = 0.5
"""Weight of a theme one ``skos:broader`` step above or below a query's theme (squared for two)."""


@dataclass(frozen=True, slots=True)
class Query:
    """What a ranking compares with: weighted features (``base`` marks the query's own, the
    rest come from the theme hierarchy), walk seeds, key terms, nodes left out, the own PES."""

    profile: Mapping[Feature, float]
    base: frozenset[Feature]
    seeds: Mapping[int, float]
    terms: tuple[str, ...]
    exclude: tuple[int, ...]
    own_pes: str | None


def _with_hierarchy(
    state: IndexState, profile: dict[Feature, float], themes: Mapping[str, float]
) -> None:
    """Add the themes above and below ``themes`` (theme -> multiplier), decayed by steps."""
    for theme, multiplier in themes.items():
        for other, steps in state.theme_distance.get(theme, {}).items():
            feature = (Signal.THEME, other)
            value = multiplier * THEME_DECAY**steps
            if profile.get(feature, 0.0) < value and other not in themes:
                profile[feature] = value


def related_query(state: IndexState, iri: str) -> Query:
    node = state.node_id(iri, NodeKind.PRACTICE, "practice")
    own = state.features.features(node)
    profile = dict.fromkeys(own, 1.0)
    _with_hierarchy(state, profile, {i: 1.0 for s, i in own if s is Signal.THEME})
    pes = next((i for s, i in own if s is Signal.PES), None)
    terms = tuple(state.text.key_terms(state.text.terms(node)))
    return Query(profile, frozenset(own), {node: 1.0}, terms, (node,), pes)


def pes_query(state: IndexState, pes: str) -> Query:
    node = state.node_id(pes, NodeKind.PES, "PES")
    own = state.practices_of(node)
    counts: Counter[Feature] = Counter()
    words: Counter[str] = Counter()
    for practice in own:
        counts.update(f for f in state.features.features(practice) if f[0] is not Signal.PES)
        words.update(state.text.terms(practice))
    if not own:
        places = state.places
        counts.update(places.features_of(places.pes_country.get(pes)))
    scale = 1.0 / max(1, len(own))
    profile = {f: m * scale for f, m in counts.items()}
    base = frozenset(profile)
    _with_hierarchy(state, profile, {i: m for (s, i), m in profile.items() if s is Signal.THEME})
    terms = tuple(state.text.key_terms(words, own=False)) if own else ()
    seeds = dict.fromkeys(own, 1.0) if own else {node: 1.0}
    return Query(profile, base, seeds, terms, tuple(own), pes)


def profile_query(
    state: IndexState, themes: Sequence[str], country: str | None, target_groups: Sequence[str]
) -> Query:
    if not themes and not country and not target_groups:
        raise InputError("give at least one theme, a country or a target group")
    profile: dict[Feature, float] = {}
    seeds: dict[int, float] = {}
    for theme in themes:
        seeds[state.node_id(theme, NodeKind.THEME, "theme")] = 1.0
        profile[(Signal.THEME, theme)] = 1.0
        for broader in state.ancestors.get(theme, frozenset()):
            profile.setdefault((Signal.BROADER_THEME, broader), 1.0)
    for group in target_groups:
        seeds[state.node_id(group, NodeKind.TARGET_GROUP, "target group")] = 1.0
        profile[(Signal.TARGET_GROUP, group)] = 1.0
    if country:
        seeds[state.node_id(country, NodeKind.COUNTRY, "country")] = 1.0
        profile.update(dict.fromkeys(state.places.features_of(country), 1.0))
    base = frozenset(profile)
    _with_hierarchy(state, profile, dict.fromkeys(themes, 1.0))
    return Query(profile, base, seeds, (), (), None)
