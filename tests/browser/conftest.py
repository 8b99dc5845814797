"""The browser tests' fixtures, defined in :mod:`browser.harness`."""

from collections.abc import Generator

import pytest

from browser.harness import browser, page, playwright_driver, service

__all__ = ["browser", "page", "playwright_driver", "pytest_runtest_makereport", "service"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test, so that ``page`` can tell a failed test."""
    report = yield
    setattr(item, "rep_" + report.when, report)
    return report
