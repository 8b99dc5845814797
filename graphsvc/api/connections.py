"""Relay connections over the read model: ``first``/``after``, ``last``/``before``, ``totalCount``.

Cursors are opaque offsets into the filtered, ordered list (base64url of ``"cursor:<n>"``).
Windows follow the Relay algorithm: ``after``/``before`` narrow the list, then ``first`` keeps the
head and ``last`` the tail. A page holds at most :data:`MAX_PAGE_SIZE` items; without ``first`` or
``last`` it holds the configured default page size.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from graphsvc.api.context import Context
from graphsvc.errors import InputError
from graphsvc.model.readmodel import ReadModel
from graphsvc.model.selection import Selection, page

__all__ = [
    "MAX_PAGE_SIZE",
    "Connection",
    "Edge",
    "PageArgs",
    "PageInfo",
    "PaginationError",
    "bounds",
    "connection",
    "decode_cursor",
    "encode_cursor",
    "lazy",
    "list_connection",
    "related",
]

T = TypeVar("T")
MAX_PAGE_SIZE = 100
_CURSOR_PREFIX = "cursor:"
TYPES_MODULE = "graphsvc.api.types"


class PaginationError(InputError):
    """A page argument is out of range or a cursor is not one this API issued."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument


def lazy(type_name: str) -> Any:
    """A reference to a GraphQL type of :mod:`graphsvc.api.types`, resolved at schema build."""
    return Annotated[type_name, strawberry.lazy(TYPES_MODULE)]


@functools.lru_cache(maxsize=4096)
def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{position}".encode()).decode("ascii")


def decode_cursor(cursor: str, argument: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
    except (binascii.Error, ValueError, UnicodeError):
        raise PaginationError(argument, f"{cursor!r} is not a valid cursor") from None
    number = raw.removeprefix(_CURSOR_PREFIX)
    if not raw.startswith(_CURSOR_PREFIX) or not number.isdigit():
        raise PaginationError(argument, f"{cursor!r} is not a valid cursor")
    return int(number)


@dataclass(frozen=True, slots=True)
class PageArgs:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


def _check_size(argument: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
        raise PaginationError(
            argument, f"must be between 0 and {MAX_PAGE_SIZE} (the maximum page size); got {value}"
        )


def bounds(total: int, args: PageArgs, default_size: int) -> tuple[int, int]:
    """``[start, end)`` positions of the page in a list of ``total`` items."""
    _check_size("first", args.first)
    _check_size("last", args.last)
    start, end = 0, total
    if args.after is not None:
        start = min(max(start, decode_cursor(args.after, "after") + 1), total)
    if args.before is not None:
        end = max(min(end, decode_cursor(args.before, "before")), start)
    first, last = args.first, args.last
    if first is None and last is None:
        first = min(default_size, MAX_PAGE_SIZE)
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    return start, end


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    position: strawberry.Private[int]

    @strawberry.field(description="Opaque cursor of this edge, for after/before.")
    def cursor(self) -> str:
        return encode_cursor(self.position)


@strawberry.type
class Connection(Generic[T]):
    total_count: int = strawberry.field(description="Number of items in the whole list.")
    items: strawberry.Private[Sequence[Any]]
    start: strawberry.Private[int]

    @strawberry.field(description="The items of this page with their cursors.")
    def edges(self) -> list[Edge[T]]:
        start = self.start
        return [Edge(node=item, position=start + i) for i, item in enumerate(self.items)]

    @strawberry.field(description="The items of this page (the nodes of the edges).")
    def nodes(self) -> list[T]:
        return list(self.items)

    @strawberry.field
    def page_info(self) -> PageInfo:
        start, count = self.start, len(self.items)
        return PageInfo(
            has_next_page=start + count < self.total_count,
            has_previous_page=start > 0,
            start_cursor=encode_cursor(start) if count else None,
            end_cursor=encode_cursor(start + count - 1) if count else None,
        )


def default_page_size(info: strawberry.Info[Context, None]) -> int:
    return info.context.services.settings.default_page_size


def list_connection(
    items: Sequence[Any], args: PageArgs, info: strawberry.Info[Context, None]
) -> Connection[Any]:
    """A page of an already ordered list."""
    start, end = bounds(len(items), args, default_page_size(info))
    return Connection(total_count=len(items), items=items[start:end], start=start)


def connection(
    rm: ReadModel,
    collection: str,
    order: str,
    selection: Selection,
    args: PageArgs,
    info: strawberry.Info[Context, None],
    scores: Mapping[str, float] | None = None,
    cls: type[Connection[Any]] = Connection,
    **extra: Any,
) -> Connection[Any]:
    """A page of ``rm.<collection>`` restricted to ``selection``, in the named ``order``.

    Every IRI in ``selection`` must be a key of ``rm.<collection>``.
    """
    records: Mapping[str, Any] = getattr(rm, collection)
    ordered = rm.ordered(order)
    rank = rm.rank(order)
    total = len(ordered) if selection is None else len(selection)
    start, end = bounds(total, args, default_page_size(info))
    iris = page(ordered, rank, selection, start, end, scores)
    items = [records[i] for i in iris if i in records]
    return cls(total_count=total, items=items, start=start, **extra)


Scope = Callable[[Any, ReadModel], frozenset[str] | Sequence[str]]
"""The IRIs a relationship of ``root`` names."""


def related(type_name: str, collection: str, order: str, scope: Scope, description: str) -> Any:
    """A connection field listing ``rm.<collection>`` members that ``scope(root, rm)`` names."""

    def resolve(
        root: Any,
        info: strawberry.Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Any:
        rm = info.context.read_model
        # links may name entities the collection lacks (e.g. an agent that is no PES)
        selection = frozenset(getattr(rm, collection).keys() & scope(root, rm))
        return connection(
            rm, collection, order, selection, PageArgs(first, after, last, before), info
        )

    resolve.__annotations__ = {
        "root": Any,
        "info": strawberry.Info[Context, None],
        "first": int | None,
        "after": str | None,
        "last": int | None,
        "before": str | None,
        "return": Connection[lazy(type_name)],  # type: ignore[misc]
    }
    return strawberry.field(resolver=resolve, description=description)
