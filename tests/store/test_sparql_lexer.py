"""The one SPARQL lexer: its tokens put together are the text, keywords are only found as
keywords, and long or unterminated strings are read in one pass."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode

from graphsvc.store.sparql_lexer import decode_codepoints, query_form, tokens
from graphsvc.store.sparql_text import bind_values

TEXTS = [
    "SELECT * WHERE { ?s ?p 'SELECT' }",
    'PREFIX ex: <http://e/#>\nASK { ?s ex:select """a\n"b" ""c""" }',
    '# DESCRIBE in a comment\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o . FILTER(?o = "x\\"y") }',
    "SELECT ?x { ?x <http://e/ASK> 'unterminated",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_tokens_put_together_are_the_text(text: str) -> None:
    found = list(tokens(text))
    assert "".join(t.text for t in found) == text
    assert all(text[t.start : t.start + len(t.text)] == t.text for t in found)


SPACED = 'ASK\n\n  { # a\n ?s\r\n\t?p """x\ny""" .\n ?o } # end\n'


@pytest.mark.parametrize("text", [*TEXTS, SPACED])
def test_the_significant_tokens_are_the_others_less_space_and_comments(text: str) -> None:
    every = [t for t in tokens(text) if t.kind not in ("ws", "comment")]
    assert list(tokens(text, significant=True)) == every  # lines and columns included


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("PREFIX ask: <http://e/>\nSELECT * { ?s ask:p 'ASK' }", "SELECT"),
        ("# SELECT\nask { <http://e/SELECT> ?p ?o }", "ASK"),
        ("describe <http://e/x>", "DESCRIBE"),
        ("PREFIX : <http://e/> ?select :construct 'DESCRIBE'", None),
    ],
)
def test_the_form_is_read_only_where_it_is_a_keyword(text: str, form: str | None) -> None:
    assert query_form(text) == form


def test_a_long_unterminated_string_is_one_token() -> None:
    text = "SELECT * { ?s ?p '" + "a\\'" * 50_000
    kinds = [t.kind for t in tokens(text) if t.kind != "ws"]
    assert kinds[-1] == "unterminated"
    assert kinds.count("unterminated") == 1


def test_escapes_are_decoded_except_surrogates() -> None:
    assert decode_codepoints("\\u0053ERVICE \\U0001F600 \\uD800") == "SERVICE \U0001f600 \\uD800"


def test_values_are_bound_in_the_where_pattern_not_in_strings_or_comments() -> None:
    text = "# SELECT { in a comment\nSELECT ?s WHERE { ?s <http://e/p> '{ SELECT' }"
    bound = bind_values(text, {"s": NamedNode("http://e/x")})
    assert " ".join(bound.split()) == (
        "# SELECT { in a comment SELECT ?s WHERE { VALUES (?s) { (<http://e/x>) } "
        "?s <http://e/p> '{ SELECT' }"
    )
