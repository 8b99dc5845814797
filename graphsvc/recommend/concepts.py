"""The concepts of the ontology modules that synthetic data is made of, read from ``ontology/``.

Themes (with their hierarchy), target groups, event types, WAPES regions and countries (with their
region) are read straight from the Turtle files with pyoxigraph, without a store, so that the
generator keeps the seed ontology exactly: every IRI it emits for a concept is one of these.

Complexity: O(triples of the ontology modules), a few thousand. Example::

    >>> c = load_ontology_concepts(Settings().ontology_dir)      # doctest: +SKIP
    >>> c.labels["https://w3id.org/graphsvc/id/theme/youth-guarantee"]  # doctest: +SKIP
    'Youth Guarantee'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from pyoxigraph import Literal, NamedNode

from graphsvc.errors import InputError
from graphsvc.vocab import PES, RDF, SKOS

__all__ = ["OntologyConcepts", "load_ontology_concepts"]

_TYPE = str(RDF.type)
_PREF = str(SKOS.prefLabel)
_BROADER = str(SKOS.broader)
_NOTATION = str(SKOS.notation)
_REGION = str(PES.region)
_KINDS = {
    str(PES.Theme): "themes",
    str(PES.TargetGroup): "target_groups",
    str(PES.EventType): "event_types",
    str(PES.WapesRegion): "regions",
    str(PES.Country): "countries",
}


@dataclass(frozen=True)
class OntologyConcepts:
    """IRIs of the concepts by kind, each list sorted; labels and links in plain dicts."""

    themes: tuple[str, ...]
    target_groups: tuple[str, ...]
    event_types: tuple[str, ...]
    regions: tuple[str, ...]
    countries: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)  # English preferred label
    broader: dict[str, tuple[str, ...]] = field(default_factory=dict)  # theme -> broader themes
    notations: dict[str, str] = field(default_factory=dict)
    country_region: dict[str, str] = field(default_factory=dict)

    def top_theme(self, theme: str) -> str:
        """The top concept above ``theme`` (the first broader chain, by IRI order)."""
        seen = {theme}
        while self.broader.get(theme):
            theme = self.broader[theme][0]
            if theme in seen:
                break
            seen.add(theme)
        return theme

    def countries_in(self, region: str) -> tuple[str, ...]:
        return tuple(c for c in self.countries if self.country_region.get(c) == region)


def load_ontology_concepts(ontology_dir: Path) -> OntologyConcepts:
    """Read the concept schemes in ``ontology_dir`` (every ``*.ttl`` except the shapes)."""
    files = sorted(p for p in ontology_dir.glob("*.ttl") if p.name != "shapes.ttl")
    if not files:
        raise InputError(f"{ontology_dir}: no ontology modules (*.ttl) found")
    kinds: dict[str, set[str]] = {name: set() for name in _KINDS.values()}
    labels: dict[str, str] = {}
    broader: dict[str, set[str]] = {}
    notations: dict[str, str] = {}
    regions: dict[str, str] = {}
    for path in files:
        try:
            triples = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
        except SyntaxError as exc:
            raise InputError(f"{path}: {exc}") from None
        for t in triples:
            s, p, o = t.subject, t.predicate.value, t.object
            if not isinstance(s, NamedNode):
                continue
            if p == _TYPE and isinstance(o, NamedNode) and o.value in _KINDS:
                kinds[_KINDS[o.value]].add(s.value)
            elif p == _PREF and isinstance(o, Literal) and o.language == "en":
                labels[s.value] = o.value
            elif p == _BROADER and isinstance(o, NamedNode) and o.value != s.value:
                broader.setdefault(s.value, set()).add(o.value)
            elif p == _NOTATION and isinstance(o, Literal):
                notations[s.value] = o.value
            elif p == _REGION and isinstance(o, NamedNode):
                regions[s.value] = o.value
    themes = tuple(sorted(kinds["themes"]))
    return OntologyConcepts(
        themes=themes,
        target_groups=tuple(sorted(kinds["target_groups"])),
        event_types=tuple(sorted(kinds["event_types"])),
        regions=tuple(sorted(kinds["regions"])),
        countries=tuple(sorted(kinds["countries"])),
        labels=labels,
        broader={t: tuple(sorted(broader[t] & set(themes))) for t in themes if t in broader},
        notations=notations,
        country_region={c: regions[c] for c in kinds["countries"] if c in regions},
    )
