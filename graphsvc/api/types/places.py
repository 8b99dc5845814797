"""WAPES regions and countries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry

from graphsvc.api.connections import Connection, PageArgs, paged
from graphsvc.api.types.base import (
    DEFAULT_LANG,
    LANG_DESCRIPTION,
    LocalizedText,
    Node,
    label_in,
    localized,
    related,
    wrap,
)
from graphsvc.api.types.organisations import pes_field
from graphsvc.api.types.practices import practices_field
from graphsvc.model import records as rec
from graphsvc.model.readmodel import EMPTY

if TYPE_CHECKING:
    from graphsvc.api.types.organisations import Network

__all__ = ["Country", "Place", "Region"]

NetworkT = Annotated["Network", strawberry.lazy("graphsvc.api.types")]


@strawberry.interface(description="A WAPES region or a country.")
class Place(Node):
    @strawberry.field(description="The name. " + LANG_DESCRIPTION)
    def label(self, lang: str = DEFAULT_LANG) -> str:
        alt = self._r.alt_labels
        return label_in(self._r.labels, lang, alt[0] if alt else self._r.iri)

    @strawberry.field(description="The name in every language it has.")
    def labels(self) -> list[LocalizedText]:
        return localized(self._r.labels)

    @strawberry.field(description="Other names.")
    def alt_labels(self) -> list[str]:
        return list(self._r.alt_labels)


@strawberry.type(description="A region of WAPES, e.g. Europe, Asia-Pacific.")
class Region(Place):
    _r: strawberry.Private[rec.Region]
    TYPE_NAME: ClassVar[str] = "Region"

    @strawberry.field(description="What the region covers. " + LANG_DESCRIPTION)
    def definition(self, lang: str = DEFAULT_LANG) -> str | None:
        return label_in(self._r.definition, lang) or None

    @strawberry.field(description="Its code, e.g. R04.")
    def notation(self) -> str | None:
        return self._r.notation

    @strawberry.field(description="The network it is a region of.")
    def network(self) -> NetworkT | None:
        rm = self._ctx.read_model
        found: NetworkT | None = wrap("Network", self._ctx, rm.networks.get(self._r.network or ""))
        return found

    @paged("Its countries, by name.")
    def countries(self, page: PageArgs) -> Connection[Country]:
        found = self._ctx.read_model.countries_by_region.get(self._r.iri, EMPTY)
        return related(self._ctx, "Country", found, page)

    pes = pes_field(
        lambda self: self._ctx.read_model.pes_by_region.get(self._r.iri, EMPTY),
        "PES of its countries.",
    )
    practices = practices_field(
        lambda self: self._ctx.read_model.practices_by_region.get(self._r.iri, EMPTY),
        "Practices of its countries.",
    )


@strawberry.type(description="A country (EU authority table of countries).")
class Country(Place):
    _r: strawberry.Private[rec.Country]
    TYPE_NAME: ClassVar[str] = "Country"

    @strawberry.field(description="ISO 3166-1 alpha-3 code, e.g. SWE.")
    def notation(self) -> str | None:
        return self._r.notation

    @strawberry.field(description="Its WAPES region.")
    def region(self) -> Region | None:
        found = self._ctx.read_model.regions.get(self._r.region or "")
        return None if found is None else Region(_r=found, _ctx=self._ctx)

    pes = pes_field(
        lambda self: self._ctx.read_model.pes_by_country.get(self._r.iri, EMPTY),
        "PES of the country.",
    )
    practices = practices_field(
        lambda self: self._ctx.read_model.practices_by_country.get(self._r.iri, EMPTY),
        "Practices of the country (their own country, else their PES's).",
    )
