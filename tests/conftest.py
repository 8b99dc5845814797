"""The suite's fixtures and helpers live in ``tests/support`` (see its docstring); this registers
the fixtures, the Hypothesis profile and the xdist work units for every test."""

from support.profiles import load_profile

pytest_plugins = ["support.fixtures", "support.xdist_scopes"]

load_profile()
