"""The browser tests' fixtures, defined in :mod:`browser.harness`."""

from browser.harness import browser, page, playwright_driver, service

__all__ = ["browser", "page", "playwright_driver", "service"]
