"""The change feed inside two services sharing one real ``oxigraph serve``: revision numbers,
following, delivery in revision order, replay from the store."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.servers import OxigraphServer

from graphsvc.edit.auth import Principal, TokenRegistry
from graphsvc.edit.practices import create_practice, delete_practice
from graphsvc.feed.changes import FeedChange, changes_since, head_revision
from graphsvc.services import Services, open_services
from graphsvc.settings import Settings
from graphsvc.vocab import ID

BA = f"{ID}pes/deu-ba"


@pytest.fixture(scope="module")
def services_pair(
    oxigraph_server: OxigraphServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Services, Services]]:
    """Two services over one store, as two workers would be (one data directory: one lock);
    seeded and built once for the module."""
    oxigraph_server.clear()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("follow"),
        store="sparql",
        sparql_query_url=oxigraph_server.query_url,
        sparql_update_url=oxigraph_server.update_url,
    )
    first = open_services(settings)
    second = open_services(settings)
    yield first, second
    first.close()
    second.close()
    oxigraph_server.clear()


@pytest.fixture
def pair(services_pair: tuple[Services, Services]) -> tuple[Services, Services]:
    """The two services, each caught up with everything the other committed before the test."""
    for services in services_pair:
        assert services.feed is not None
        services.feed.poll()
    return services_pair


def _admin(tmp_path: Path) -> Principal:
    record, _ = TokenRegistry(tmp_path / "tokens.json").create("admin", "feed")
    return Principal(token=record)


def _create(services: Services, admin: Principal, title: str) -> str:
    changes = {
        "title": [("en", title)],  # (language, text) pairs, as the GraphQL layer passes them
        "themes": ["youth-guarantee"],
        "country": "DEU",
        "pes": BA,
        "date": "2024",
        "sources": ["https://example.org/p"],
    }
    return create_practice(services, admin, changes).iri


def test_commits_are_numbered_and_followed(pair: tuple[Services, Services], tmp_path: Path) -> None:
    first, second = pair
    admin = _admin(tmp_path)
    assert first.feed is not None and second.feed is not None
    assert first.feed.shared
    assert (
        first.write_lock.path == second.write_lock.path == first.settings.data_dir / "commit.lock"
    )
    start = head_revision(first.store)
    a = _create(first, admin, "Followed one")
    b = _create(second, admin, "Followed two")
    assert head_revision(first.store) == start + 2
    # before it polls, the second service does not know the first one's practice
    assert a not in second.read_model.practices and b in second.read_model.practices
    assert second.feed.poll() == 1  # one change new to it
    assert a in second.read_model.practices
    assert second.recommendations is not None
    assert first.feed.poll() == 1 and b in first.read_model.practices
    delete_practice(second, admin, a)
    first.feed.poll()
    assert a not in first.read_model.practices
    log = changes_since(first.store, start)
    assert [(c.revision, c.target, c.kind.value) for c in log] == [
        (start + 1, a, "create"),
        (start + 2, b, "create"),
        (start + 3, a, "delete"),
    ]
    # the deleted practice keeps its facets on its change record, for filtered feeds
    assert log[2].facets.pes == {BA} and f"{ID}theme/youth-guarantee" in log[2].facets.themes


def test_subscribers_get_every_change_once_in_revision_order(
    pair: tuple[Services, Services], tmp_path: Path
) -> None:
    first, second = pair
    admin = _admin(tmp_path)
    assert first.feed is not None

    async def scenario() -> list[FeedChange]:
        assert first.feed is not None
        with first.feed.hub.subscribe() as queue:
            # the second service commits twice, then the first once: the first's own change
            # (revision 3) waits until its poll has delivered revisions 1 and 2
            await asyncio.to_thread(_create, second, admin, "Order one")
            await asyncio.to_thread(_create, second, admin, "Order two")
            await asyncio.to_thread(_create, first, admin, "Order three")
            assert queue.empty()
            await asyncio.to_thread(first.feed.poll)
            delivered = [await asyncio.wait_for(queue.get(), 10) for _ in range(3)]
            assert None not in delivered  # no "fell behind, reconnect"
            return [c for c in delivered if c is not None]

    delivered = asyncio.run(scenario())
    revisions = [c.revision for c in delivered]
    assert revisions == sorted(revisions) == list(range(revisions[0], revisions[0] + 3))
    assert first.feed.delivered == revisions[-1]
