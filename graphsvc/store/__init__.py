"""The RDF store: one interface, three backends, atomic validated loading, and what reads and
writes RDF and SPARQL text for every layer above.

=========================  ===============================================================
:mod:`.base`               the :class:`GraphStore` interface, change sets
:mod:`.oxigraph`           embedded Oxigraph (on disk or in memory)
:mod:`.remote`             a remote SPARQL 1.1 endpoint; :mod:`.readonly` a read-only copy
:mod:`.loading`, :mod:`.bulk`
                           validated, atomic loading; bulk loads of large files
:mod:`.validation`, :mod:`.prescreen`
                           SHACL validation, and the fast pre-screen in front of it
:mod:`.formats`            the one table of RDF formats (over ``pyoxigraph.RdfFormat``)
:mod:`.sparql_lexer`       the one SPARQL lexer (linear; used by the public query check)
:mod:`.sparql_text`        SPARQL text from RDF terms: updates, bound values
:mod:`.stats`              the one dataset-statistics function
:mod:`.backup`             online backups; :mod:`.snapshot` that of a remote Oxigraph server
=========================  ===============================================================

Imports only :mod:`graphsvc.settings`, :mod:`graphsvc.errors`, :mod:`graphsvc.vocab`, the RDF
libraries and an HTTP client: every other layer may import it, it imports none of them.
"""

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
