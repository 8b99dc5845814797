"""Filters of a ranking: other PES only, country, WAPES region, theme, target group, year, network.

A practice passes when it matches every filter given; within one filter, any of its values (a
country in ``countries``, a theme in ``themes`` or narrower than one of them). What a practice
matches is read from its features, as the index holds them: its country is its own or its PES's,
its region that country's, its network one its PES belongs to. A PES passes a filter when it is
in the country, region or network, when one of its practices is on the theme (or a narrower one)
or for the target group, and when one of its practices is dated in the year range.

Complexity: :func:`practice_mask` is O(sum of the postings named) plus O(nodes) for a year range;
:func:`pes_passes` is O(filters) plus O(practices of the PES) for a year range. Example::

    >>> Filters(countries=frozenset({sweden})).active                    # doctest: +SKIP
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from graphsvc.errors import InputError
from graphsvc.recommend.features import Feature, Signal
from graphsvc.recommend.projection import NodeKind

if TYPE_CHECKING:
    from graphsvc.recommend.state import IndexState

__all__ = ["Filters", "check", "narrower_or_same", "pes_passes", "practice_mask"]

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Filters:
    """What a ranked item must match (IRIs); empty sets and ``None`` filter nothing."""

    countries: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()  # a theme includes its narrower themes
    target_groups: frozenset[str] = frozenset()
    networks: frozenset[str] = frozenset()
    year_from: int | None = None
    year_to: int | None = None
    other_pes_only: bool = False  # leave out the query's own PES

    @property
    def active(self) -> bool:
        """Whether any filter other than ``other_pes_only`` is given."""
        return bool(
            self.countries
            or self.regions
            or self.themes
            or self.target_groups
            or self.networks
            or self.year_from is not None
            or self.year_to is not None
        )


def check(state: IndexState, filters: Filters) -> None:
    """A :class:`NotFoundError` naming an IRI that is not a node of the right kind, an
    :class:`InputError` for a year range that ends before it starts."""
    for values, kind, what in (
        (filters.countries, NodeKind.COUNTRY, "country"),
        (filters.regions, NodeKind.REGION, "region"),
        (filters.themes, NodeKind.THEME, "theme"),
        (filters.target_groups, NodeKind.TARGET_GROUP, "target group"),
        (filters.networks, NodeKind.NETWORK, "network"),
    ):
        for iri in sorted(values):
            state.node_id(iri, kind, what)
    low, high = filters.year_from, filters.year_to
    if low is not None and high is not None and low > high:
        raise InputError(f"years: the range {low} to {high} ends before it starts")


def narrower_or_same(state: IndexState, themes: frozenset[str]) -> set[str]:
    """``themes`` and every theme under one of them. O(themes of the scheme)."""
    out = set(themes)
    for theme, ancestors in state.ancestors.items():
        if ancestors & themes:
            out.add(theme)
    return out


def _years(state: IndexState, filters: Filters, size: int) -> BoolArray:
    year = state.year[:size]
    mask: BoolArray = year > 0  # a practice without a date matches no year range
    if filters.year_from is not None:
        mask &= year >= filters.year_from
    if filters.year_to is not None:
        mask &= year <= filters.year_to
    return mask


def practice_mask(
    state: IndexState, filters: Filters, own_pes: str | None, size: int
) -> BoolArray | None:
    """The practices (a mask over node ids ``0..size-1``) that pass, or ``None`` if no filter
    applies. ``own_pes`` is left out when ``filters.other_pes_only``."""
    mask: BoolArray | None = None

    def keep(features: list[Feature]) -> None:
        nonlocal mask
        hit = np.zeros(size, dtype=np.bool_)
        for feature in features:
            posting = state.features.posting(feature)
            hit[posting[posting < size]] = True
        mask = hit if mask is None else mask & hit

    if filters.countries:
        keep([(Signal.COUNTRY, c) for c in sorted(filters.countries)])
    if filters.regions:
        keep([(Signal.REGION, r) for r in sorted(filters.regions)])
    if filters.themes:
        keep([(Signal.THEME, t) for t in sorted(narrower_or_same(state, filters.themes))])
    if filters.target_groups:
        keep([(Signal.TARGET_GROUP, g) for g in sorted(filters.target_groups)])
    if filters.networks:
        members = [
            p
            for p, networks in sorted(state.places.networks.items())
            if networks & filters.networks
        ]
        keep([(Signal.PES, p) for p in members])
    if filters.year_from is not None or filters.year_to is not None:
        years = _years(state, filters, size)
        mask = years if mask is None else mask & years
    if filters.other_pes_only and own_pes is not None:
        own = state.features.posting((Signal.PES, own_pes))
        if mask is None:
            mask = np.ones(size, dtype=np.bool_)
        mask[own[own < size]] = False
    return mask


def pes_passes(state: IndexState, filters: Filters, pes: str) -> bool:
    """Whether PES ``pes`` passes every filter (see the module docstring)."""
    places = state.places
    if filters.countries and places.pes_country.get(pes) not in filters.countries:
        return False
    if filters.regions and places.pes_region.get(pes) not in filters.regions:
        return False
    if filters.networks and not (places.networks.get(pes, frozenset()) & filters.networks):
        return False
    portfolio = state.peers_index.portfolio(pes)
    if filters.themes:
        themes = narrower_or_same(state, filters.themes)
        if not any((Signal.THEME, t) in portfolio for t in themes):
            return False
    if filters.target_groups and not any(
        (Signal.TARGET_GROUP, g) in portfolio for g in filters.target_groups
    ):
        return False
    if filters.year_from is not None or filters.year_to is not None:
        node = state.ids.get(pes)
        practices = np.array(state.practices_of(node) if node is not None else [], dtype=np.int64)
        years = state.year[practices]
        hit = years > 0
        if filters.year_from is not None:
            hit &= years >= filters.year_from
        if filters.year_to is not None:
            hit &= years <= filters.year_to
        if not hit.any():
            return False
    return True
