"""``python -m bench.load``: a validated load against the bulk load, before and after.

Generates a synthetic dataset (default 22,000 practices: about 256k quads, 50 MB of N-Quads),
then loads it into a fresh embedded store three ways, each in its own process, and prints the
wall time and peak memory (maximum resident set) of each, side by side:

* ``load --bulk``: Oxigraph's bulk loader, no validation (the yardstick);
* ``load``: validated, as ``graphsvc load`` does it now (pre-screen, pySHACL on the flagged
  nodes only, staged bulk write);
* ``load, previous``: validated as before: pySHACL over all the data, one transaction.

Run it on an idle machine: the three share the cores with nothing else. ``--repeat N`` runs the
bulk and validated loads N times, alternating, and keeps the best time of each (the least
disturbed by other work) and the highest peak.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["main"]

GRAPHSVC = Path(sys.executable).parent / "graphsvc"

# The validated load as it was: every quad through pySHACL, then one transaction.
_PREVIOUS = """
import sys
from pathlib import Path
from graphsvc.store import OxigraphStore
from graphsvc.store.base import Changeset
from graphsvc.store.loading import _context_quads, parse_file, to_rdflib
from graphsvc.store.validation import ontology_graph, validate
store = OxigraphStore(Path(sys.argv[1]))
quads = parse_file(Path(sys.argv[2]))
report = validate(to_rdflib([*quads, *_context_quads(store, quads)]), ontology=ontology_graph())
assert report.conforms, report
store.apply(Changeset(add=quads))
store.close()
print(f"loaded {len(quads)} quads")
"""


def _measure(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB, and the output of ``command`` run as a child."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=_env()
    )
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return elapsed, usage.ru_maxrss / 1024, output.strip().splitlines()[0]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--practices", type=int, default=22_000)
    parser.add_argument("--no-previous", action="store_true", help="skip the previous loader")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the bulk and validated loads this many times, alternating; the best of each",
    )
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        data = work / "data.nq"
        subprocess.run(
            [str(GRAPHSVC), "generate", "--practices", str(args.practices), "-o", str(data)],
            check=True,
            env=_env(),
            capture_output=True,
        )
        quads = sum(1 for _ in data.open("rb"))
        print(
            f"{args.practices:,} practices: {quads:,} quads, {data.stat().st_size / 1e6:.1f} MB"
            " of N-Quads, each load into a new store"
        )
        runs: list[tuple[str, list[str]]] = [
            ("load --bulk", [str(GRAPHSVC), "--data-dir", str(work / "bulk"), "load", "--bulk"]),
            ("load (validated)", [str(GRAPHSVC), "--data-dir", str(work / "new"), "load"]),
        ]
        for _, command in runs:
            command.append(str(data))
        if not args.no_previous:
            (work / "old").mkdir()
            runs.append(
                (
                    "load, previous (validated)",
                    [sys.executable, "-c", _PREVIOUS, str(work / "old" / "store"), str(data)],
                )
            )
        best: dict[str, tuple[float, float]] = {}
        for round_ in range(args.repeat):
            for name, command in runs:
                if round_ and name.startswith("load, previous"):
                    continue  # minutes each: once is enough
                for store in ("bulk", "new"):
                    shutil.rmtree(work / store, ignore_errors=True)
                shutil.rmtree(work / "old" / "store", ignore_errors=True)
                seconds, peak, _ = _measure(command)
                old_seconds, old_peak = best.get(name, (seconds, peak))
                best[name] = (min(seconds, old_seconds), max(peak, old_peak))
        bulk_seconds = best["load --bulk"][0]
        print(f"best of {args.repeat} run(s); peak: the highest seen")
        print(f"| {'how':<28} | {'seconds':>8} | {'× bulk':>7} | {'peak MB':>8} |")
        print(f"|{'-' * 30}|{'-' * 10}:|{'-' * 9}:|{'-' * 10}:|")
        for name, (seconds, peak) in best.items():
            print(
                f"| {name:<28} | {seconds:>8.1f} | {seconds / bulk_seconds:>7.2f} | {peak:>8.0f} |"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
