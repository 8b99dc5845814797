"""The exceptions graphsvc raises on purpose.

Every error a user can cause derives from :class:`GraphsvcError` and says what was wrong and where::

    GraphsvcError
    ├── ConfigurationError      a GRAPHSVC_* setting or flag has a bad value
    ├── StoreError              the store cannot be opened, read or written
    │   └── RemoteStoreError    the remote SPARQL endpoint refused or failed a request
    ├── InputError              data given to graphsvc is unusable
    │   ├── RdfSyntaxError      a file does not parse (file, line, column)
    │   ├── UnsupportedFormatError  no RDF format is known for a file or a name
    │   └── ValidationError     data violates the SHACL shapes (focus node, path, message)
    └── NotFoundError           an IRI or id names nothing in the graph
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphsvc.store.validation import Violation

__all__ = [
    "ConfigurationError",
    "GraphsvcError",
    "InputError",
    "LimitExceeded",
    "NotFoundError",
    "RdfSyntaxError",
    "RemoteStoreError",
    "StoreError",
    "UnsupportedFormatError",
    "ValidationError",
    "WriteTooLate",
]


class GraphsvcError(Exception):
    """Base of every error graphsvc raises on purpose."""


class ConfigurationError(GraphsvcError):
    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting


class StoreError(GraphsvcError):
    """The store cannot be opened, read or written."""


class RemoteStoreError(StoreError):
    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        where = f"{url} (HTTP {status})" if status is not None else url
        super().__init__(f"{where}: {message}")
        self.url = url
        self.status = status


class InputError(GraphsvcError):
    """Data given to graphsvc is unusable."""


class RdfSyntaxError(InputError):
    def __init__(self, source: str, message: str, line: int | None, column: int | None) -> None:
        position = f":{line}:{column}" if line is not None else ""
        super().__init__(f"{source}{position}: {message}")
        self.source = source
        self.line = line
        self.column = column
        self.reason = message


class UnsupportedFormatError(InputError):
    def __init__(self, what: str, known: Sequence[str]) -> None:
        super().__init__(f"{what}: unknown RDF format; use one of {', '.join(known)}")
        self.what = what


class ValidationError(InputError):
    """``locations`` gives, for a focus node, where a person edits it: ``file:line``."""

    def __init__(
        self,
        source: str,
        violations: Sequence[Violation],
        locations: Mapping[str, str] | None = None,
    ) -> None:
        where = locations or {}
        lines = "\n".join(
            f"  {where[v.focus_node]}: {v}" if v.focus_node in where else f"  {v}"
            for v in violations
        )
        super().__init__(f"{source}: {len(violations)} SHACL violation(s)\n{lines}")
        self.source = source
        self.violations = tuple(violations)
        self.locations = dict(where)


class NotFoundError(GraphsvcError):
    def __init__(self, what: str) -> None:
        super().__init__(f"not found: {what}")
        self.what = what


class LimitExceeded(GraphsvcError):
    """A request goes beyond one of the limits; ``code`` is the GraphQL error code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class WriteTooLate(LimitExceeded):
    """The request's time was up before the write could commit; nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            "The request's time was up before the change could be written; nothing was "
            "changed. Send it again.",
            "TIMEOUT",
        )
