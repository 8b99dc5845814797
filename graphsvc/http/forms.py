"""Strict decoding of ``application/x-www-form-urlencoded`` text: form bodies, query strings.

The standard library and Starlette decode leniently: a ``%`` not followed by two hex digits is
kept as it is, and bytes that are not UTF-8 become U+FFFD, so a broken request runs as a query
its sender never wrote. Here either one is refused with :class:`FormEncodingError`, which says
which parameter and which byte.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from graphsvc.errors import InputError

__all__ = ["FormEncodingError", "parse_form"]

_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


class FormEncodingError(InputError):
    """Form-encoded text that does not decode; the message says what and where."""


def _name_at(data: bytes, position: int) -> str:
    start = data.rfind(b"&", 0, position) + 1
    name = data[start:position].partition(b"=")[0]
    return name.decode("ascii", "backslashreplace")[:40] or "(unnamed)"


def parse_form(data: bytes, what: str = "the form body") -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs of ``data``, in order, names repeated as given.

    ``+`` is a space and ``%XX`` a byte; the decoded bytes must be UTF-8. Empty fields
    (``a=1&&b=2``) are skipped and a field without ``=`` has the empty value, as browsers send.

    >>> parse_form(b"query=SELECT+*%0A&format=json")
    [('query', 'SELECT *\\n'), ('format', 'json')]
    """
    bad = _BAD_ESCAPE.search(data)
    if bad is not None:
        at = bad.start()
        shown = data[at : at + 3].decode("ascii", "backslashreplace")
        raise FormEncodingError(
            f"{what} is not valid form encoding: {shown!r} at byte {at} (in parameter "
            f"{_name_at(data, at)!r}) is not a percent-escape; '%' must be followed by two "
            "hexadecimal digits, and a literal '%' is sent as %25"
        )
    pairs = []
    offset = 0
    for field in data.split(b"&"):
        if field:
            name, _, value = field.partition(b"=")
            pairs.append((_text(name, what, offset, None), _text(value, what, offset, name)))
        offset += len(field) + 1
    return pairs


def _text(raw: bytes, what: str, offset: int, name: bytes | None) -> str:
    decoded = unquote_to_bytes(raw.replace(b"+", b" ")) if raw else b""
    try:
        return decoded.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = (
            "a parameter name"
            if name is None
            else f"parameter {name.decode('ascii', 'backslashreplace')[:40]!r}"
        )
        raise FormEncodingError(
            f"{what} is not valid form encoding: {where} (from byte {offset}) decodes to bytes "
            f"that are not UTF-8 ({exc.reason} at decoded byte {exc.start}); encode text as "
            "UTF-8 before percent-encoding it"
        ) from None
