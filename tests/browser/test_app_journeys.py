"""The discovery app at ``/`` in Chromium: every view, the journeys of a member, the keyboard.

Each view is checked with axe-core (no serious or critical violation) and photographed into the
harness's screenshot folder; the ``page`` fixture fails a test whose page logged an error. The
data is the seeded service's: Ohjaamo (Finland, TE Services) is a seed practice on the Youth
Guarantee.
"""

from __future__ import annotations

import re
import time
import weakref
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Request, expect

from browser.harness import WAIT_MS, Service, assert_accessible, screenshot, tab_to
from graphsvc.edit.auth import TokenRegistry, tokens_path
from graphsvc.web.app_files import APP_DIST

OHJAAMO = "Ohjaamo one-stop guidance centres for young people"
TE_SERVICES = "https://w3id.org/graphsvc/id/pes/fin-te-services"

VIEWS = [
    ("home", "/", "ul.stats"),
    ("search", "/search?q=young&theme=youth-guarantee&sort=relevance", "ol.result-list"),
    ("search-empty", "/search?q=zzzzqqq&theme=youth-guarantee", ".empty"),
    ("practice", "/practice/ohjaamo", "ol.recommendations"),
    ("pes", "/pes/fin-te-services", "ol.peers"),
    ("theme", "/theme/youth-guarantee", "ol.ranked li"),
    ("event", "/event/wapes-world-congress-2018", "h1"),
    ("project", "/project/japan-wapes-joint-project", "ol.phases"),
    ("map", "/map", "a.country"),
    ("my-sign-in", "/my", "input#token"),
    ("home-fr", "/?lang=fr", "ul.stats"),
    ("not-found", "/practice/no-such-practice", "h1"),
]


@pytest.fixture(scope="module", autouse=True)
def built_app() -> None:
    if not (APP_DIST / "index.html").exists():
        pytest.fail(f"{APP_DIST} is not built: `make frontend` builds it (npm ci && npm run build)")


@pytest.fixture
def member_token(service: Service) -> Iterator[str]:
    registry = TokenRegistry(tokens_path(service.settings))
    record, token = registry.create("member", "Browser test member", TE_SERVICES)
    yield token
    registry.revoke(record.id)


_IN_FLIGHT: weakref.WeakKeyDictionary[Page, set[Request]] = weakref.WeakKeyDictionary()
_BUSY = "() => !!document.querySelector('[aria-busy=\"true\"], .loading')"
_RENDERED = """() => new Promise(done => requestAnimationFrame(
    () => requestAnimationFrame(() => setTimeout(done, 0))))"""


@pytest.fixture(autouse=True)
def requests_in_flight(page: Page) -> None:
    """Follow the page's requests from the start, for :func:`settle`."""
    pending: set[Request] = set()
    _IN_FLIGHT[page] = pending
    page.on("request", lambda request: pending.add(request))
    # a redirect finishes its request too, and the next one is a request of its own
    page.on("requestfinished", lambda request: pending.discard(request))
    page.on("requestfailed", lambda request: pending.discard(request))


def settle(page: Page) -> None:
    """Wait until the view has its data (no request in flight, no list reloading).

    Settled is: no request in flight and no busy list, and still so once the page has drawn two
    frames and run its effects (which is when a view starts the requests its data leads to).
    This is the event ``networkidle`` approximates with half a second of silence after each
    request.
    """
    pending = _IN_FLIGHT[page]
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        if not pending and not page.evaluate(_BUSY):
            page.evaluate(_RENDERED)  # the driver delivers the request events meanwhile
            if not pending and not page.evaluate(_BUSY):
                return
        else:
            page.wait_for_timeout(20)
    pytest.fail(f"the page did not settle within {WAIT_MS} ms: {[r.url for r in pending]}")


def results(page: Page) -> list[str]:
    return page.locator("ol.result-list .card-title").all_inner_texts()


@pytest.mark.parametrize(("name", "path", "ready"), VIEWS, ids=[v[0] for v in VIEWS])
def test_every_view_renders_accessibly(
    page: Page, service: Service, name: str, path: str, ready: str
) -> None:
    page.goto(service.url(path))
    page.locator(ready).first.wait_for()
    settle(page)
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    screenshot(page, f"app-{name}")


def test_search_filter_practice_related_pes_and_peers(page: Page, service: Service) -> None:
    page.goto(service.url("/"))
    page.get_by_label("Search practices").fill("young")
    page.get_by_label("Search practices").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=young"))
    settle(page)
    everything = page.locator("#results-title").inner_text()

    page.locator("#f-theme-youth-guarantee").check()
    expect(page).to_have_url(re.compile(r"theme=youth-guarantee"))
    settle(page)
    if not page.locator("#f-country-FIN").count():  # a long region shows its first countries
        page.get_by_role("button", name=re.compile(r"\(Europe\)")).click()
    page.locator("#f-country-FIN").check()
    expect(page).to_have_url(re.compile(r"country=FIN"))
    settle(page)
    assert page.locator("#results-title").inner_text() != everything
    assert OHJAAMO in results(page)
    assert all("Finland" in m for m in page.locator("ol.result-list .meta").all_inner_texts())

    # the address restores the view: same filters checked, same list
    filtered = page.url
    page.reload()
    settle(page)
    assert page.url == filtered
    expect(page.locator("#f-country-FIN")).to_be_checked()
    assert OHJAAMO in results(page)

    page.get_by_role("link", name=OHJAAMO).click()
    expect(page.locator("h1")).to_have_text(OHJAAMO)
    settle(page)
    first = page.locator("ol.recommendations li.recommendation").first
    expect(first.locator(".reasons li").first).to_contain_text("Shared themes")
    related = first.locator(".rec-title a").inner_text()
    first.locator(".rec-title a").click()
    expect(page.locator("h1")).to_have_text(related)
    settle(page)

    pes_link = page.locator("dl.facts a[href^='/pes/']")
    pes_name = pes_link.inner_text()
    pes_link.click()
    expect(page).to_have_url(re.compile(r"/pes/"))
    settle(page)
    assert page.locator("h1").inner_text().startswith(pes_name.split(" (")[0])
    peers = page.locator("ol.peers li.recommendation")
    assert peers.count() > 0
    expect(peers.first.locator(".reasons")).not_to_be_empty()
    peer = peers.first.locator(".rec-title a").inner_text()
    peers.first.locator(".rec-title a").click()
    expect(page.locator("h1")).to_contain_text(peer.split(" (")[0])
    settle(page)
    screenshot(page, "app-journey-peer")


def test_the_language_changes_the_interface_and_stays_in_the_address(
    page: Page, service: Service
) -> None:
    page.goto(service.url("/practice/ohjaamo"))
    settle(page)
    page.get_by_label("Language").select_option("sv")
    expect(page).to_have_url(re.compile(r"lang=sv"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", name="Relaterade exempel")).to_be_visible()
    page.get_by_role("link", name="Sök", exact=True).click()
    expect(page).to_have_url(re.compile(r"/search\?lang=sv"))
    settle(page)
    expect(page.get_by_role("heading", name="Filter", exact=True)).to_be_visible()
    page.reload()
    settle(page)
    expect(page.get_by_role("link", name="Karta")).to_be_visible()
    for lang, search in (("fr", "Recherche"), ("es", "Buscar"), ("en", "Search")):
        page.get_by_label(re.compile("Språk|Langue|Idioma|Language")).select_option(lang)
        expect(page.get_by_role("link", name=search, exact=True)).to_be_visible()
    settle(page)
    assert_accessible(page)


def test_clicking_a_country_on_the_map_filters_the_search(page: Page, service: Service) -> None:
    page.goto(service.url("/map?theme=youth-guarantee"))
    finland = page.locator("a.country[data-country='FIN']")
    finland.wait_for()
    assert "Finland" in (finland.get_attribute("aria-label") or "")
    finland.click()
    expect(page).to_have_url(re.compile(r"/search\?theme=youth-guarantee&country=FIN"))
    settle(page)
    expect(page.locator("#f-country-FIN")).to_be_checked()
    assert OHJAAMO in results(page)


def test_the_keyboard_alone_searches_filters_and_walks_the_graph(
    page: Page, service: Service
) -> None:
    page.goto(service.url("/"))
    settle(page)
    tab_to(page, "#q")
    page.keyboard.type("guidance")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=guidance"))
    settle(page)
    tab_to(page, "#f-theme-youth-guarantee")
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"theme=youth-guarantee"))
    settle(page)
    tab_to(page, "a[href='/practice/ohjaamo']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(OHJAAMO)
    settle(page)
    presses = tab_to(page, "svg.graph-svg a.node")
    assert presses > 1
    first = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("ArrowRight")
    second = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert first != second and second.endswith(("(theme)", "(PES)", "(practice)"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).not_to_have_text(OHJAAMO)


def test_a_member_creates_a_practice_fixing_an_error_and_it_is_related_at_once(
    page: Page, service: Service, member_token: str
) -> None:
    page.goto(service.url("/my"))
    page.get_by_label("Member token").fill(member_token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Browser test member")).to_be_visible()
    settle(page)
    screenshot(page, "app-my-pes")

    title = "Ohjaamo outreach vans for rural young people"
    page.get_by_label("Title (English)").fill(title)
    page.get_by_label("Summary (English)").fill(
        "Mobile Ohjaamo guidance teams visit rural municipalities to meet young people."
    )
    page.get_by_label("Source web pages, one per line").fill("https://ohjaamot.fi/en/")
    expect(page.get_by_label("Country")).to_have_value(re.compile(r"/country/FIN$"))
    page.get_by_role("button", name="Save").click()  # no theme, no date: the API refuses
    # each problem in plain words at its field, read out with it, and listed at the top
    expect(page.locator("#err-themes")).to_have_text("Choose at least one theme.")
    date_hint = "Enter one year, such as 2021, or one date, such as 2021-05-01."
    expect(page.locator("#err-date")).to_have_text(date_hint)
    expect(page.locator("#field-themes")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#field-themes")).to_have_attribute("aria-describedby", "err-themes")
    date_field = page.get_by_label("Start (year or date)")
    expect(date_field).to_have_attribute("aria-invalid", "true")
    expect(date_field).to_have_attribute("aria-describedby", "err-date")
    expect(page.get_by_label("Title (English)")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#form-errors li")).to_have_text(
        ["Themes: Choose at least one theme.", f"Start (year or date): {date_hint}"]
    )
    expect(page.locator("#form-errors p")).to_have_text("Please correct 2 problems:")
    expect(page.locator("#form-errors")).not_to_contain_text(re.compile(r"dct:|xsd:|@en"))
    expect(page.locator("#form-errors")).to_be_focused()
    assert_accessible(page)
    screenshot(page, "app-my-pes-error")

    for theme in ("youth-guarantee", "career-guidance", "partnerships"):
        page.locator(f"#theme-{theme}").check()
    page.locator("#tg-young-people").check()
    page.get_by_label("Start (year or date)").fill("2025")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text(title)
    settle(page)
    expect(page.locator("ol.history li")).to_have_count(1)

    page.goto(service.url("/practice/ohjaamo"))
    settle(page)
    expect(page.locator("ol.recommendations").get_by_role("link", name=title)).to_be_visible()
