"""GraphQL subscriptions over WebSocket (graphql-transport-ws) at ``/graphql``.

``practiceChanges`` streams every committed change of a practice, made through any worker, in
revision order, filtered by theme, country, PES or network. A client that reconnects with
``since`` set to the last revision it received first gets every change it missed (read back from
the revision log in the store), then the live ones; none twice, none skipped.

WebSocket connections get their own schema: the queries of ``/graphql`` and the subscription
(mutations stay on HTTP, where tokens, limits and deadlines apply).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
from typing import Annotated, Any

import anyio.to_thread
import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

import graphsvc.api.history  # noqa: F401 - registers ChangeKind as a GraphQL enum
from graphsvc.api.context import Context
from graphsvc.api.schema import RootQuery
from graphsvc.api.types import OBJECT_TYPES
from graphsvc.api.types.base import reference
from graphsvc.edit.provenance import ChangeKind
from graphsvc.feed.changes import ChangeFilter, FeedChange, changes_since, head_revision
from graphsvc.model.ids import InvalidIdError
from graphsvc.model.records import pick_label
from graphsvc.services import Services

__all__ = ["PracticeChange", "Subscription", "subscription_routes", "subscription_schema"]

_REPLAY_BATCH = 1_000


@strawberry.type(description="A committed change of a practice, as the change feed delivers it.")
class PracticeChange:
    revision: int = strawberry.field(
        description="Its number in commit order (1, 2, 3, …); reconnect with `since` set to the "
        "last one received to get what was missed."
    )
    kind: ChangeKind
    id: strawberry.ID = strawberry.field(description="IRI of the change record.")
    practice: strawberry.ID = strawberry.field(description="IRI of the practice.")
    title: str | None = strawberry.field(
        description="The practice's English title now (null once deleted)."
    )
    time: datetime = strawberry.field(description="When it was committed (UTC).")
    description: str
    themes: list[strawberry.ID] = strawberry.field(
        description="Themes of the practice, before and after the change."
    )
    countries: list[strawberry.ID]
    pes: list[strawberry.ID]


def _change(change: FeedChange, services: Services) -> PracticeChange:
    practice = services.read_model.practices.get(change.target)
    return PracticeChange(
        revision=change.revision,
        kind=change.kind,
        id=strawberry.ID(change.iri),
        practice=strawberry.ID(change.target),
        title=pick_label(practice.title) or None if practice is not None else None,
        time=change.time,
        description=change.description,
        themes=[strawberry.ID(t) for t in sorted(change.facets.themes)],
        countries=[strawberry.ID(c) for c in sorted(change.facets.countries)],
        pes=[strawberry.ID(p) for p in sorted(change.facets.pes)],
    )


def _iris(values: list[strawberry.ID] | None, type_name: str) -> frozenset[str]:
    return frozenset(reference(str(v), type_name) for v in values or ())


@strawberry.type(
    description="Served over WebSocket at `/graphql` with the graphql-transport-ws protocol, not "
    "over HTTP (where `/graphql` takes queries and mutations). A connection must send its "
    "`connection_init` within 10 s and carries at most 10 subscriptions."
)
class Subscription:
    @strawberry.subscription(
        description="Practices created, changed or deleted through any worker, oldest first; "
        "each filter takes IDs, IRIs or slugs, and a change must match every filter given."
    )
    async def practice_changes(
        self,
        info: strawberry.Info[Context, None],
        themes: list[strawberry.ID] | None = None,
        countries: list[strawberry.ID] | None = None,
        pes: list[strawberry.ID] | None = None,
        networks: list[strawberry.ID] | None = None,
        since: Annotated[
            int | None,
            strawberry.argument(
                description="Replay every change after this revision first (the last received)."
            ),
        ] = None,
    ) -> AsyncGenerator[PracticeChange, None]:
        services = info.context.services
        feed = services.feed
        if feed is None:
            raise RuntimeError("this service has no change feed")
        try:
            wanted = ChangeFilter(
                _iris(themes, "Theme"),
                _iris(countries, "Country"),
                _iris(pes, "Pes"),
                _iris(networks, "Network"),
            )
        except InvalidIdError as exc:
            raise ValueError(str(exc)) from None
        if since is not None and since < 0:
            raise ValueError("since must be a revision number, 0 or more")
        with feed.hub.subscribe() as queue:  # first, so nothing committed from now is lost
            # live only: from the store's head, which may be ahead of this worker's deliveries
            last = (
                since
                if since is not None
                else await anyio.to_thread.run_sync(head_revision, services.store)
            )
            while since is not None:  # replay from the store, in batches
                missed = await anyio.to_thread.run_sync(
                    changes_since, services.store, last, _REPLAY_BATCH
                )
                for change in missed:
                    last = change.revision
                    if wanted.matches(change, services.read_model):
                        yield _change(change, services)
                if len(missed) < _REPLAY_BATCH:
                    break
            while True:
                item = await queue.get()
                if item is None:
                    raise RuntimeError(
                        f"this subscription fell behind; reconnect with since: {last}"
                    )
                if item.revision <= last:
                    continue  # already replayed
                last = item.revision
                if wanted.matches(item, services.read_model):
                    yield _change(item, services)


subscription_schema = strawberry.Schema(
    query=RootQuery, subscription=Subscription, types=OBJECT_TYPES
)


class _SubscriptionApp(GraphQL[Context, None]):
    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        services: Services = request.app.state.services
        return Context(services=services)

    async def get_root_value(self, request: Request | WebSocket) -> None:
        return None

    async def handle_http(self, scope: Any, receive: Any, send: Any) -> None:  # WebSocket only
        await Response(status_code=404)(scope, receive, send)


def subscription_routes() -> list[BaseRoute]:
    """``/graphql`` for WebSocket connections (HTTP requests go to the GraphQL view)."""
    app = _SubscriptionApp(
        subscription_schema,
        graphql_ide=None,
        subscription_protocols=("graphql-transport-ws",),
        # a client says who it is at once, and one connection carries a few subscriptions
        connection_init_wait_timeout=timedelta(seconds=10),
        max_subscriptions_per_connection=10,
    )
    return [WebSocketRoute("/graphql", app)]
