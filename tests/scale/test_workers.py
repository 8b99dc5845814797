"""Several workers over one dataset, on each kind of store: a write through one worker is read
through every other within a second, through every interface; subscriptions see changes made
through other workers and replay what a reconnecting client missed."""

from __future__ import annotations

import uuid

from .client import (
    BA,
    YOUTH,
    Subscriber,
    atom,
    create,
    delete,
    eventually,
    export_text,
    graphql_title,
    id_turtle,
    related_iris,
    sparql_title,
    update_title,
)
from .servers import Cluster


def test_a_write_through_one_worker_is_read_through_every_other(cluster: Cluster) -> None:
    writer = 0
    title = f"Shared practice {uuid.uuid4().hex[:8]}"
    iri = create(cluster, writer, title)
    for reader in range(1, len(cluster.workers)):
        with cluster.client(reader) as client:
            eventually(lambda: graphql_title(client, iri) == title, f"GraphQL on worker {reader}")
            eventually(lambda: sparql_title(client, iri) == title, f"/sparql on worker {reader}")
            eventually(lambda: title in (id_turtle(client, iri) or ""), f"/id on worker {reader}")
            eventually(lambda: iri in export_text(client), f"/export on worker {reader}")
            eventually(lambda: iri in atom(client), f"the Atom feed on worker {reader}")

    # recommendations: a twin written through the last worker is related to the first practice
    # in the index of every other worker
    twin = create(cluster, len(cluster.workers) - 1, f"{title} twin")
    for reader in range(len(cluster.workers) - 1):
        with cluster.client(reader) as client:
            eventually(lambda: twin in related_iris(client, iri), f"recommendations on {reader}")

    # an update and a delete through a reader are seen by the writer
    update_title(cluster, 1, iri, f"{title} renamed")
    with cluster.client(writer) as client:
        eventually(lambda: graphql_title(client, iri) == f"{title} renamed", "the update")
        eventually(lambda: sparql_title(client, iri) == f"{title} renamed", "the update (SPARQL)")
    delete(cluster, 1, iri)
    with cluster.client(writer) as client:
        eventually(lambda: graphql_title(client, iri) is None, "the delete (GraphQL)")
        eventually(lambda: id_turtle(client, iri) is None, "the delete (/id)")
        eventually(lambda: iri not in related_iris(client, twin), "the delete (recommendations)")


def test_a_subscription_receives_a_change_made_through_another_worker(cluster: Cluster) -> None:
    last = len(cluster.workers) - 1
    with Subscriber(cluster.workers[last], {"themes": [YOUTH]}) as subscriber:
        # a change about another theme only is filtered out; ours arrives
        title = f"Subscribed practice {uuid.uuid4().hex[:8]}"
        iri = create(cluster, 0, title)
        change = subscriber.next()
        assert change["practice"] == iri
        assert change["kind"] == "CREATE"
        assert change["title"] == title
        delete(cluster, 0, iri)
        gone = subscriber.next()
        assert (gone["practice"], gone["kind"]) == (iri, "DELETE")
        assert gone["revision"] == change["revision"] + 1 or gone["revision"] > change["revision"]


def test_a_reconnect_with_the_last_revision_replays_what_was_missed(cluster: Cluster) -> None:
    with Subscriber(cluster.workers[1], {}) as subscriber:
        first = create(cluster, 0)
        seen = subscriber.next()
        assert seen["practice"] == first
    # disconnected: three changes through other workers
    missed = [create(cluster, 0), create(cluster, len(cluster.workers) - 1)]
    delete(cluster, 0, first)
    with Subscriber(cluster.workers[1], {"since": seen["revision"]}) as subscriber:
        replayed = [subscriber.next() for _ in range(3)]
        assert [c["practice"] for c in replayed] == [*missed, first]
        assert [c["kind"] for c in replayed] == ["CREATE", "CREATE", "DELETE"]
        revisions = [c["revision"] for c in replayed]
        assert revisions == sorted(revisions) and revisions[0] > seen["revision"]
        # and the live stream follows without a gap or a repeat
        after = create(cluster, 0)
        live = subscriber.next()
        assert live["practice"] == after and live["revision"] == revisions[-1] + 1


def test_the_pes_filter_of_the_atom_feed_is_shared_by_every_worker(cluster: Cluster) -> None:
    iri = create(cluster, 0)
    with cluster.client(len(cluster.workers) - 1) as client:
        eventually(lambda: iri in atom(client, pes=BA), "the PES feed")
        assert iri not in atom(client, pes=f"{BA[: -len('deu-ba')]}fin-keha")


def test_workers_take_turns_to_write(cluster: Cluster) -> None:
    """The same title through every worker at once: distinct IRIs, one revision each."""
    from concurrent.futures import ThreadPoolExecutor

    title = f"Concurrent practice {uuid.uuid4().hex[:8]}"
    workers = [i % len(cluster.workers) for i in range(6)]
    with ThreadPoolExecutor(max_workers=len(workers)) as pool:
        iris = list(pool.map(lambda worker: create(cluster, worker, title), workers))
    assert len(set(iris)) == len(iris)
    with Subscriber(cluster.workers[0], {"since": 0}) as subscriber:
        changes = []
        while len([c for c in changes if c["practice"] in iris]) < len(iris):
            changes.append(subscriber.next())
    revisions = [c["revision"] for c in changes]
    assert revisions == list(range(1, len(revisions) + 1))  # no gap, no repeat
