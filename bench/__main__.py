"""``python -m bench`` (``make bench``): run every benchmark module of ``bench/`` in turn.

A benchmark is a module ``bench/<name>.py`` with a ``main(argv) -> int``; modules without one
(helpers such as ``plain_endpoint``, which a benchmark starts as its own server) are skipped.
Each runs in its own process with its default parameters, so one benchmark's servers and memory
never weigh on the next. ``python -m bench graphql sparql`` runs only those.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["benchmarks", "main"]

HERE = Path(__file__).resolve().parent


def benchmarks() -> list[str]:
    """Names of the modules of ``bench/`` that define ``main``, sorted."""
    names = []
    for path in sorted(HERE.glob("*.py")):
        if path.name.startswith("_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            names.append(path.stem)
    return names


def main(argv: list[str] | None = None) -> int:
    wanted = list(sys.argv[1:] if argv is None else argv)
    available = benchmarks()
    unknown = [name for name in wanted if name not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(available)}")
        return 2
    failed = []
    for name in wanted or available:
        print(f"== bench.{name}", flush=True)
        started = time.perf_counter()
        status = subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False).returncode
        print(f"== bench.{name}: exit {status} after {time.perf_counter() - started:.0f} s\n")
        if status != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
