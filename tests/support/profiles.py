"""Hypothesis profiles: ``default`` for every run, ``thorough`` for the full example counts.

``GRAPHSVC_TEST_PROFILE=thorough`` selects the full counts; the figures
of docs/security.md were measured with them. The default profile runs a fifth of each count,
and never fewer than :data:`FLOOR`: every generated case of these tests makes the same assertions,
so the smaller run checks the same properties, on fewer spellings. Both profiles are
deterministic (``derandomize``, no example database), so a failure reproduces under either.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

__all__ = ["FLOOR", "PROFILE_VARIABLE", "examples", "load_profile", "thorough"]

PROFILE_VARIABLE = "GRAPHSVC_TEST_PROFILE"
FLOOR = 50
"""The fewest examples a test runs in the default profile."""

settings.register_profile(
    "default",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", settings.get_profile("default"))


def thorough() -> bool:
    """Whether this run asked for the full example counts."""
    profile = os.environ.get(PROFILE_VARIABLE, "default")
    if profile not in ("default", "thorough"):
        raise ValueError(f"{PROFILE_VARIABLE}={profile!r}: expected 'default' or 'thorough'")
    return profile == "thorough"


def examples(full: int) -> int:
    """How many examples to run of a test whose full count is ``full``."""
    return full if thorough() else min(full, max(FLOOR, full // 5))


def load_profile() -> None:
    """Load the profile the environment names (``default`` unless it says ``thorough``)."""
    settings.load_profile("thorough" if thorough() else "default")
