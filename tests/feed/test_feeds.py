"""The Atom feed of practice changes and the iCalendar feed of events, read with maintained
parsers (feedparser, icalendar) from a real service."""

from __future__ import annotations

from collections.abc import Iterator

import feedparser
import httpx
import icalendar
import pytest

from graphsvc.edit.auth import TokenRegistry, tokens_path
from graphsvc.settings import Settings
from graphsvc.vocab import ID

BA = f"{ID}pes/deu-ba"
KEHA = f"{ID}pes/fin-keha"
YOUTH = f"{ID}theme/youth-guarantee"
CREATE = """mutation C($input: CreatePracticeInput!) { createPractice(input: $input) {
  __typename ... on PracticeCreated { id } ... on InvalidInput { errors { path message } } } }"""
DELETE = "mutation D($id: ID!) { deletePractice(id: $id) { __typename } }"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, str]]:
    from support import run_app

    settings = Settings(data_dir=tmp_path_factory.mktemp("feeds"), store="memory")
    _, token = TokenRegistry(tokens_path(settings)).create("admin", "feed tests")
    with run_app(settings) as app, app.client() as client:
        yield client, token


def _create(
    client: httpx.Client, token: str, title: str, themes: list[str], pes: str, country: str
) -> str:
    practice = {
        "country": country,
        "title": [{"lang": "en", "text": title}],
        "themes": themes,
        "pes": pes,
        "date": "2024",
        "sources": ["https://example.org/practice"],
    }
    response = client.post(
        "/graphql",
        json={"query": CREATE, "variables": {"input": practice}},
        headers={"Authorization": f"Bearer {token}"},
    )
    result = response.json()["data"]["createPractice"]
    assert result["__typename"] == "PracticeCreated", result
    iri: str = result["id"]
    return iri


def _atom(client: httpx.Client, **params: str) -> feedparser.FeedParserDict:
    response = client.get("/feeds/practices.atom", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_the_atom_feed_lists_new_changed_and_deleted_practices_newest_first(
    service: tuple[httpx.Client, str],
) -> None:
    client, token = service
    youth = _create(client, token, "Feed youth practice", ["youth-guarantee"], BA, "DEU")
    green = _create(client, token, "Feed green practice", ["green-transition"], KEHA, "FIN")
    client.post(
        "/graphql",
        json={"query": DELETE, "variables": {"id": green}},
        headers={"Authorization": f"Bearer {token}"},
    )
    feed = _atom(client)
    assert feed.feed.title == "New and changed good practices"
    links = [(e.link, e.title) for e in feed.entries[:3]]
    assert links == [
        (green, "Deleted practice 'Feed green practice'"),
        (green, "Created practice 'Feed green practice'"),
        (youth, "New practice: Feed youth practice"),
    ]
    for entry in feed.entries:
        assert entry.id.startswith(f"{ID}change/") and entry.updated_parsed is not None
    assert {t.term for t in feed.entries[2].tags} == {YOUTH}

    by_theme = [e.link for e in _atom(client, theme=YOUTH).entries]
    assert youth in by_theme and green not in by_theme
    by_pes = [e.link for e in _atom(client, pes=KEHA).entries]
    assert by_pes[:2] == [green, green] and youth not in by_pes  # the deleted one too
    by_country = [
        e.link
        for e in _atom(
            client, country="http://publications.europa.eu/resource/authority/country/FIN"
        ).entries
    ]
    assert green in by_country and youth not in by_country
    by_network = [e.link for e in _atom(client, network=f"{ID}network/eu-pes-network").entries]
    assert youth in by_network or green in by_network


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"colour": "red"}, "unknown parameter 'colour'"),
        ({"theme": "not an id"}, "theme: 'not an id' is not a Theme ID or IRI"),
        ({"pes": f"{ID}pes/nobody"}, f"pes: no Pes {ID}pes/nobody"),
    ],
)
def test_a_bad_feed_filter_is_a_400_that_says_what(
    service: tuple[httpx.Client, str], params: dict[str, str], message: str
) -> None:
    client, _ = service
    response = client.get("/feeds/practices.atom", params=params)
    assert response.status_code == 400
    assert message in response.text


def test_the_calendar_holds_every_dated_event_once(service: tuple[httpx.Client, str]) -> None:
    client, _ = service
    response = client.get("/feeds/events.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    query = "{ events(first: 100) { edges { node { iri startDate } } } }"
    listed = client.post("/graphql", json={"query": query}).json()
    dated = {e["node"]["iri"] for e in listed["data"]["events"]["edges"] if e["node"]["startDate"]}
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)) and set(uids) == dated
    for event in events:
        assert event["SUMMARY"] and event.decoded("DTSTART") is not None
        if "DTEND" in event:
            assert event.decoded("DTEND") >= event.decoded("DTSTART")
    # lines are folded at 75 octets, as RFC 5545 requires
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))


def test_the_calendar_filters_by_theme(service: tuple[httpx.Client, str]) -> None:
    client, _ = service
    everything = icalendar.Calendar.from_ical(client.get("/feeds/events.ics").content)
    some = icalendar.Calendar.from_ical(
        client.get("/feeds/events.ics", params={"theme": f"{ID}theme/knowledge-sharing"}).content
    )
    assert 0 < len(list(some.walk("VEVENT"))) < len(list(everything.walk("VEVENT")))
