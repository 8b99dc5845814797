"""State derived once for several workers (``serve --workers``'s launcher builds it and forks
the workers): a worker that takes it over follows the feed from the revision it was built at,
so a write committed in between reaches its read model and recommendation index."""

from __future__ import annotations

from pathlib import Path

from support.servers import OxigraphServer

from graphsvc.edit.auth import Principal, TokenRegistry
from graphsvc.edit.practices import create_practice
from graphsvc.feed.changes import head_revision
from graphsvc.services import build_derived, open_services
from graphsvc.settings import Settings
from graphsvc.vocab import ID


def test_a_worker_takes_over_the_derived_state_and_follows_from_its_revision(
    oxigraph_server: OxigraphServer, tmp_path: Path
) -> None:
    oxigraph_server.clear()
    settings = Settings(
        data_dir=tmp_path,
        store="sparql",
        sparql_query_url=oxigraph_server.query_url,
        sparql_update_url=oxigraph_server.update_url,
    )
    writer = open_services(settings)  # seeds the empty store
    try:
        derived = build_derived(settings)
        assert derived.revision == head_revision(writer.store)
        record, _ = TokenRegistry(tmp_path / "tokens.json").create("admin", "derived")
        changes = {
            "title": [("en", "Written after the state was derived")],
            "themes": ["youth-guarantee"],
            "country": "DEU",
            "pes": f"{ID}pes/deu-ba",
            "date": "2024",
            "sources": ["https://example.org/p"],
        }
        iri = create_practice(writer, Principal(token=record), changes).iri

        worker = open_services(settings.with_overrides(load_seeds=False), derived)
        try:
            assert worker.read_model is derived.read_model and worker.index is derived.index
            assert worker.feed is not None and worker.feed.delivered == derived.revision
            assert iri not in worker.read_model.practices  # built before the write
            assert worker.feed.poll() == 1  # the write since that revision, one change
            assert iri in worker.read_model.practices
            assert worker.recommendations.has_node(iri)
            assert worker.feed.delivered == head_revision(worker.store)
        finally:
            worker.close()
    finally:
        writer.close()
        oxigraph_server.clear()
