"""A realistic synthetic dataset at any scale, for benchmarks and the offline evaluation.

:func:`generate_dataset` draws records (the read model's own record types) from a seeded random
generator; :func:`dataset_quads` turns them into quads in one named graph,
``https://w3id.org/graphsvc/graph/synthetic/<seed>``, never into a seed graph; :func:`write_dataset`
writes N-Quads or TriG with pyoxigraph (``graphsvc generate --practices N --seed S -o FILE``), which
``graphsvc load FILE`` loads.

What it keeps from the ontology: every theme, target group, event type, country and WAPES region
is a concept of ``ontology/`` (:mod:`graphsvc.recommend.concepts`); practices, PES, events and
networks have the shapes' required properties and IRI patterns, so a small dataset validates.

The shape of the data:

- about 150 PES (``pes``) over the 5 WAPES regions (45 % Europe, 20 % Africa, 13 % Americas, 13 %
  Asia-Pacific, 9 % Middle East and Arab countries), every country of a region getting one before
  any gets two; a few regional cooperation networks per region, each PES a member of one;
- theme popularity is skewed: a Zipf law (exponent 1) over the non-top themes in a seeded order;
- topical clusters (``clusters``, default 16): each a few core themes, mostly from one branch of
  the theme hierarchy, and 1-3 target groups; every PES works on three clusters (weights 0.6, 0.3,
  0.1), and PES activity is skewed too (Zipf, exponent 0.8);
- a practice draws its cluster from its PES's portfolio (85 %), then 1-4 themes (80 % from the
  cluster's core), 0-2 target groups and a year between 2005 and 2025;
- events (one per ``event_every`` practices, default 20) belong to a cluster and a region and are
  organised by a PES of that region; 35 % of practices are presented at one event of their cluster
  (in their own region 75 % of the time; 80 % of the time one whose topics include one of the
  practice's themes, when there is one) and 5 % at a second one.

Deterministic: the same ``(practices, seed, pes, clusters)`` gives the same records and the same
bytes. Complexity: O(practices) time and memory; 100k practices (about 1.3M quads) take a few
seconds. Example::

    >>> ds = generate_dataset(1000, seed=7)                     # doctest: +SKIP
    >>> len(ds.practices), len(ds.pes)                          # doctest: +SKIP
    (1000, 150)
    >>> write_dataset(ds, Path("synthetic.nq"))                 # doctest: +SKIP
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

import pyoxigraph
from pyoxigraph import Literal, NamedNode, Quad

from graphsvc.errors import InputError
from graphsvc.model.records import Event, Network, Pes, Practice
from graphsvc.recommend.concepts import OntologyConcepts, load_ontology_concepts
from graphsvc.settings import PROJECT_ROOT
from graphsvc.store.formats import FORMATS, format_for_path
from graphsvc.vocab import (
    CV,
    DCTERMS,
    ID,
    ORG,
    PES,
    PREFIXES,
    PROV,
    RDF,
    SCHEMA,
    SKOS,
    XSD,
    graph_iri,
)

__all__ = [
    "REGION_SHARES",
    "SyntheticDataset",
    "dataset_quads",
    "generate_dataset",
    "synthetic_graph",
    "write_dataset",
]

REGION_SHARES: dict[str, float] = {
    str(ID["region/europe"]): 0.45,
    str(ID["region/africa"]): 0.20,
    str(ID["region/americas"]): 0.13,
    str(ID["region/asia-pacific"]): 0.13,
    str(ID["region/middle-east-arab"]): 0.09,
}
"""Share of the PES in each WAPES region."""

_NOUNS = ("programme", "pilot", "service", "initiative", "toolkit", "partnership", "campaign")
_ADJECTIVES = ("Local", "National", "Digital", "Targeted", "Integrated", "Regional", "New")
_PORTFOLIO_CUM = (0.6, 0.9, 1.0)


def synthetic_graph(seed: int) -> str:
    """The named graph of the dataset generated with ``seed``."""
    return str(graph_iri(f"synthetic/{seed}"))


@dataclass
class SyntheticDataset:
    """Records of one generated dataset, and the truth it was drawn from (for tests)."""

    seed: int
    graph: str
    concepts: OntologyConcepts
    practices: dict[str, Practice] = field(default_factory=dict)
    pes: dict[str, Pes] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    networks: dict[str, Network] = field(default_factory=dict)
    practice_cluster: dict[str, int] = field(default_factory=dict)
    event_cluster: dict[str, int] = field(default_factory=dict)
    cluster_themes: list[tuple[str, ...]] = field(default_factory=list)


def _zipf(n: int, exponent: float) -> list[float]:
    """Cumulative Zipf weights for ranks 1..n."""
    return list(itertools.accumulate(1.0 / (rank**exponent) for rank in range(1, n + 1)))


def _draw(rng: random.Random, items: Sequence[str], cum: Sequence[float]) -> str:
    return items[bisect.bisect_right(cum, rng.random() * cum[-1])]


def _width(n: int) -> int:
    return max(6, len(str(n)))


def generate_dataset(
    practices: int,
    seed: int = 0,
    *,
    pes: int = 150,
    clusters: int = 16,
    event_every: int = 20,
    ontology_dir: Path | None = None,
) -> SyntheticDataset:
    """Draw a dataset of ``practices`` practices; see the module docstring for its shape.

    Raises :class:`InputError` for a non-positive count. Complexity: O(practices + pes).
    """
    if practices < 1 or pes < 1 or clusters < 1 or event_every < 1:
        raise InputError("practices, pes, clusters and event_every must be positive")
    concepts = load_ontology_concepts(ontology_dir or PROJECT_ROOT / "ontology")
    rng = random.Random(seed)
    ds = SyntheticDataset(seed=seed, graph=synthetic_graph(seed), concepts=concepts)
    label = concepts.labels

    # themes: Zipf popularity over the narrower themes, in a seeded order
    themes = [t for t in concepts.themes if concepts.broader.get(t)]
    rng.shuffle(themes)
    theme_cum = _zipf(len(themes), 1.0)
    groups = list(concepts.target_groups)

    # topical clusters: core themes mostly from one branch, a few target groups
    branches: dict[str, list[str]] = {}
    for theme in themes:
        branches.setdefault(concepts.top_theme(theme), []).append(theme)
    branch_names = sorted(branches)
    theme_rank = {t: i for i, t in enumerate(themes)}
    cluster_groups: list[tuple[str, ...]] = []
    for c in range(clusters):
        branch = branches[branch_names[c % len(branch_names)]]
        core_set = set(rng.sample(branch, min(len(branch), rng.randint(2, 3))))
        while len(core_set) < 4 + rng.randint(0, 1):
            core_set.add(_draw(rng, themes, theme_cum))
        ds.cluster_themes.append(tuple(sorted(core_set, key=theme_rank.__getitem__)))
        cluster_groups.append(tuple(sorted(rng.sample(groups, rng.randint(1, 3)))))
    cluster_cum = _zipf(clusters, 0.7)
    cluster_ids = [str(c) for c in range(clusters)]

    # PES in regions, networks per region
    regions = [r for r in REGION_SHARES if r in concepts.regions]
    quotas = _quotas(pes, [REGION_SHARES[r] for r in regions])
    regions, quotas = (
        [r for r, q in zip(regions, quotas, strict=True) if q],
        [q for q in quotas if q],
    )
    region_cum = _cumulative(quotas)
    source = NamedNode(ds.graph)
    pes_region: dict[str, str] = {}
    region_networks: dict[str, list[str]] = {}
    for region, quota in zip(regions, quotas, strict=True):
        region_label = label.get(region, region)
        nets = []
        for k in range(max(1, quota // 25)):
            iri = str(ID[f"network/synthetic-{seed}-{region.rsplit('/', 1)[-1]}-{k + 1}"])
            nets.append(iri)
            ds.networks[iri] = Network(
                iri=iri,
                labels={"en": f"{region_label} cooperation network {k + 1}"},
                alt_labels=(f"SYN-{region_label[:3].upper()}{k + 1}",),
                kinds=(str(ORG.OrganizationalCollaboration),),
                sources=(source.value,),
            )
        region_networks[region] = nets
        countries = list(concepts.countries_in(region))
        rng.shuffle(countries)
        for k in range(quota):
            country = countries[k % len(countries)]
            code = country.rsplit("/", 1)[-1]
            n = len(ds.pes) + 1
            iri = str(ID[f"pes/{code.lower()}-synthetic-{seed}-{n:03d}"])
            ds.pes[iri] = Pes(
                iri=iri,
                labels={"en": f"Employment service {n:03d} of {label.get(country, code)}"},
                alt_labels=(f"ES{n:03d}",),
                country=country,
                sources=(source.value,),
                networks=(nets[k % len(nets)],),
            )
            pes_region[iri] = region
    pes_iris = list(ds.pes)
    rng.shuffle(pes_iris)
    pes_cum = _zipf(len(pes_iris), 0.8)
    portfolio = {
        p: [int(c) for c in _distinct(rng, cluster_ids, cluster_cum, 3)] for p in sorted(pes_iris)
    }
    pes_by_region: dict[str, list[str]] = {}
    for p in sorted(pes_iris):
        pes_by_region.setdefault(pes_region[p], []).append(p)

    # events: a cluster, a region, an organiser of that region
    n_events = max(1, practices // event_every)
    events_at: dict[tuple[int, str], list[str]] = {}
    events_of_cluster: dict[int, list[str]] = {}
    events_on: dict[tuple[int, str | None, str], list[str]] = {}
    event_types = list(concepts.event_types)
    ew = _width(n_events)
    for k in range(n_events):
        cluster = int(_draw(rng, cluster_ids, cluster_cum))
        region = regions[bisect.bisect_right(region_cum, rng.random() * pes)]
        organiser = rng.choice(pes_by_region[region])
        core = ds.cluster_themes[cluster]
        topic = sorted(rng.sample(core, min(2, len(core))))
        kind = rng.choice(event_types)
        year = rng.randint(2010, 2025)
        iri = str(ID[f"event/synthetic-{seed}-{k + 1:0{ew}d}"])
        ds.events[iri] = Event(
            iri=iri,
            name={
                "en": f"{label.get(region, region)} {label.get(kind, 'event').lower()} on "
                f"{' and '.join(label.get(t, t) for t in topic)} {year}"
            },
            event_type=kind,
            start=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            organizers=(organiser,),
            themes=tuple(topic),
            sources=(source.value,),
        )
        ds.event_cluster[iri] = cluster
        for theme in topic:
            events_on.setdefault((cluster, region, theme), []).append(iri)
            events_on.setdefault((cluster, None, theme), []).append(iri)
        events_at.setdefault((cluster, region), []).append(iri)
        events_of_cluster.setdefault(cluster, []).append(iri)

    # practices
    pw = _width(practices)
    for k in range(practices):
        owner = _draw(rng, pes_iris, pes_cum)
        own = portfolio[owner]
        if rng.random() < 0.85:
            cluster = own[min(len(own) - 1, bisect.bisect_right(_PORTFOLIO_CUM, rng.random()))]
        else:
            cluster = int(_draw(rng, cluster_ids, cluster_cum))
        core = ds.cluster_themes[cluster]
        chosen: set[str] = set()
        for _ in range(rng.choices((1, 2, 3, 4), (0.2, 0.4, 0.3, 0.1))[0]):
            if rng.random() < 0.8:
                chosen.add(core[min(int(rng.expovariate(0.7)), len(core) - 1)])
            else:
                chosen.add(_draw(rng, themes, theme_cum))
        audience: set[str] = set()
        for _ in range(rng.choices((0, 1, 2), (0.25, 0.5, 0.25))[0]):
            group_pool = cluster_groups[cluster] if rng.random() < 0.8 else groups
            audience.add(rng.choice(group_pool))
        presented: set[str] = set()
        region = pes_region[owner]
        for chance in (0.35, 0.05 / 0.35):
            if rng.random() >= chance:
                break
            local = events_at.get((cluster, region))
            where: str | None = region if local and rng.random() < 0.75 else None
            event_pool = local if where else events_of_cluster.get(cluster)
            if event_pool:
                topics = [t for t in sorted(chosen) if (cluster, where, t) in events_on]
                if topics and rng.random() < 0.8:
                    event_pool = events_on[(cluster, where, rng.choice(topics))]
                presented.add(rng.choice(event_pool))
        year = min(2025, 2005 + int(rng.triangular(0, 21, 17)))
        home = ds.pes[owner].country
        main = sorted(chosen, key=lambda t: label.get(t, t))[0]
        iri = str(ID[f"practice/synthetic-{seed}-{k + 1:0{pw}d}"])
        title = (
            f"{rng.choice(_ADJECTIVES)} {label.get(main, 'practice').lower()} "
            f"{rng.choice(_NOUNS)} {k + 1}"
        )
        ds.practices[iri] = Practice(
            iri=iri,
            title={"en": title},
            abstract={
                "en": f"A practice of {ds.pes[owner].labels['en']} on "
                + ", ".join(label.get(t, t) for t in sorted(chosen))
                + "."
            },
            themes=tuple(sorted(chosen)),
            target_groups=tuple(sorted(audience)),
            country=home,
            pes=owner,
            date=str(year),
            sources=(source.value,),
            events=tuple(sorted(presented)),
        )
        ds.practice_cluster[iri] = cluster
    return ds


def _quotas(total: int, shares: Sequence[float]) -> list[int]:
    """Largest-remainder apportionment of ``total`` by ``shares``."""
    raw = [total * s / sum(shares) for s in shares]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: out[i] - raw[i])[: total - sum(out)]:
        out[i] += 1
    return out


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _distinct(rng: random.Random, items: Sequence[str], cum: Sequence[float], k: int) -> list[str]:
    out: list[str] = []
    while len(out) < min(k, len(items)):
        item = _draw(rng, items, cum)
        if item not in out:
            out.append(item)
    return out


def dataset_quads(ds: SyntheticDataset) -> Iterator[Quad]:
    """The dataset as quads in its own named graph, in a stable order.

    Complexity: O(quads), about 13 per practice.
    """
    g = NamedNode(ds.graph)
    nodes: dict[str, NamedNode] = {}

    def node(iri: str) -> NamedNode:
        n = nodes.get(iri)
        if n is None:
            n = nodes[iri] = NamedNode(iri)
        return n

    a, pref, alt, source = (
        node(str(RDF.type)),
        node(str(SKOS.prefLabel)),
        node(str(SKOS.altLabel)),
        node(str(DCTERMS.source)),
    )
    title, abstract, subject = (
        node(str(DCTERMS.title)),
        node(str(DCTERMS.abstract)),
        node(str(DCTERMS.subject)),
    )
    audience, spatial, date = (
        node(str(DCTERMS.audience)),
        node(str(DCTERMS.spatial)),
        node(str(DCTERMS.date)),
    )
    attributed, presented = node(str(PROV.wasAttributedTo)), node(str(PES.presentedAt))
    gyear, xdate = node(str(XSD.gYear)), node(str(XSD.date))

    for net in ds.networks.values():
        s = node(net.iri)
        for cls in (PES.Network, ORG.Organization, ORG.OrganizationalCollaboration):
            yield Quad(s, a, node(str(cls)), g)
        yield Quad(s, pref, Literal(net.labels["en"], language="en"), g)
        for text in net.alt_labels:
            yield Quad(s, alt, Literal(text), g)
        yield Quad(s, source, g, g)
    for p in ds.pes.values():
        s = node(p.iri)
        for cls in (PES.PublicEmploymentService, CV.PublicOrganisation, ORG.Organization):
            yield Quad(s, a, node(str(cls)), g)
        yield Quad(s, pref, Literal(p.labels["en"], language="en"), g)
        for text in p.alt_labels:
            yield Quad(s, alt, Literal(text), g)
        if p.country:
            yield Quad(s, spatial, node(p.country), g)
        for net_iri in p.networks:
            yield Quad(s, node(str(ORG.memberOf)), node(net_iri), g)
        yield Quad(s, source, g, g)
    for e in ds.events.values():
        s = node(e.iri)
        yield Quad(s, a, node(str(SCHEMA.Event)), g)
        yield Quad(s, node(str(SCHEMA.name)), Literal(e.name["en"], language="en"), g)
        if e.event_type:
            yield Quad(s, node(str(DCTERMS.type)), node(e.event_type), g)
        if e.start:
            yield Quad(s, node(str(SCHEMA.startDate)), Literal(e.start, datatype=xdate), g)
        for agent in e.organizers:
            yield Quad(s, node(str(SCHEMA.organizer)), node(agent), g)
        for theme in e.themes:
            yield Quad(s, subject, node(theme), g)
        yield Quad(s, source, g, g)
    practice_types = (node(str(PES.GoodPractice)), node(str(SCHEMA.CreativeWork)))
    for pr in ds.practices.values():
        s = NamedNode(pr.iri)
        for cls_node in practice_types:
            yield Quad(s, a, cls_node, g)
        yield Quad(s, title, Literal(pr.title["en"], language="en"), g)
        yield Quad(s, abstract, Literal(pr.abstract["en"], language="en"), g)
        for theme in pr.themes:
            yield Quad(s, subject, node(theme), g)
        for group in pr.target_groups:
            yield Quad(s, audience, node(group), g)
        if pr.country:
            yield Quad(s, spatial, node(pr.country), g)
        if pr.date:
            yield Quad(s, date, Literal(pr.date, datatype=gyear), g)
        if pr.pes:
            yield Quad(s, attributed, node(pr.pes), g)
        yield Quad(s, source, g, g)
        for event in pr.events:
            yield Quad(s, presented, node(event), g)


def write_dataset(ds: SyntheticDataset, output: Path | IO[bytes], fmt: str | None = None) -> None:
    """Write the dataset as N-Quads (default) or TriG; a path's extension picks the format.

    A path is written through a temporary file and renamed, so no half-written file is left.
    """
    if isinstance(output, Path):
        rdf_format = format_for_path(output).rdf_format if fmt is None else _format(fmt)
        if not rdf_format.supports_datasets:
            raise InputError(f"{output}: use a dataset format (.nq or .trig) for named graphs")
        partial = output.with_name(f".{output.name}.partial")
        try:
            if output.suffix == ".gz":
                import gzip

                with gzip.open(partial, "wb") as zipped:
                    _serialize(ds, cast(IO[bytes], zipped), rdf_format)
            else:
                with partial.open("wb") as handle:
                    _serialize(ds, handle, rdf_format)
            partial.replace(output)
        except OSError as exc:
            raise InputError(f"{output}: cannot write: {exc.strerror or exc}") from None
        finally:
            partial.unlink(missing_ok=True)
        return
    _serialize(ds, output, _format(fmt or "nq"))


def _format(name: str) -> pyoxigraph.RdfFormat:
    if name not in ("nq", "trig"):
        raise InputError(f"format {name!r}: use nq or trig")
    return FORMATS[name].rdf_format


def _serialize(ds: SyntheticDataset, handle: IO[bytes], rdf_format: pyoxigraph.RdfFormat) -> None:
    prefixes = PREFIXES if rdf_format == pyoxigraph.RdfFormat.TRIG else None
    pyoxigraph.serialize(dataset_quads(ds), handle, rdf_format, prefixes=prefixes)
