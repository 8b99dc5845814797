"""GraphiQL at /graphql and the SPARQL editor at /sparql in Chromium: bundled (no other origin),
working, accessible and usable with the keyboard alone."""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, Request, expect

from browser.harness import Service, assert_accessible, console_errors, screenshot, tab_to
from graphsvc.settings import PROJECT_ROOT

QUERIES = PROJECT_ROOT / "docs" / "queries"


def _record_origins(page: Page) -> set[str]:
    origins: set[str] = set()

    def seen(request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https"):
            origins.add(f"{parts.scheme}://{parts.netloc}")

    page.on("request", seen)
    return origins


def _expected_rows(name: str) -> int:
    with Path(QUERIES / f"{name}.csv").open(encoding="utf-8") as file:
        return sum(1 for _ in csv.DictReader(file))


# --- GraphiQL ----------------------------------------------------------------------------------


def test_graphiql_runs_a_query_offline(page: Page, service: Service) -> None:
    origins = _record_origins(page)
    page.goto(service.url("/graphql"))
    # the editors load after the page: the default query is there once they have
    expect(page.locator(".graphiql-query-editor")).to_contain_text("practices(first: 5)")
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    result = page.locator(".result-window")
    expect(result).to_contain_text('"practices"')
    expect(result).to_contain_text('"title"')
    assert origins == {service.base_url}, f"GraphiQL loaded from {origins}"
    screenshot(page, "graphiql")


def test_graphiql_is_accessible_and_reachable_by_keyboard(page: Page, service: Service) -> None:
    page.goto(service.url("/graphql"))
    expect(page.locator(".graphiql-query-editor")).to_contain_text("practices(first: 5)")
    assert_accessible(page)
    tab_to(page, ".graphiql-execute-button")
    page.keyboard.press("Enter")
    expect(page.locator(".result-window")).to_contain_text('"practices"')
    # the query editor: reached with Tab, run with Ctrl+Enter, and Tab leaves it again
    tab_to(page, ".graphiql-query-editor textarea")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".result-window")).to_contain_text('"practices"')
    # (the editor's scroll area, focusable for keyboard scrolling, is the next stop)
    left = "() => !document.activeElement.closest('.CodeMirror')"
    page.keyboard.press("Tab")
    if not page.evaluate(left):
        page.keyboard.press("Tab")
    assert page.evaluate(left), "Tab does not leave GraphiQL's query editor"


# --- the SPARQL editor -------------------------------------------------------------------------


def test_an_example_query_fills_the_results_table(page: Page, service: Service) -> None:
    origins = _record_origins(page)
    page.goto(service.url("/sparql"))
    name = "07-practices-per-region"
    page.locator(f'button[data-example="{name}"]').click()
    rows = page.locator("#results table tbody tr")
    expect(rows).to_have_count(_expected_rows(name))
    expect(page.locator("#results thead th")).to_have_text(["?region", "?practices"])
    # IRIs of the dataset link to their pages here
    first = page.locator("#results tbody a").first
    assert (first.get_attribute("href") or "").startswith(service.url("/id/region/"))
    expect(page.locator("#status")).to_contain_text(f"{_expected_rows(name)} rows")
    assert origins == {service.base_url}
    screenshot(page, "sparql-editor")


def test_the_sparql_editor_works_with_the_keyboard(page: Page, service: Service) -> None:
    page.goto(service.url("/sparql"))
    expect(page.locator(".cm-content")).to_be_visible()
    assert_accessible(page)
    # the editor: reached by Tab, typed into, run with Ctrl+Enter, left again with Tab
    tab_to(page, ".cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.type("ASK { ?s a pes:GoodPractice }")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#results")).to_contain_text("Answer: yes")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !document.activeElement.closest('.cm-editor')")
    # an example, chosen and run with the keyboard
    name = "01-members-of-each-network"
    tab_to(page, f'button[data-example="{name}"]')
    page.keyboard.press("Enter")
    expect(page.locator("#results table tbody tr")).to_have_count(_expected_rows(name))
    assert_accessible(page)


def test_a_query_error_is_shown_in_the_page(page: Page, service: Service) -> None:
    page.goto(service.url("/sparql"))
    expect(page.locator(".cm-content")).to_be_visible()
    page.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.type("SELECT WHERE {")
    with page.expect_response(lambda r: r.url.endswith("/sparql") and r.status == 400):
        page.get_by_role("button", name="Run query").click()
    expect(page.locator("#status")).to_contain_text("Error 400")
    # the failed request is the test's subject: Chromium logs a 400 as a console error
    assert console_errors(page).forget("status of 400") == 1
