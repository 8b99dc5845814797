"""The error a user sees for an RDF file that does not parse or cannot be read: file, line,
column and pyoxigraph's reason without its position prefix. Shared by the validated and the
bulk load."""

from __future__ import annotations

from pathlib import Path

from graphsvc.errors import RdfSyntaxError

__all__ = ["rdf_input_error"]


def rdf_input_error(path: Path, exc: SyntaxError | OSError | EOFError) -> RdfSyntaxError:
    """The error to report for a file that does not parse (file:line:column) or cannot be read
    (gzip raises BadGzipFile, an OSError, and EOFError)."""
    if isinstance(exc, SyntaxError):
        line, column = _position(exc)
        return RdfSyntaxError(str(path), _reason(exc), line, column)
    reason = getattr(exc, "strerror", None) or exc
    return RdfSyntaxError(str(path), f"cannot read: {reason}", None, None)


def _position(exc: SyntaxError) -> tuple[int | None, int | None]:
    if len(exc.args) > 1 and isinstance(exc.args[1], tuple) and len(exc.args[1]) >= 3:
        line, column = exc.args[1][1], exc.args[1][2]
        return (int(line) if line else None, int(column) if column else None)
    return exc.lineno, exc.offset


def _reason(exc: SyntaxError) -> str:
    message = str(exc.msg or exc)
    # pyoxigraph prefixes "Parser error between line L column C and ...:": keep the reason.
    return message.split(": ", 1)[1] if message.startswith("Parser error") else message
