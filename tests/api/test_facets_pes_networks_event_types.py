"""The PES, network and event-type facets of practices, and the eventTypes filter.

Each count is worked out from the seed quads with SPARQL (every graph merged), not from the read
model. Like the other OR-filters, each of these facets leaves out its own filter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .seeded import ID, Seeded, seeded

FACETS = """query($filter: PracticeFilter) {
  practices(filter: $filter, first: 0) {
    totalCount
    facets {
      pes { pes { iri } count }
      networks { network { iri } count }
      eventTypes { eventType { iri } count }
    }
  }
}"""
NETWORKS = f"VALUES ?v {{ <{ID}network/wapes> <{ID}network/eu-pes-network> }}"
VALUES = {
    "pes": "?p prov:wasAttributedTo ?v",
    "networks": f"{NETWORKS} ?p prov:wasAttributedTo ?pes . "
    "{ ?pes org:memberOf ?v } UNION { ?m org:member ?pes ; org:organization ?v }",
    "eventTypes": "?p pes:presentedAt/dct:type ?v",
}
FIELD = {"pes": "pes", "networks": "network", "eventTypes": "eventType"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    yield from seeded(Path(tmp_path_factory.mktemp("facets-more")))


def practices(api: Seeded, *patterns: str) -> frozenset[str]:
    where = " . ".join(("?p a pes:GoodPractice", *patterns))
    return frozenset(api.column(f"SELECT DISTINCT ?p WHERE {{ {where} }}"))


def expected(api: Seeded, facet: str, items: frozenset[str]) -> dict[str, int]:
    values = " ".join(f"<{i}>" for i in items)
    rows = api.oracle(f"SELECT DISTINCT ?p ?v WHERE {{ VALUES ?p {{ {values} }} {VALUES[facet]} }}")
    return dict(Counter(r["v"] for r in rows))


def facets(api: Seeded, filter: dict[str, Any]) -> tuple[int, dict[str, dict[str, int]]]:
    listed = api.data(FACETS, {"filter": filter})["practices"]
    found: dict[str, dict[str, int]] = {}
    for name, entries in listed["facets"].items():
        counts = [e["count"] for e in entries]
        assert counts == sorted(counts, reverse=True), f"{name} is not largest first"
        found[name] = {e[FIELD[name]]["iri"]: e["count"] for e in entries}
    return listed["totalCount"], found


def test_unfiltered_counts_match_the_seed_facts(api: Seeded) -> None:
    total, found = facets(api, {})
    everything = practices(api)
    assert total == len(everything)
    for name in ("pes", "networks", "eventTypes"):
        assert found[name] == expected(api, name, everything), name
        assert found[name], f"the seeds give {name} no count"


def test_within_a_theme_every_facet_counts_the_list(api: Seeded) -> None:
    total, found = facets(api, {"themes": ["career-guidance"]})
    listed = practices(api, f"?p dct:subject/skos:broader* <{ID}theme/career-guidance>")
    assert listed and total == len(listed)
    for name in ("pes", "networks", "eventTypes"):
        assert found[name] == expected(api, name, listed), name


def test_picking_a_pes_keeps_the_other_pes_and_counts_the_rest_within_it(api: Seeded) -> None:
    total, found = facets(api, {"pes": ["deu-ba"]})
    listed = practices(api, f"?p prov:wasAttributedTo <{ID}pes/deu-ba>")
    assert listed and total == len(listed)
    assert found["pes"] == expected(api, "pes", practices(api))  # its own filter left out
    assert len(found["pes"]) > 1
    assert found["eventTypes"] == expected(api, "eventTypes", listed)


def test_an_event_type_filters_and_leaves_its_own_facet_whole(api: Seeded) -> None:
    _, unfiltered = facets(api, {})
    kind = min(unfiltered["eventTypes"], key=unfiltered["eventTypes"].__getitem__)  # the rarest
    total, found = facets(api, {"eventTypes": [kind.rsplit("/", 1)[1]]})
    listed = practices(api, f"?p pes:presentedAt/dct:type <{kind}>")
    assert listed and total == len(listed)
    assert found["eventTypes"] == expected(api, "eventTypes", practices(api))
    assert found["eventTypes"][kind] == total
    assert found["pes"] == expected(api, "pes", listed)


def test_a_network_filter_and_its_facet(api: Seeded) -> None:
    total, found = facets(api, {"networks": ["eu-pes-network"], "themes": ["career-guidance"]})
    in_theme = practices(api, f"?p dct:subject/skos:broader* <{ID}theme/career-guidance>")
    assert found["networks"] == expected(api, "networks", in_theme)
    assert total == found["networks"][f"{ID}network/eu-pes-network"]
    assert len(found["networks"]) == 2


def test_a_type_no_practice_was_presented_at_empties_the_list_not_the_facet(api: Seeded) -> None:
    unused = api.column(
        "SELECT ?t WHERE { ?t a pes:EventType "
        "FILTER NOT EXISTS { ?p pes:presentedAt/dct:type ?t } } LIMIT 1"
    )
    assert unused, "every event type of the seeds has a practice"
    total, found = facets(api, {"eventTypes": list(unused)})
    assert total == 0 and found["pes"] == {} and found["networks"] == {}
    assert found["eventTypes"] == expected(api, "eventTypes", practices(api))
