"""The long-lived state of a running service, opened in the app's lifespan.

Everything in memory is derived from the store and can be rebuilt; subsystems that keep derived
state register a listener so that they are refreshed after each committed write.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graphsvc.model.readmodel import ReadModel, build_read_model
from graphsvc.settings import Settings
from graphsvc.store import GraphStore, open_store
from graphsvc.store.loading import LoadReport, load_ontology_and_seeds

if TYPE_CHECKING:
    from graphsvc.recommend.index import RecommendationIndex

__all__ = ["ChangeListener", "Services", "open_services"]

log = logging.getLogger(__name__)

ChangeListener = Callable[[frozenset[str]], None]
"""Called after a committed write with the IRIs of the subjects it touched."""


@dataclass
class Services:
    settings: Settings
    store: GraphStore
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    listeners: list[ChangeListener] = field(default_factory=list)
    seeded: LoadReport | None = None
    read_model: ReadModel = field(default_factory=ReadModel)
    recommendations: RecommendationIndex | None = None

    def on_change(self, listener: ChangeListener) -> None:
        self.listeners.append(listener)

    def notify(self, subjects: frozenset[str]) -> None:
        for listener in self.listeners:
            listener(subjects)

    def close(self) -> None:
        self.store.close()


def open_services(settings: Settings) -> Services:
    """Open the store and, if it is empty and seeding is on, load the ontology and seeds."""
    store = open_store(settings.validate())
    try:
        return _start(settings, store)
    except BaseException:
        store.close()  # release the store (and its directory lock) when startup fails
        raise


def _start(settings: Settings, store: GraphStore) -> Services:
    services = Services(settings=settings, store=store)
    if settings.load_seeds and store.is_empty():
        services.seeded = load_ontology_and_seeds(store, settings.ontology_dir, settings.seeds_dir)
        log.info("loaded %d quads of ontology and seeds", services.seeded.quads)
    services.read_model = build_read_model(store)
    log.info("built the read model in %.2f s", services.read_model.build_seconds)
    # first listener: every other derived structure reads the refreshed read model
    services.on_change(lambda subjects: services.read_model.apply_change(store, subjects))
    from graphsvc.recommend.live import attach_recommendations

    attach_recommendations(services)  # its listener runs after the read model's
    return services
