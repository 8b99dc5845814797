"""Attack: broken percent-encoding in a form body or query string, to crash the parser (500)
or to have the server run a query the sender never wrote (``%FF`` read as U+FFFD).

``/sparql`` decodes form bodies and query strings strictly: a ``%`` without two hex digits after
it, or escapes that decode to bytes that are not UTF-8, get a ``400`` that names the parameter
and the byte. ``/graphql`` takes JSON bodies only, so a form body gets a ``415`` before any
decoding.
"""

from __future__ import annotations

import pytest
from support import RunningApp

from graphsvc.http.forms import FormEncodingError, parse_form

from .wire import assert_healthy

FORM = {"Content-Type": "application/x-www-form-urlencoded"}

BROKEN = [
    (b"query=ASK%7B%7", "'%7' at byte 12 (in parameter 'query') is not a percent-escape"),
    (b"query=ASK%", "'%' at byte 9 (in parameter 'query') is not a percent-escape"),
    (b"query=SELECT%ZZ", "'%ZZ' at byte 12 (in parameter 'query') is not a percent-escape"),
    (b"query=ASK%20%7B%7D&format=js%n", "in parameter 'format'"),
    (b"query=%FF", "parameter 'query' (from byte 0) decodes to bytes that are not UTF-8"),
    (b"query=%C3%28", "parameter 'query' (from byte 0) decodes to bytes that are not UTF-8"),
    (b"query=ASK+%7B%7D&%E2%82=x", "a parameter name (from byte 17) decodes to bytes"),
    (b"query=ASK+%7B%7D&default-graph-uri=%ED%A0%80", "parameter 'default-graph-uri'"),
    (b"query=\xff", "parameter 'query' (from byte 0) decodes to bytes that are not UTF-8"),
]


@pytest.mark.parametrize(("body", "message"), BROKEN)
def test_a_broken_form_body_gets_400_naming_what_is_wrong(
    seeded_service: RunningApp, body: bytes, message: str
) -> None:
    with seeded_service.client() as client:
        response = client.post("/sparql", content=body, headers=FORM)
    assert response.status_code == 400
    assert response.text.startswith("the form body is not valid form encoding: ")
    assert message in response.text
    assert_healthy(seeded_service)


@pytest.mark.parametrize(("body", "message"), BROKEN)
def test_a_broken_query_string_gets_400_too(
    seeded_service: RunningApp, body: bytes, message: str
) -> None:
    query_string = body.decode("latin-1").replace("\xff", "%FF")
    with seeded_service.client() as client:
        response = client.get(f"/sparql?{query_string}")
        assert response.status_code == 400
        assert response.text.startswith("the query string is not valid form encoding: ")
        # asked again: the first refusal was not kept as an answer
        assert client.get(f"/sparql?{query_string}").status_code == 400
    assert_healthy(seeded_service)


def test_a_broken_query_string_on_a_form_post_gets_400(seeded_service: RunningApp) -> None:
    with seeded_service.client() as client:
        response = client.post("/sparql?format=%G0", content=b"query=ASK+%7B%7D", headers=FORM)
    assert response.status_code == 400
    assert "the query string is not valid form encoding" in response.text
    assert_healthy(seeded_service)


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        (b"query=SELECT+%28%22100%25%22+AS+%3Fx%29+%7B%7D", '"value":"100%"'),  # %25 is a "%"
        (b"query=SELECT+%28%22a%2Bb%22+AS+%3Fx%29+%7B%7D", '"value":"a+b"'),  # %2B is a "+"
        (b"query=SELECT+%28%22%C3%A9%22+AS+%3Fx%29+%7B%7D", '"value":"\u00e9"'),  # UTF-8
        (b"&query=ASK+%7B%7D&&", '"boolean":true'),  # empty fields are skipped
    ],
)
def test_a_well_formed_form_body_means_what_it_says(
    seeded_service: RunningApp, body: bytes, answer: str
) -> None:
    headers = {**FORM, "Accept": "application/sparql-results+json"}
    with seeded_service.client() as client:
        response = client.post("/sparql", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert answer in response.text
    assert_healthy(seeded_service)


@pytest.mark.parametrize("body", [b"query=%7B__typename%7D", b"query=%FF", b"query=%Z"])
def test_graphql_refuses_form_bodies_before_decoding_them(
    seeded_service: RunningApp, body: bytes
) -> None:
    with seeded_service.client() as client:
        response = client.post("/graphql", content=body, headers=FORM)
    assert response.status_code == 415
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert "application/json" in error["message"]
    assert_healthy(seeded_service)


def test_parse_form() -> None:
    assert parse_form(b"a=1&b=&c&a=2+3") == [("a", "1"), ("b", ""), ("c", ""), ("a", "2 3")]
    assert parse_form(b"q=%e2%82%ac") == [("q", "\u20ac")]  # lower-case hex is fine
    assert parse_form(b"") == []
    with pytest.raises(FormEncodingError, match="the query string is not valid"):
        parse_form(b"q=%", "the query string")


def test_httpx_forms_round_trip(seeded_service: RunningApp) -> None:
    """What a client library sends (every reserved character escaped) is read back exactly."""
    query = 'SELECT ("&=+%;#?\u00e9\u20ac" AS ?x) {}'
    with seeded_service.client() as client:
        response = client.post(
            "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
        )
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "&=+%;#?\u00e9\u20ac"
    assert_healthy(seeded_service)
