"""The harness itself: Chromium runs, the collector sees errors, axe sees violations."""

from __future__ import annotations

from playwright.sync_api import Page

from browser.harness import SCREENSHOTS, Service, axe_violations, console_errors, screenshot, tab_to


def test_the_service_answers_in_chromium(page: Page, service: Service) -> None:
    response = page.goto(service.url("/healthz"))
    assert response is not None and response.status == 200
    assert '"status":"ok"' in page.content().replace(" ", "")


def test_the_collector_sees_console_errors_and_exceptions(page: Page) -> None:
    with page.expect_event("pageerror"), page.expect_console_message(lambda m: m.type == "error"):
        page.set_content(
            "<script>console.error('broken')</script><script>throw new TypeError('thrown')</script>"
        )
    errors = console_errors(page)
    assert any("broken" in m for m in errors.messages)
    assert any("TypeError: thrown" in m for m in errors.messages)
    assert errors.forget("broken") == 1 and errors.forget("thrown") == 1
    assert errors.messages == []  # this page's errors are the test's subject, not its failure


def test_axe_finds_a_serious_violation(page: Page) -> None:
    page.set_content('<html lang="en"><title>t</title><main><img src="data:,"></main></html>')
    impacts = {v["id"]: v["impact"] for v in axe_violations(page)}
    assert impacts.get("image-alt") == "critical"


def test_tab_reaches_a_link_and_the_screenshot_is_kept(page: Page) -> None:
    page.set_content(
        '<html lang="en"><title>t</title><main><a href="#a">a</a> <a id="b" href="#b">b</a></main></html>'
    )
    assert tab_to(page, "#b") == 2
    path = screenshot(page, "harness")
    assert path.parent == SCREENSHOTS and path.stat().st_size > 0
