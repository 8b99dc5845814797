"""Relay connections over the read model: ``first``/``after``, ``last``/``before``, ``totalCount``.

Cursors are opaque offsets into the filtered, ordered list (base64url of ``"cursor:<n>"``).
Windows follow the Relay algorithm: ``after``/``before`` narrow the list, then ``first`` keeps the
head and ``last`` the tail. A page holds at most :data:`MAX_PAGE_SIZE` items; without ``first`` or
``last`` it holds the configured default page size. :func:`paged` gives a field the four
page arguments.

``strawberry.relay`` is not used: its ``ListConnection`` slices a materialised list and has no
``totalCount`` or facets, and its ``GlobalID`` and ``PageInfo`` would change the published schema
(``schema.graphql``) that clients build on. These connections page the read model's precomputed,
ordered selections, and the compiled plans (:mod:`graphsvc.api.server.plan`) answer them directly.
"""

from __future__ import annotations

import base64
import binascii
import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry

from graphsvc.errors import InputError

__all__ = [
    "MAX_PAGE_SIZE",
    "Connection",
    "Edge",
    "PageArgs",
    "PageInfo",
    "PaginationError",
    "bounds",
    "decode_cursor",
    "encode_cursor",
    "paged",
]

T = TypeVar("T")
MAX_PAGE_SIZE = 100
_CURSOR_PREFIX = "cursor:"


class PaginationError(InputError):
    """A page argument is out of range or a cursor is not one this API issued."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument


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


_PAGE_PARAMETERS = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
    for name, annotation in (
        ("first", int | None),
        ("after", str | None),
        ("last", int | None),
        ("before", str | None),
    )
]


def paged(description: str, returns: Any = None) -> Callable[[Callable[..., Any]], Any]:
    """A connection field from ``body(self, [info,] page: PageArgs, ...)``.

    The field takes the body's other arguments, in order, then ``first``, ``after``, ``last``
    and ``before``, and calls the body with them as ``page``. ``returns`` replaces the body's
    return type (for fields a factory makes). Strawberry reads the arguments from the
    ``__signature__`` given here; it, :mod:`graphsvc.api.server.fast` and plans pass every argument
    but ``self`` by name.
    """

    def decorate(body: Callable[..., Any]) -> Any:
        signature = inspect.signature(body)
        own = [p for p in signature.parameters.values() if p.name != "page"]
        if len(own) == len(signature.parameters):
            raise TypeError(f"{body.__qualname__} takes no page argument")

        def resolve(
            self: Any,
            /,
            *,
            first: int | None = None,
            after: str | None = None,
            last: int | None = None,
            before: str | None = None,
            **arguments: Any,
        ) -> Any:
            return body(self, page=PageArgs(first, after, last, before), **arguments)

        resolve.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=own + _PAGE_PARAMETERS,
            return_annotation=signature.return_annotation if returns is None else returns,
        )
        # string annotations of the body resolve in the body's module
        for name in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(resolve, name, getattr(body, name))
        return strawberry.field(resolver=resolve, description=description)

    return decorate
