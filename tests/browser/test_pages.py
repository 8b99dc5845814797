"""The service's own pages in Chromium: entity pages with their recommendations, the dataset's
landing page and the not-found page; accessible, keyboard-reachable, no console error."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from browser.harness import Service, assert_accessible, screenshot, tab_to

OHJAAMO = "/id/practice/ohjaamo"
TE_SERVICES = "/id/pes/fin-te-services"


def test_a_practice_page_shows_related_practices_with_reasons(page: Page, service: Service) -> None:
    page.goto(service.url(OHJAAMO))
    expect(page.locator("h1")).to_have_text("Ohjaamo one-stop guidance centres for young people")
    related = page.locator("section[aria-labelledby=related] ol.cards > li")
    expect(related.first).to_be_visible()
    assert related.count() >= 3
    first = related.first
    # a reason a person can read, and the share of each signal in words
    expect(first.locator(".reasons li").first).to_contain_text("shares theme")
    expect(first.locator("p.score")).to_contain_text("shared themes")
    expect(first).to_contain_text(" match")
    # the page's own view in the app, and each related practice's
    expect(page.get_by_role("link", name="Open in the discovery app")).to_have_attribute(
        "href", service.url("/practice/ohjaamo")
    )
    app_link = first.locator("a.app")
    assert (app_link.get_attribute("href") or "").startswith(service.url("/practice/"))
    assert_accessible(page)
    tab_to(page, "section[aria-labelledby=related] ol.cards > li a")
    screenshot(page, "id-practice-ohjaamo")


def test_following_a_related_practice_opens_its_page(page: Page, service: Service) -> None:
    page.goto(service.url(OHJAAMO))
    link = page.locator("section[aria-labelledby=related] ol.cards > li > a").first
    title = link.inner_text()
    tab_to(page, "section[aria-labelledby=related] ol.cards > li > a")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(title)
    assert "/id/practice/" in page.url


def test_a_pes_page_shows_peers_and_recommended_practices(page: Page, service: Service) -> None:
    page.goto(service.url(TE_SERVICES))
    peers = page.locator("section[aria-labelledby=peers] ol.cards > li")
    expect(peers.first).to_be_visible()
    expect(peers.first.locator(".reasons li").first).not_to_be_empty()
    recommended = page.locator("section[aria-labelledby=recommended] ol.cards > li")
    expect(recommended.first).to_be_visible()
    expect(recommended.first.locator(".reasons li").first).not_to_be_empty()
    expect(page.get_by_role("link", name="Open in the discovery app")).to_have_attribute(
        "href", service.url("/pes/fin-te-services")
    )
    assert_accessible(page)
    screenshot(page, "id-pes-te-services")


def test_a_theme_page_has_no_recommendation_sections(page: Page, service: Service) -> None:
    page.goto(service.url("/id/theme/youth-guarantee"))
    expect(page.locator("h1")).to_have_text("Youth Guarantee")
    expect(page.locator("section[aria-labelledby=related]")).to_have_count(0)
    expect(page.locator("section[aria-labelledby=peers]")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "id-theme-youth-guarantee")


def test_the_dataset_landing_page(page: Page, service: Service) -> None:
    page.goto(service.url("/dataset"))
    expect(page.locator("h1")).to_contain_text("knowledge graph of public employment services")
    expect(
        page.get_by_role("link", name="Creative Commons Attribution 4.0 (CC BY 4.0)")
    ).to_have_attribute("href", "https://creativecommons.org/licenses/by/4.0/")
    expect(page.get_by_role("link", name="nq.gz")).to_have_attribute(
        "href", service.url("/export/nq.gz")
    )
    expect(page.get_by_role("link", name="SPARQL 1.1 endpoint")).to_have_attribute(
        "href", service.url("/sparql")
    )
    assert_accessible(page)
    screenshot(page, "dataset")
    # an example query: one click to its answer in the SPARQL editor
    tab_to(page, 'a[href$="#example=07-practices-per-region"]')
    page.keyboard.press("Enter")
    expect(page.locator("#results table tbody tr").first).to_be_visible()
    assert page.url.endswith("/sparql#example=07-practices-per-region")


def test_the_not_found_page(page: Page, service: Service) -> None:
    response = page.goto(service.url("/id/practice/no-such-practice"))
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    # Chromium logs the 404 of the document itself: the status is this test's subject
    from browser.harness import console_errors

    assert console_errors(page).forget("status of 404") == 1
    assert_accessible(page)
    tab_to(page, "main a")
    screenshot(page, "id-not-found")
