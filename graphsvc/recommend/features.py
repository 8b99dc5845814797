"""Neighbourhood similarity of practices: weighted Adamic–Adar over what two practices share.

A practice's *features* are the nodes its neighbourhood in the projection reaches in one or two
steps, each of a :class:`Signal`: its themes, the broader themes above them, its target groups,
its PES, its country, the WAPES region of that country and the events it was presented at. Two
practices are similar by the features they share; a feature counts

    ``SIGNAL_WEIGHTS[signal] / log(1 + df)``

where ``df`` is the number of practices that have it (Adamic–Adar: sharing a rare event says more
than sharing a theme half the practices have). The similarity of ``q`` to ``p`` is the weight of
their shared features over the weight of all of ``p``'s features, in [0, 1], and splits exactly
into one contribution per signal.

:class:`FeatureIndex` keeps the posting list (practice ids) of every feature as a set, with a
numpy copy made when it is first read after a change; a practice update touches only its own
features. Complexity: :meth:`FeatureIndex.similar` is O(sum of the posting lengths of ``p``'s
features) numpy work (one ``bincount`` over the concatenated postings) plus an O(nodes) dense
result, no Python loop over practices; an update is
O(features of the practice) plus the array copy of each touched posting on its next read.
Example::

    >>> fi = FeatureIndex(capacity=4)
    >>> fi.set_features(0, [(Signal.THEME, "t")]); fi.set_features(1, [(Signal.THEME, "t")])
    >>> fi.similar(0)[1]
    1.0
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from typing import cast

import numpy as np

from graphsvc.recommend.adjacency import FloatArray, IntArray

__all__ = ["SIGNAL_WEIGHTS", "Feature", "FeatureIndex", "Signal"]


class Signal(enum.StrEnum):
    """What a shared feature is; the names are the ``contributions`` keys of explanations."""

    THEME = "theme"
    BROADER_THEME = "broader-theme"
    TARGET_GROUP = "target-group"
    PES = "pes"
    COUNTRY = "country"
    REGION = "region"
    EVENT = "event"


SIGNAL_WEIGHTS: dict[Signal, float] = {
    Signal.THEME: 1.0,
    Signal.BROADER_THEME: 0.3,
    Signal.TARGET_GROUP: 0.5,
    Signal.PES: 0.6,
    Signal.COUNTRY: 0.3,
    Signal.REGION: 0.2,
    Signal.EVENT: 1.5,
}
"""Weight of each signal before the Adamic–Adar rarity factor (see docs/recommendations.md)."""

Feature = tuple[Signal, str]
"""A signal and the IRI of the node shared (a theme, a PES, an event, ...)."""


class FeatureIndex:
    """Posting lists of features over practice ids; see the module docstring."""

    def __init__(self, capacity: int, weights: Mapping[Signal, float] | None = None) -> None:
        self.weights: dict[Signal, float] = dict(weights or SIGNAL_WEIGHTS)
        self.capacity = capacity
        self._ids: dict[Feature, int] = {}
        self._features: list[Feature] = []
        self._postings: list[set[int]] = []
        self._arrays: dict[int, IntArray] = {}
        self._weights: dict[int, float] = {}  # cached weight per feature id
        self._of: dict[int, tuple[int, ...]] = {}  # practice id -> feature ids

    # -- writing ----------------------------------------------------------------------------------

    def set_features(self, practice: int, features: Iterable[Feature]) -> None:
        """Make ``features`` the features of ``practice`` (an empty iterable removes it)."""
        self.capacity = max(self.capacity, practice + 1)
        new = tuple(sorted({self._feature_id(f) for f in features}))
        old = self._of.get(practice, ())
        for fid in set(old) - set(new):
            self._postings[fid].discard(practice)
            self._arrays.pop(fid, None)
            self._weights.pop(fid, None)
        for fid in set(new) - set(old):
            self._postings[fid].add(practice)
            self._arrays.pop(fid, None)
            self._weights.pop(fid, None)
        if new:
            self._of[practice] = new
        else:
            self._of.pop(practice, None)

    def _feature_id(self, feature: Feature) -> int:
        fid = self._ids.get(feature)
        if fid is None:
            fid = self._ids[feature] = len(self._features)
            self._features.append(feature)
            self._postings.append(set())
        return fid

    # -- reading ----------------------------------------------------------------------------------

    def features(self, practice: int) -> tuple[Feature, ...]:
        return tuple(self._features[f] for f in self._of.get(practice, ()))

    def has(self, practice: int) -> bool:
        return practice in self._of

    def df(self, feature: Feature) -> int:
        """How many practices have ``feature``."""
        fid = self._ids.get(feature)
        return len(self._postings[fid]) if fid is not None else 0

    def posting(self, feature: Feature) -> IntArray:
        fid = self._ids.get(feature)
        return self._array(fid) if fid is not None else np.zeros(0, dtype=np.int64)

    def weight(self, feature: Feature) -> float:
        """``SIGNAL_WEIGHTS[signal] / log(1 + df)``; 0 for a feature no practice has."""
        fid = self._ids.get(feature)
        if fid is None:
            return 0.0
        cached = self._weights.get(fid)
        if cached is None:
            df = len(self._postings[fid])
            cached = self.weights[feature[0]] / math.log1p(df) if df else 0.0
            self._weights[fid] = cached
        return cached

    def _array(self, fid: int) -> IntArray:
        array = self._arrays.get(fid)
        if array is None:
            array = np.fromiter(sorted(self._postings[fid]), dtype=np.int64)
            self._arrays[fid] = array
        return array

    def profile_weight(self, profile: Mapping[Feature, float]) -> float:
        """``sum(multiplier * weight)`` over a profile (feature -> multiplier)."""
        return sum(m * self.weight(f) for f, m in profile.items())

    def accumulate(self, profile: Mapping[Feature, float], size: int) -> FloatArray:
        """Dense scores over ids ``0..size-1``: for each practice, the summed
        ``multiplier * weight`` of the profile's features it has."""
        postings: list[IntArray] = []
        weights: list[float] = []
        for feature in sorted(profile):
            fid = self._ids.get(feature)
            if fid is None or not self._postings[fid]:
                continue
            postings.append(self._array(fid))
            weights.append(profile[feature] * self.weight(feature))
        length = max(size, self.capacity)
        if not postings:
            return np.zeros(size, dtype=np.float64)
        ids = np.concatenate(postings)
        values = np.repeat(np.array(weights), [len(a) for a in postings])
        scores = cast(FloatArray, np.bincount(ids, weights=values, minlength=length))
        return scores[:size]

    def profile(self, practice: int) -> dict[Feature, float]:
        """The practice's own features, each with multiplier 1."""
        return dict.fromkeys(self.features(practice), 1.0)

    def similar(self, practice: int) -> FloatArray:
        """Similarity in [0, 1] of every practice id to ``practice`` (itself set to 0)."""
        profile = self.profile(practice)
        scores = self.accumulate(profile, self.capacity)
        total = self.profile_weight(profile)
        if total > 0:
            scores /= total
        scores[practice] = 0.0
        return scores

    def contributions(
        self, profile: Mapping[Feature, float], other: int
    ) -> tuple[dict[Signal, float], dict[Signal, list[str]]]:
        """Per signal: the share of the profile weight ``other`` matches, and the shared nodes
        (heaviest first)."""
        return self.contributions_of(profile, [other])[other]

    def contributions_of(
        self, profile: Mapping[Feature, float], others: Iterable[int]
    ) -> dict[int, tuple[dict[Signal, float], dict[Signal, list[str]]]]:
        """:meth:`contributions` for several practices, reading the profile once."""
        total = self.profile_weight(profile)
        by_id = {self._ids[f]: m for f, m in profile.items() if f in self._ids and m}
        out: dict[int, tuple[dict[Signal, float], dict[Signal, list[str]]]] = {}
        for other in others:
            shares: dict[Signal, float] = {}
            shared: dict[Signal, list[tuple[float, str]]] = {}
            for fid in self._of.get(other, ()):
                multiplier = by_id.get(fid)
                if multiplier is None:
                    continue
                signal, iri = self._features[fid]
                part = multiplier * self.weight((signal, iri))
                shares[signal] = shares.get(signal, 0.0) + (part / total if total else 0.0)
                shared.setdefault(signal, []).append((-part, iri))
            out[other] = (shares, {s: [iri for _, iri in sorted(v)] for s, v in shared.items()})
        return out
