"""The suite's fixtures and helpers live in ``tests/support`` (see its docstring); this registers
the fixtures and the Hypothesis profile for every test."""

from support.profiles import load_profile

pytest_plugins = ["support.fixtures"]

load_profile()
