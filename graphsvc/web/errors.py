"""Errors of the researcher-facing HTTP interface, each with the HTTP status it answers with.

::

    GraphsvcError
    └── InputError
        └── WebRequestError            a request the web interface refuses (status, message)
            ├── MalformedQueryError    400: the query does not parse (line, column)
            ├── QueryTooComplexError   400: more tokens or deeper nesting than the limits
            ├── ForbiddenQueryError    403: SERVICE, UPDATE, remote or file: graphs (feature)
            ├── NotAcceptableError     406: no offered media type matches Accept / format=
            ├── QueryTimeoutError      503: the query ran past GRAPHSVC_SPARQL_TIMEOUT
            ├── BusyError              503: every query slot is taken
            └── ClientBusyError        429: this client already runs its share of the slots
"""

from __future__ import annotations

from collections.abc import Sequence

from graphsvc.errors import InputError

__all__ = [
    "BusyError",
    "ClientBusyError",
    "ForbiddenQueryError",
    "MalformedQueryError",
    "NotAcceptableError",
    "QueryTimeoutError",
    "QueryTooComplexError",
    "WebRequestError",
]


class WebRequestError(InputError):
    """A refused request: ``status`` is the HTTP status, the message says why."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class MalformedQueryError(WebRequestError):
    status = 400

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"malformed query{where}: {reason}")
        self.reason = reason
        self.line = line
        self.column = column


class QueryTooComplexError(WebRequestError):
    """A query over the size or nesting limits, refused before the engine sees it."""

    status = 400


class ForbiddenQueryError(WebRequestError):
    status = 403

    def __init__(self, feature: str, message: str) -> None:
        super().__init__(message)
        self.feature = feature


class NotAcceptableError(WebRequestError):
    status = 406

    def __init__(self, asked: str, offered: Sequence[str]) -> None:
        super().__init__(f"cannot answer with {asked}; available: {', '.join(offered)}")
        self.offered = tuple(offered)


class QueryTimeoutError(WebRequestError):
    status = 503

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"query timed out: it ran longer than the limit of {seconds:g} s "
            "(GRAPHSVC_SPARQL_TIMEOUT); no partial result is returned. "
            "Narrow the patterns, add LIMIT, or download a dump from /export/nq.gz"
        )
        self.seconds = seconds


class BusyError(WebRequestError):
    status = 503

    def __init__(self, slots: int) -> None:
        super().__init__(
            f"all {slots} query slots are busy (GRAPHSVC_SPARQL_WORKERS); retry in a moment"
        )


class ClientBusyError(WebRequestError):
    status = 429

    def __init__(self, running: int) -> None:
        super().__init__(
            f"this client already has {running} queries running, its share of the query workers "
            "(GRAPHSVC_SPARQL_WORKERS_PER_CLIENT); retry when one has finished"
        )
