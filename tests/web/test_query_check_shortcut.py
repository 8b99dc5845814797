"""The query check's shortcut for plain texts agrees with the full lexer wherever it answers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from graphsvc.web.query_check import _inspect, _inspect_plain, inspect_query

DOCS = Path(__file__).parents[2] / "docs" / "queries"

PLAIN = [
    "SELECT * WHERE { ?s ?p ?o }",
    "ask {}",
    "  # a comment that says SELECT\nDESCRIBE <https://w3id.org/graphsvc/id/pes/se-af>",
    "PREFIX : <http://e/#>\nBASE <http://b/>\nCONSTRUCT { ?s :p ?o } WHERE { ?s :p ?o }",
    "SELECT ?created WHERE { ?s <http://purl.org/dc/terms/created> ?created }",
    "SELECT(COUNT(*) AS ?n){?s ?p ?o}",
    "SELECT*{?s ?p ?o}",
    "PREFIX pes: <https://w3id.org/graphsvc/ontology#>\nPREFIX dct: <http://purl.org/dc/terms/>\n"
    "SELECT ?theme (COUNT(?practice) AS ?practices) WHERE { ?practice a pes:GoodPractice ; "
    "dct:subject ?theme } GROUP BY ?theme ORDER BY DESC(?practices)",
    "PREFIX prov: <http://www.w3.org/ns/prov#>\nPREFIX dct: <http://purl.org/dc/terms/>\n"
    "CONSTRUCT { ?practice dct:title ?title } WHERE { ?practice prov:wasAttributedTo "
    "<https://w3id.org/graphsvc/id/pes/nld-synthetic-001> ; dct:title ?title }",
]
LEXED = [  # each needs the lexer: a string, an escape, a suspect word, or an unusual prologue
    "SELECT * { ?s ?p 'SERVICE' }",
    "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
    "select * { ?s ?p ?o } # service in a comment is harmless, but lexed",
    "SELECT * FROM <http://e/g> { ?s ?p ?o }",
    "SELECT * { ?s ?p ?o } LIMIT 1 \\u0053ERVICE",
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "SELECT (RAND() AS ?r) {}",
    "SELECT (NOW() AS ?t) {}",
    "PREFIX é: <http://e/>\nSELECT * { ?s ?p ?o }",
    "SELECT:x",
    "SELECT * { ?s ?p ?o } LIMIT 1.5SERVICE",
    "PREFIX a.: <http://e/>\nSELECT * { ?s ?p ?o }",
    "PREFIX : <http://e/{x}>\nSELECT * { ?s ?p ?o }",
    "# BASE <http://b/> SELECT\nDESC RIBE <http://x>",
    "HELLO",
    "",
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_texts_take_the_shortcut_and_agree(text: str) -> None:
    plain = _inspect_plain(text)
    assert plain is not None
    assert plain == _inspect(text)


@pytest.mark.parametrize("text", LEXED)
def test_other_texts_are_lexed(text: str) -> None:
    assert _inspect_plain(text) is None
    assert inspect_query(text) == _inspect(text) or "\\u" in text  # escapes: inspected twice


def test_every_example_query_agrees() -> None:
    texts = [path.read_text() for path in sorted(DOCS.glob("*.rq"))]
    assert len(texts) >= 12
    for text in texts:
        plain = _inspect_plain(text)
        assert plain is None or plain == _inspect(text), text


def test_random_splices_never_disagree() -> None:
    """Keywords, strings, escapes and names spliced anywhere: the shortcut answers only when the
    lexer finds nothing but the form, and then gives the same form."""
    rng = random.Random(7)
    pieces = [
        "SERVICE",
        "service",
        "ex:SERVICE",
        "?service",
        "'x'",
        '"y"',
        "\\u0041",
        "FROM",
        "from named",
        "INSERT",
        "Now",
        "knows",
        "dct:created",
        "# note\n",
        "<http://e/#frag>",
        "PREFIX x: <http://x/>",
        "BASE <http://b/>",
        "{",
        "}",
        ":",
        "*",
        "1",
        "_",
        "a.:",
        "PREFIX:",
        "é",
        "|",
        "`",
        "\n",
    ]
    bases = [*PLAIN, *LEXED]
    shortcut_taken = 0
    for _ in range(20_000):
        text = rng.choice(bases)
        for _ in range(rng.randint(1, 4)):
            at = rng.randint(0, len(text))
            space = rng.choice(["", " ", "\n"])
            text = text[:at] + space + rng.choice(pieces) + space + text[at:]
        plain = _inspect_plain(text)
        if plain is not None:
            shortcut_taken += 1
            assert plain == _inspect(text), text
    assert shortcut_taken > 100
