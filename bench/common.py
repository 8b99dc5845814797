"""What the benchmarks share: a generated dataset in stores of their own, ports, processes."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from graphsvc.settings import PROJECT_ROOT, Settings
from graphsvc.store import OxigraphStore
from graphsvc.store.loading import load_ontology_and_seeds

__all__ = ["BIN", "free_port", "log", "prepare_stores", "run", "stopping"]

BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run(command: Sequence[str | Path]) -> None:
    subprocess.run([str(c) for c in command], check=True, stdout=subprocess.DEVNULL)


def prepare_stores(
    workdir: Path, practices: int, seed: int, names: Sequence[str]
) -> tuple[dict[str, Path], int]:
    """(a data directory per name, each with the same ``store``; quads), built once.

    ``graphsvc generate`` writes the dataset, ``graphsvc load --bulk`` loads it with the ontology
    and seeds into the first store, and the others are copies: an embedded store has one owner.
    """
    # the generator's source is in the name: a dataset made by another version is not reused
    generator = hashlib.sha256((PROJECT_ROOT / "graphsvc" / "synthetic.py").read_bytes())
    tag = f"p{practices}-s{seed}-{generator.hexdigest()[:8]}"
    dirs = {name: workdir / f"{name}-{tag}" for name in names}
    done = workdir / f"{tag}-{'+'.join(names)}.json"
    if done.is_file() and all((d / "store").is_dir() for d in dirs.values()):
        return dirs, int(json.loads(done.read_text())["quads"])
    for d in dirs.values():
        shutil.rmtree(d, ignore_errors=True)
    dump = workdir / f"synthetic-{tag}.nq.gz"
    if not dump.is_file():
        log(f"generating {practices} practices (seed {seed})")
        generate: list[str | Path] = [
            "generate",
            "--practices",
            str(practices),
            "--seed",
            str(seed),
            "-o",
            dump,
        ]
        run([BIN / "graphsvc", *generate])
    log("bulk-loading the synthetic dataset, the ontology and the seeds")
    started = time.perf_counter()
    first = dirs[names[0]]
    run([BIN / "graphsvc", "--data-dir", first, "--store", "oxigraph", "load", "--bulk", dump])
    store = OxigraphStore(first / "store")
    settings = Settings()
    load_ontology_and_seeds(store, settings.ontology_dir, settings.seeds_dir)
    quads = len(store)
    store.close()
    log(f"loaded {quads} quads in {time.perf_counter() - started:.1f} s; copying")
    for name in names[1:]:
        shutil.copytree(first / "store", dirs[name] / "store")
    done.write_text(json.dumps({"quads": quads}))
    return dirs, quads


@contextlib.contextmanager
def stopping(process: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    """``process`` until the block ends; then terminated, or killed after 30 s."""
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
