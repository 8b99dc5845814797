"""The bulk loader's swap: its hand-taken lock is RocksDB's own (checked against a real store
held open by another process, since POSIX record locks never conflict within one process).

The other processes open the store with pyoxigraph itself, which is what takes RocksDB's lock
(and starts in 0.03 s where importing graphsvc.store takes 0.3 s)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graphsvc.store import OxigraphStore
from graphsvc.store.bulk import _locked

HOLD = """
import sys, time
import pyoxigraph
store = pyoxigraph.Store(sys.argv[1])
print("open", flush=True)
time.sleep(60)
"""


def test_the_swap_lock_is_the_one_rocksdb_takes(tmp_path: Path) -> None:
    path = tmp_path / "store"
    OxigraphStore(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with _locked(path / "LOCK") as held:
            assert held is False  # another process has the store open
    finally:
        holder.kill()
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()
    with _locked(path / "LOCK") as held:
        assert held is True
        opener = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, pyoxigraph; pyoxigraph.Store(sys.argv[1])",
                str(path),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    assert opener.returncode != 0 and "lock" in opener.stderr.lower()  # and RocksDB sees ours
