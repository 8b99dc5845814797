"""Check a public SPARQL query before it runs: its form, its dataset, the features refused
(``SERVICE``, updates) and its size and nesting.

The text is split by the lexer of :mod:`graphsvc.store.sparql_lexer`, so ``SERVICE`` inside a
string, a comment, an IRI or a name such as ``ex:SERVICE`` or ``?service`` is not taken for the
keyword, while the keyword in any letter case is. The text is inspected twice, as written and with
``\\uXXXX`` escapes decoded, so an escaped keyword cannot slip through either.

The inspection is pure and cached: repeated queries (applications, benchmarks) cost a dict lookup.
A text with no quote, no backslash and none of the words the lexer looks for (refused, update and
volatile keywords, ``FROM``) can hold nothing but its form, which a shortcut reads after the
prologue without lexing (tests check it against the lexer on spliced texts).

>>> inspect_query("SELECT * WHERE { ?s ?p 'SERVICE' }").form
'SELECT'
>>> inspect_query("select * { service <http://x/> { ?s ?p ?o } }").forbidden
('SERVICE',)

Oxigraph's parser matches keywords without looking for a word boundary: ``SERVICEex:x`` is
``SERVICE ex:x`` to it, and ``?s ?p trueSERVICE<x>{}`` holds ``true``, ``SERVICE`` and ``<x>``.
So ``SERVICE`` is refused wherever it can start a keyword for that parser: in any word and in
the prefix of any prefixed name, in any letter case. Only strings, IRIs, comments, variables and
the local part of a prefixed name (which the parser reads to its end) are safe places for it.

The inspection also measures how deeply the query nests and how many tokens it has. Both bound
the depth of the tree the engine builds and walks recursively: brackets nest explicitly, and
operators, paths, unions and triple patterns chain into deep trees. Lexing stops at ``max_tokens``
significant tokens, so the time spent here is bounded whatever the text's length.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from graphsvc.store.sparql_lexer import QUERY_FORMS, Token, decode_codepoints, tokens
from graphsvc.vocab import PREFIXES

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_TOKENS",
    "QueryForm",
    "QueryInspection",
    "inspect_query",
]

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_TOKENS = 10_000

_UPDATE_WORDS: frozenset[str] = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
_REFUSED_WORDS: frozenset[str] = frozenset({"SERVICE"})
# functions whose value differs from one evaluation to the next: such answers are never reused
_VOLATILE_WORDS: frozenset[str] = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})


@dataclass(frozen=True, slots=True)
class QueryInspection:
    """What a query is and asks for, before anything runs.

    ``form`` is ``None`` when no query form was found (the parser will say why). ``forbidden``
    names refused keywords; ``update`` the first update keyword; ``from_graphs`` and
    ``from_named_graphs`` the IRIs of ``FROM`` and ``FROM NAMED`` (prefixed names resolved).
    ``lex_error`` is ``(line, column, reason)`` for text no SPARQL lexer accepts. ``volatile``
    says the query calls a function whose value changes with each evaluation (``RAND``,
    ``NOW``, ``UUID``, ``STRUUID``, ``BNODE``), so its answer must not be reused. ``depth`` is
    the deepest nesting of brackets; ``size`` the number of significant tokens, counted up to one
    more than the ``max_tokens`` the inspection was asked for.
    """

    form: QueryForm | None
    forbidden: tuple[str, ...] = ()
    forbidden_at: tuple[int, int] | None = None
    update: str | None = None
    update_at: tuple[int, int] | None = None
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()
    lex_error: tuple[int, int, str] | None = None
    volatile: bool = False
    # nesting of brackets and count of significant tokens: exact when lexed; from the plain
    # shortcut, upper bounds that are within the limits (so they never decide a refusal)
    depth: int = dataclasses.field(default=0, compare=False)
    size: int = dataclasses.field(default=0, compare=False)

    @property
    def has_dataset_clause(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)


# A text without these words, quotes and backslashes holds no refused, update or volatile
# keyword, no FROM, no string and no escape, whatever its tokens: all there is to find is its form.
_SUSPECT_WORDS = {
    # as the lexer would cut it (a word may follow a number: "1SERVICE" is 1 and SERVICE)
    word: re.compile(rf"(?<![A-Z]){word}(?![A-Z0-9_])")
    for word in sorted(_UPDATE_WORDS | _VOLATILE_WORDS | {"FROM"})
}
# refused words anywhere, glued to anything: the engine's parser needs no word boundary
_SUSPECT_WORDS.update({word: re.compile(word) for word in sorted(_REFUSED_WORDS)})
_OPENING = "([{"
_CLOSING = ")]}"
# the form after a prologue of ASCII prefix declarations, bases, comments and white space
_PLAIN_FORM = re.compile(
    r"(?>\s+|\#[^\n\r]*+"
    r"|PREFIX\s++(?>[A-Za-z](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?:\s*+<[^<>\"{}|^`\\\x00-\x20]*+>"
    r"|BASE\s*+<[^<>\"{}|^`\\\x00-\x20]*+>)*+"  # atomic: never backtracks into a comment
    r"(SELECT|ASK|CONSTRUCT|DESCRIBE)(?=[\s*?${(<]|$)",
    re.IGNORECASE,
)


def _inspect_plain(
    text: str, max_depth: int = DEFAULT_MAX_DEPTH, max_tokens: int = DEFAULT_MAX_TOKENS
) -> QueryInspection | None:
    """The inspection of a text with nothing to find but its form, or ``None`` (lex it).

    A text could exceed the limits only if it has more characters than ``max_tokens`` or more
    opening brackets than ``max_depth``: such texts are lexed, to be measured exactly.
    """
    if "'" in text or '"' in text or "\\" in text:
        return None
    size = len(text)
    depth = sum(text.count(bracket) for bracket in _OPENING)
    if size > max_tokens or depth > max_depth:
        return None
    upper = text.upper()
    for word, as_word in _SUSPECT_WORDS.items():  # substring first: "created" is not CREATE
        if word in upper and as_word.search(upper):
            return None
    match = _PLAIN_FORM.match(text)
    if match is None:
        return None
    return QueryInspection(match.group(1).upper(), depth=depth, size=size)  # type: ignore[arg-type]


# Texts up to this length are remembered with their inspection (applications repeat theirs);
# longer ones are inspected each time, so the cache holds at most 4096 x 16 KiB of text.
_CACHED_TEXT = 16 * 1024


def inspect_query(
    text: str, max_depth: int = DEFAULT_MAX_DEPTH, max_tokens: int = DEFAULT_MAX_TOKENS
) -> QueryInspection:
    """Inspect ``text``; see :class:`QueryInspection`. Pure; short texts' answers are cached.

    Linear in ``text`` and stops lexing after ``max_tokens`` significant tokens.
    """
    if len(text) <= _CACHED_TEXT:
        return _inspect_cached(text, max_depth, max_tokens)
    return _inspect_uncached(text, max_depth, max_tokens)


@functools.lru_cache(maxsize=4096)
def _inspect_cached(text: str, max_depth: int, max_tokens: int) -> QueryInspection:
    return _inspect_uncached(text, max_depth, max_tokens)


def _inspect_uncached(text: str, max_depth: int, max_tokens: int) -> QueryInspection:
    plain = _inspect_plain(text, max_depth, max_tokens)
    if plain is not None:
        return plain
    first = _inspect(text, max_tokens)
    if first.size > max_tokens:
        return first  # refused for its size: nothing else matters
    decoded = decode_codepoints(text)
    if decoded == text:
        return first
    second = _inspect(decoded, max_tokens)
    changes: dict[str, object] = {}
    if second.forbidden and not first.forbidden:
        changes.update(forbidden=second.forbidden, forbidden_at=second.forbidden_at)
    if second.update and not first.update:
        changes.update(update=second.update, update_at=second.update_at)
    if second.volatile:
        changes.update(volatile=True)
    if second.depth > first.depth or second.size > first.size:
        changes.update(depth=max(first.depth, second.depth), size=max(first.size, second.size))
    return dataclasses.replace(first, **changes) if changes else first  # type: ignore[arg-type]


def _significant(text: str, max_tokens: int) -> tuple[list[Token], int]:
    """The first ``max_tokens + 1`` tokens that are neither space nor comment, and the deepest
    nesting of brackets among them."""
    significant: list[Token] = []
    depth = deepest = 0
    for token in tokens(text, significant=True):
        significant.append(token)
        if token.kind == "other":
            if token.text in _OPENING:
                depth += 1
                deepest = max(deepest, depth)
            elif token.text in _CLOSING:
                depth -= 1
        if len(significant) > max_tokens:
            break
    return significant, deepest


def _refused_in(token: Token) -> str | None:
    """The refused keyword that the engine's parser could read at the start of or inside
    ``token`` (a word, or the prefix of a prefixed name), if any."""
    if token.kind == "word":
        head = token.text
    elif token.kind == "pname":
        head = token.text.partition(":")[0]
    else:
        return None
    upper = head.upper()
    return next((word for word in _REFUSED_WORDS if word in upper), None)


def _inspect(text: str, max_tokens: int = DEFAULT_MAX_TOKENS) -> QueryInspection:
    significant, depth = _significant(text, max_tokens)
    lex_error: tuple[int, int, str] | None = None
    forbidden: list[str] = []
    forbidden_at: tuple[int, int] | None = None
    update: str | None = None
    update_at: tuple[int, int] | None = None
    volatile = False
    for token in significant:
        if token.kind == "unterminated" and lex_error is None:
            lex_error = (token.line, token.column, "unterminated string literal")
        refused = _refused_in(token)
        if refused is not None:
            if refused not in forbidden:
                forbidden.append(refused)
            forbidden_at = forbidden_at or (token.line, token.column)
            continue
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word in _UPDATE_WORDS and update is None:
            update, update_at = word, (token.line, token.column)
        elif word in _VOLATILE_WORDS:
            volatile = True

    prefixes: dict[str, str] = dict(PREFIXES)
    form: QueryForm | None = None
    index = 0
    while index < len(significant):
        token = significant[index]
        word = token.text.upper() if token.kind == "word" else ""
        if word == "PREFIX" and index + 2 < len(significant):
            name, namespace = significant[index + 1], significant[index + 2]
            if name.kind == "pname" and namespace.kind == "iri":
                prefixes[name.text[:-1]] = namespace.text[1:-1]
            index += 3
            continue
        if word == "BASE":
            index += 2
            continue
        if word in QUERY_FORMS:
            form = word  # type: ignore[assignment]
        break

    from_graphs: list[str] = []
    from_named: list[str] = []
    for position, token in enumerate(significant):
        if token.kind != "word" or token.text.upper() != "FROM":
            continue
        rest = significant[position + 1 : position + 3]
        named = bool(rest) and rest[0].kind == "word" and rest[0].text.upper() == "NAMED"
        target = rest[1] if named and len(rest) > 1 else rest[0] if rest and not named else None
        iri = _resolve(target, prefixes) if target is not None else None
        if iri is not None:
            (from_named if named else from_graphs).append(iri)

    return QueryInspection(
        form,
        tuple(forbidden),
        forbidden_at,
        update,
        update_at,
        tuple(from_graphs),
        tuple(from_named),
        lex_error,
        volatile,
        depth,
        len(significant),
    )


def _resolve(token: Token, prefixes: Mapping[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None
