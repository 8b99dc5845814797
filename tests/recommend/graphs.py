"""A small hand-made graph whose rankings can be worked out by hand; generated data as records."""

from __future__ import annotations

from graphsvc.model.records import (
    Country,
    Event,
    Pes,
    Practice,
    Region,
    TargetGroup,
    Theme,
)
from graphsvc.recommend.source import RecordSet
from graphsvc.synthetic import SyntheticDataset
from graphsvc.vocab import EU_COUNTRY, ID


def iri(kind: str, key: str) -> str:
    return str(ID[f"{kind}/{key}"])


YG, YEMP, INC = (
    iri("theme", "youth-guarantee"),
    iri("theme", "youth-employment"),
    iri("theme", "inclusion"),
)
CG, GREEN = iri("theme", "career-guidance"), iri("theme", "green-transition")
YOUNG, EMPLOYERS = iri("target-group", "young-people"), iri("target-group", "employers")
EUROPE, AFRICA = iri("region", "europe"), iri("region", "africa")
FIN, SWE, CMR = (str(EU_COUNTRY[c]) for c in ("FIN", "SWE", "CMR"))
FIN_PES, SWE_PES, CMR_PES = iri("pes", "fin-keha"), iri("pes", "swe-af"), iri("pes", "cmr-fne")
E1 = iri("event", "e1")
A, B, C, D, E, F = (iri("practice", k) for k in "abcdef")


def practice(key: str, pes: str, country: str, themes: tuple[str, ...], **kw: object) -> Practice:
    return Practice(
        iri=iri("practice", key),
        title={"en": f"Practice {key.upper()}"},
        themes=themes,
        pes=pes,
        country=country,
        date="2020",
        **kw,  # type: ignore[arg-type]
    )


def hand_made() -> RecordSet:
    """Practices A-F; see test_rankings.py for the worked-out scores."""
    return RecordSet().add(
        [
            Theme(iri=INC, labels={"en": "Inclusion"}),
            Theme(iri=YEMP, labels={"en": "Youth employment"}, broader=(INC,)),
            Theme(iri=YG, labels={"en": "Youth Guarantee"}, broader=(YEMP,)),
            Theme(iri=CG, labels={"en": "Career guidance"}),
            Theme(iri=GREEN, labels={"en": "Green transition"}),
            TargetGroup(iri=YOUNG, labels={"en": "Young people"}),
            TargetGroup(iri=EMPLOYERS, labels={"en": "Employers"}),
            Region(iri=EUROPE, labels={"en": "Europe"}),
            Region(iri=AFRICA, labels={"en": "Africa"}),
            Country(iri=FIN, labels={"en": "Finland"}, region=EUROPE),
            Country(iri=SWE, labels={"en": "Sweden"}, region=EUROPE),
            Country(iri=CMR, labels={"en": "Cameroon"}, region=AFRICA),
            Pes(iri=FIN_PES, labels={"en": "KEHA Centre"}, country=FIN),
            Pes(iri=SWE_PES, labels={"en": "Arbetsförmedlingen"}, country=SWE),
            Pes(iri=CMR_PES, labels={"en": "National Employment Fund"}, country=CMR),
            Event(iri=E1, name={"en": "Green jobs workshop"}, organizers=(CMR_PES,)),
            practice("a", FIN_PES, FIN, (YG, CG), target_groups=(YOUNG,)),
            practice("b", SWE_PES, SWE, (YG, CG), target_groups=(YOUNG,)),
            practice("c", FIN_PES, FIN, (GREEN,), events=(E1,)),
            practice("d", CMR_PES, CMR, (YG,)),
            practice("e", CMR_PES, CMR, (GREEN,), events=(E1,)),
            practice("f", SWE_PES, SWE, (CG,)),
        ]
    )


def dataset_source(ds: SyntheticDataset) -> RecordSet:
    """The records of a generated dataset plus the ontology concepts, as the read model has them."""
    c = ds.concepts
    rs = RecordSet(
        practices=dict(ds.practices),
        pes=dict(ds.pes),
        events=dict(ds.events),
        networks=dict(ds.networks),
    )
    for t in c.themes:
        rs.themes[t] = Theme(iri=t, labels={"en": c.labels[t]}, broader=c.broader.get(t, ()))
    for g in c.target_groups:
        rs.target_groups[g] = TargetGroup(iri=g, labels={"en": c.labels[g]})
    for k in c.countries:
        rs.countries[k] = Country(iri=k, labels={"en": c.labels[k]}, region=c.country_region[k])
    for r in c.regions:
        rs.regions[r] = Region(iri=r, labels={"en": c.labels[r]})
    return rs
