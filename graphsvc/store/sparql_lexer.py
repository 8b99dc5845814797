"""The SPARQL lexer: the terminals of the SPARQL 1.1 grammar, found in linear time.

Tokens are IRIs, strings in all four quotings, comments, variables, prefixed names, blank nodes,
language tags, numbers, words (keywords and function names) and single characters; whitespace is
a token too, so the texts of all tokens put together are the input. A keyword inside a string, a
comment, an IRI or a name (``ex:SELECT``, ``?select``) is therefore never taken for one.

The lexer never backtracks: names are read with possessive runs, and a string is read in bounded
steps (at most 1,024 runs or escapes per regex call), so a long or unterminated string costs one
pass and no single call holds the interpreter for long. Both the check of public queries
(:mod:`graphsvc.web.query_check`) and the binding of values into query text
(:func:`graphsvc.store.sparql_text.bind_values`) read queries with it.

>>> [t.text for t in tokens("SELECT ?s { ?s ex:p 'SERVICE' }") if t.kind != "ws"]
['SELECT', '?s', '{', '?s', 'ex:p', "'SERVICE'", '}']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["QUERY_FORMS", "Token", "decode_codepoints", "query_form", "tokens"]

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
# bounded, so that a long run of name characters and dots without a colon (``a.a.a.a…``) is
# not rescanned from each of its words: a prefix of more than 256 characters lexes as words,
# which the checks treat no less strictly
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]{{0,255}}[{_PN_CHARS}])?"
# runs of name characters at a time, and dots only where a name goes on after them: the same
# tokens as the grammar's rule, found without backtracking
_PN_LOCAL = (
    rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
    rf"(?:[{_PN_CHARS}:]++|{_PLX}|\.++(?=[{_PN_CHARS}:]|{_PLX}))*+"
)

_LEXER = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<quote>\"\"\"|'''|"|')  # a string begins: read by _read_string, in bounded steps
  | (?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)
  | (?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}]++|\.++(?=[{_PN_CHARS}]))*+)
  | (?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

QUERY_FORMS: frozenset[str] = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``kind`` is the lexer's group (``ws``, ``comment``, ``iri``, ``string``,
    ``unterminated``, ``var``, ``bnode``, ``pname``, ``langtag``, ``number``, ``word`` or
    ``other``); ``line`` and ``column`` are 1-based; ``start`` is the offset in the text."""

    kind: str
    text: str
    line: int
    column: int
    start: int


# The body of a string in each quoting, at most 1,024 runs or escapes per call: a long string is
# read in many short steps, so that no single call holds the interpreter for long.
_STRING_BODY = {
    '"""': re.compile(r'(?:[^"\\]++|\\.|"(?!""))' + "{0,1024}+", re.DOTALL),
    "'''": re.compile(r"(?:[^'\\]++|\\.|'(?!''))" + "{0,1024}+", re.DOTALL),
    '"': re.compile(r'(?:[^"\\\n\r]++|\\.)' + "{0,1024}+", re.DOTALL),
    "'": re.compile(r"(?:[^'\\\n\r]++|\\.)" + "{0,1024}+", re.DOTALL),
}


def _read_string(text: str, quote: str, start: int) -> tuple[str, int]:
    """("string" or "unterminated", end) of the string whose opening ``quote`` ends at
    ``start``."""
    body = _STRING_BODY[quote]
    position = start
    while (end := body.match(text, position).end()) > position:  # type: ignore[union-attr]
        position = end
    if text.startswith(quote, position):
        return "string", position + len(quote)
    return "unterminated", position


def tokens(text: str, *, significant: bool = False) -> Iterator[Token]:
    """Every token of ``text`` with its 1-based line and column, whitespace included; with
    ``significant``, only the tokens that are neither whitespace nor comment (about half of a
    query's tokens, skipped without making them)."""
    line, line_start = 1, 0
    position, size = 0, len(text)
    match_at = _LEXER.match
    while position < size:
        match = match_at(text, position)
        assert match is not None  # the lexer's last alternative takes any one character
        kind = match.lastgroup or "other"
        start, end = position, match.end()
        if kind == "quote":
            kind, end = _read_string(text, match.group(), end)
        elif significant and (kind == "ws" or kind == "comment"):  # a comment holds no newline
            if kind == "ws" and (newlines := text.count("\n", start, end)):
                line += newlines
                line_start = text.rindex("\n", start, end) + 1
            position = end
            continue
        value = text[start:end]
        yield Token(kind, value, line, start - line_start + 1, start)
        newlines = value.count("\n")
        if newlines:
            line += newlines
            line_start = start + value.rindex("\n") + 1
        position = end


def decode_codepoints(text: str) -> str:
    """``text`` with its ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes decoded, as SPARQL does before
    lexing (escapes of surrogates or beyond U+10FFFF are left as they are)."""

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()

    return _CODEPOINT.sub(replace, text)


def query_form(text: str) -> str | None:
    """The first query-form keyword of ``text`` (upper case), read as a keyword: never one in a
    string, an IRI, a comment or a name. Lexes only up to it."""
    return next(
        (
            word
            for token in tokens(text)
            if token.kind == "word" and (word := token.text.upper()) in QUERY_FORMS
        ),
        None,
    )
