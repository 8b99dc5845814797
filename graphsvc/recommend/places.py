"""Where each PES is and which networks it belongs to, as one build of the index read them.

Peer ranking (:mod:`graphsvc.recommend.peers`) and the place features of a query
(:mod:`graphsvc.recommend.queries`) read a :class:`Places` kept with the
:class:`~graphsvc.recommend.state.IndexState` rather than the live source, so a query reads the
PES, countries, regions and memberships of the build it is served from, also while a rebuild of
a newer source runs (a change to any of them triggers one).

A :class:`Places` is never edited: when a practice brings in a PES or a country the build did not
know, :mod:`graphsvc.recommend.incremental` replaces it with :meth:`Places.with_node`, so a query
that captured it once reads one version. Built in O(PES + countries + memberships); lookups are
O(1). Example::

    >>> places = Places.of(read_model)                                   # doctest: +SKIP
    >>> places.pes_region[pes_iri]                                       # doctest: +SKIP
    'https://w3id.org/graphsvc/id/region/europe'
"""

from __future__ import annotations

from collections.abc import Mapping

from graphsvc.recommend.features import Feature, Signal
from graphsvc.recommend.source import GraphSource

__all__ = ["Places"]


class Places:
    """Each PES's country, region and networks, and each country's region; see the module
    docstring. Treat as read-only."""

    def __init__(
        self,
        pes_country: Mapping[str, str | None],
        country_region: Mapping[str, str | None],
        regions: frozenset[str],
        networks: Mapping[str, frozenset[str]],
    ) -> None:
        self.pes_country = pes_country  # every PES: its country as recorded
        self.country_region = country_region  # every country: its region as recorded
        self.regions = regions  # the regions the source knows
        self.networks = networks  # every PES: org:memberOf plus memberships of known networks
        self.pes_region: dict[str, str | None] = {
            pes: self.region_of(country) for pes, country in pes_country.items()
        }

    @classmethod
    def of(cls, source: GraphSource) -> Places:
        """The places as ``source`` holds them now. O(PES + countries + memberships)."""
        networks: dict[str, set[str]] = {p: set(r.networks) for p, r in source.pes.items()}
        for m in source.memberships.values():
            if m.member in networks and m.organization in source.networks:
                networks[m.member].add(m.organization)
        return cls(
            {p: r.country for p, r in source.pes.items()},
            {c: r.region for c, r in source.countries.items()},
            frozenset(source.regions),
            {p: frozenset(n) for p, n in networks.items()},
        )

    def region_of(self, country: str | None) -> str | None:
        """The known region of a known country, else ``None``."""
        region = self.country_region.get(country) if country else None
        return region if region in self.regions else None

    def features_of(self, country: str | None) -> list[Feature]:
        """The country and region features of a place (the profile of a member without
        practices)."""
        if not country or country not in self.country_region:
            return []
        out: list[Feature] = [(Signal.COUNTRY, country)]
        region = self.region_of(country)
        if region is not None:
            out.append((Signal.REGION, region))
        return out

    def with_node(self, source: GraphSource, iri: str) -> Places:
        """A copy with PES or country ``iri`` read from ``source`` (one a practice brought in
        after the build); ``self`` if ``iri`` is neither. O(PES + countries + memberships)."""
        pes_country, country_region = dict(self.pes_country), dict(self.country_region)
        networks = dict(self.networks)
        if (pes := source.pes.get(iri)) is not None:
            pes_country[iri] = pes.country
            networks[iri] = frozenset(pes.networks) | {
                m.organization
                for m in source.memberships.values()
                if m.member == iri and m.organization in source.networks
            }
        elif (country := source.countries.get(iri)) is not None:
            country_region[iri] = country.region
        else:
            return self
        return Places(pes_country, country_region, self.regions, networks)
