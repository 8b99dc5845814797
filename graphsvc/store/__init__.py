"""The RDF store: one interface, three backends, atomic validated loading."""

from __future__ import annotations

from graphsvc.errors import ConfigurationError
from graphsvc.settings import Settings
from graphsvc.store.base import Changeset, GraphStore, QueryResult
from graphsvc.store.oxigraph import OxigraphStore
from graphsvc.store.remote import RemoteSparqlStore

__all__ = [
    "Changeset",
    "GraphStore",
    "OxigraphStore",
    "QueryResult",
    "RemoteSparqlStore",
    "open_store",
]


def open_store(settings: Settings) -> GraphStore:
    """The backend ``settings.store`` names: ``oxigraph`` (on disk), ``memory`` or ``sparql``."""
    if settings.store == "oxigraph":
        return OxigraphStore(settings.store_path)
    if settings.store == "memory":
        return OxigraphStore(None)
    if settings.store == "sparql":
        settings.validate()
        return RemoteSparqlStore(settings.sparql_query_url, settings.sparql_update_url)
    raise ConfigurationError("GRAPHSVC_STORE", f"unknown store {settings.store!r}")
