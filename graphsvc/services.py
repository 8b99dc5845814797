"""The composition root: the long-lived state of a running service, opened in the app's lifespan.

Everything in memory is derived from the store and can be rebuilt. Every write goes through
:meth:`Services.commit`, which applies a change set with its PROV change record in one store
transaction and then tells the derived state what it touched, all under :attr:`Services.write_lock`,
so that the read model and the recommendation index see writes one at a time and in order.

Listeners run on the event loop's thread when a write comes from one of its worker threads (the
GraphQL mutations), because the read model is read there without locks; a write from a plain
thread (the CLI, tests) runs them in place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio.from_thread

from graphsvc.edit.provenance import ChangeRecord, change_quads
from graphsvc.errors import GraphsvcError, WriteTooLate
from graphsvc.feed.changes import head_revision
from graphsvc.feed.follow import ChangeFeed
from graphsvc.feed.lock import WriteLock
from graphsvc.model.readmodel import ReadModel, build_read_model
from graphsvc.recommend.feedback import FeedbackIndex
from graphsvc.recommend.index import RecommendationIndex
from graphsvc.settings import Settings
from graphsvc.store import GraphStore, open_store
from graphsvc.store.base import Changeset
from graphsvc.store.loading import LoadReport, load_ontology_and_seeds
from graphsvc.store.verdicts import Verdicts

__all__ = ["ChangeListener", "Derived", "Services", "build_derived", "open_services"]

log = logging.getLogger(__name__)

ChangeListener = Callable[[frozenset[str]], None]
"""Called after a committed write with the IRIs of the subjects it touched."""


def _always() -> bool:
    return True


@dataclass
class Services:
    settings: Settings
    store: GraphStore
    write_lock: WriteLock = field(default_factory=WriteLock)
    """Held by a write from its first read to its commit; re-entered by :meth:`commit`."""
    listeners: list[ChangeListener] = field(default_factory=list)
    seeded: LoadReport | None = None
    read_model: ReadModel = field(default_factory=ReadModel)
    index: RecommendationIndex | None = None
    feedback: FeedbackIndex = field(default_factory=FeedbackIndex)
    """Members' marks on recommendations (graph/feedback), a ranking signal."""
    feed: ChangeFeed | None = None
    """Revision numbers of commits, and the following of other workers' (:mod:`graphsvc.feed`)."""

    @property
    def recommendations(self) -> RecommendationIndex:
        """The recommendation index (an error if the service was started without one)."""
        if self.index is None:
            raise GraphsvcError("the recommendation index is not built for this service")
        return self.index

    def on_change(self, listener: ChangeListener) -> None:
        self.listeners.append(listener)

    def commit(
        self,
        changes: Changeset,
        record: ChangeRecord,
        touched: frozenset[str],
        may_commit: Callable[[], bool] = _always,
    ) -> None:
        """Apply ``changes`` and the PROV quads of ``record`` in one transaction, then refresh
        the derived state for ``touched``. ``may_commit`` is asked under the lock right before
        the transaction; if it says no, nothing is written (:class:`WriteTooLate`)."""
        feed = self.feed
        with self.write_lock:
            if not may_commit():
                raise WriteTooLate()
            prov = change_quads(record)
            numbered = feed.record(record, changes) if feed is not None else None
            if numbered is not None:
                prov.extend(numbered[1])
            self.store.apply(Changeset(remove=changes.remove, add=[*changes.add, *prov]))
            self.notify(touched)
            if feed is not None and numbered is not None:
                feed.committed(numbered[0])

    def notify(self, subjects: frozenset[str]) -> None:
        """Refresh the derived state after a write to ``subjects`` (also one made elsewhere)."""
        if not subjects:
            return
        try:
            anyio.from_thread.run_sync(self._run_listeners, subjects)
        except RuntimeError:  # not an event loop's worker thread: nothing reads concurrently
            self._run_listeners(subjects)

    def _run_listeners(self, subjects: frozenset[str]) -> None:
        for listener in self.listeners:
            listener(subjects)

    def close(self) -> None:
        self.store.close()


@dataclass(frozen=True)
class Derived:
    """What a service derives from its store at start: built once by ``serve --workers``'s
    launcher and shared by the workers it forks (docs/scaling.md), at ``revision``."""

    revision: int
    read_model: ReadModel
    index: RecommendationIndex
    feedback: FeedbackIndex


def build_derived(settings: Settings) -> Derived:
    """Build the derived state of a store that other processes may write (a remote one): the
    head revision is read first, so that following the feed from it refreshes whatever a write
    changed while the state was built."""
    store = open_store(settings.validate())
    try:
        revision = head_revision(store)
        read_model = build_read_model(store)
        return Derived(
            revision, read_model, RecommendationIndex(read_model), FeedbackIndex.load(store)
        )
    finally:
        store.close()


def open_services(settings: Settings, derived: Derived | None = None) -> Services:
    """Open the store and, if it is empty and seeding is on, load the ontology and seeds; build
    the derived state, unless ``derived`` brings it (a store followed from its revision)."""
    store = open_store(settings.validate())
    try:
        return _start(settings, store, derived)
    except BaseException:
        store.close()  # release the store (and its directory lock) when startup fails
        raise


def _start(settings: Settings, store: GraphStore, derived: Derived | None) -> Services:
    services = Services(settings=settings, store=store)
    if derived is None and settings.load_seeds and store.is_empty():
        services.seeded = load_ontology_and_seeds(
            store,
            settings.ontology_dir,
            settings.seeds_dir,
            verdicts=Verdicts.at(settings.cache_dir),
        )
        log.info("loaded %d quads of ontology and seeds", services.seeded.quads)
    services.read_model = build_read_model(store) if derived is None else derived.read_model
    log.info("built the read model in %.2f s", services.read_model.build_seconds)
    # first listener: every other derived structure reads the refreshed read model
    services.on_change(lambda subjects: services.read_model.apply_change(store, subjects))
    # The index updates a practice in O(degree of its neighbours), far under a millisecond at
    # 100k; a change to another node kind rebuilds it in the background (recommend.index).
    index = RecommendationIndex(services.read_model) if derived is None else derived.index
    services.index = index
    services.on_change(index.apply_change)
    log.info("built the recommendation index in %.2f s", index.build_seconds)
    services.feedback = FeedbackIndex.load(store) if derived is None else derived.feedback

    def feedback_changed(subjects: frozenset[str]) -> None:
        if services.feedback.refresh(store, subjects):
            services.read_model.touch()  # cached answers that ranked with the old marks

    services.on_change(feedback_changed)
    # a store other processes may write (remote, or several workers): commits are serialised
    # across the processes of this host by a file lock, and each process follows the others
    if store.generation is None:
        services.write_lock = WriteLock(settings.data_dir / "commit.lock")
    services.feed = ChangeFeed(services, None if derived is None else derived.revision)
    return services
