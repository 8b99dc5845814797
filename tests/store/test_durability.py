"""An acknowledged write survives ``kill -9``, and no write is ever half-applied.

A subprocess applies numbered multi-quad changesets and prints ``ack N`` after each ``apply``
returns. The test kills it with SIGKILL mid-stream, reopens the store and checks: every acked
changeset is fully there, and any changeset is either fully there or fully absent. Three rounds
per mode, each round resuming on the store the previous kill left behind.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import IO

import pytest
from pyoxigraph import Literal

from graphsvc.store import OxigraphStore

from .durability_writer import GRAPH, ITEMS, LAST, MARKER, SEQ

WRITER = Path(__file__).with_name("durability_writer.py")
ROUNDS = 3


def _reader(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.strip())
    lines.put(None)


def run_and_kill(store_dir: Path, mode: str, start: int, acks_before_kill: int) -> list[int]:
    """Run the writer until it acked ``acks_before_kill`` changesets, SIGKILL it, return acks."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    process = subprocess.Popen(
        [sys.executable, str(WRITER), str(store_dir), mode, str(start)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()
    thread = threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True)
    thread.start()
    acks: list[int] = []
    try:
        while len(acks) < acks_before_kill:
            try:
                line = lines.get(timeout=60)
            except queue.Empty:
                pytest.fail(f"writer silent for 60s after {len(acks)} acks")
            if line is None:
                pytest.fail(f"writer exited early: {process.wait()} {process.stderr.read()}")
            if line.startswith("ack "):
                acks.append(int(line.split()[1]))
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        thread.join(timeout=30)
        # acks printed between our last read and the kill are acknowledged too
        while True:
            try:
                line = lines.get_nowait()
            except queue.Empty:
                break
            if line and line.startswith("ack "):
                acks.append(int(line.split()[1]))
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    return acks


def applied_changesets(store: OxigraphStore) -> Counter[int]:
    """How many item quads of each changeset number the store holds."""
    counts: Counter[int] = Counter()
    for quad in store.quads(predicate=SEQ, graph=GRAPH):
        assert isinstance(quad.object, Literal)
        counts[int(quad.object.value.split()[0])] += 1
    return counts


@pytest.mark.parametrize("mode", ["update", "extend"])
def test_acknowledged_writes_survive_sigkill_and_none_is_partial(tmp_path: Path, mode: str) -> None:
    store_dir = tmp_path / "store"
    acked: list[int] = []
    in_flight: set[int] = set()  # the write each kill may have interrupted
    start = 0
    for round_ in range(ROUNDS):
        acked += run_and_kill(store_dir, mode, start, acks_before_kill=150 + 40 * round_)
        in_flight.add(max(acked) + 1)
        with OxigraphStore(store_dir) as store:
            counts = applied_changesets(store)
            partial = {n: c for n, c in counts.items() if c != ITEMS}
            assert partial == {}, f"half-applied changesets after kill: {partial}"
            missing = sorted(set(acked) - set(counts))
            assert missing == [], f"acknowledged but lost after kill: {missing}"
            # only a write in flight at a kill may have landed without its ack
            assert set(counts) - set(acked) <= in_flight
            if mode == "update":
                markers = [q.object for q in store.quads(MARKER, LAST, None, GRAPH)]
                assert markers == [Literal(max(counts))], "the marker moved with its changeset"
        start = max(counts) + 1
    assert len(acked) >= sum(150 + 40 * r for r in range(ROUNDS))
