"""Clean SHACL verdicts, remembered by the digest of everything that decided them.

Validating the ontology and seeds takes a noticeable time (about 0.15 s with the pre-screen,
seconds whenever a shape needs pySHACL on everything), and every fresh store pays it: each new
data directory, each worker cluster, each test. Validation is a pure function of its inputs,
so a clean verdict is recorded under the SHA-256 of all of them:

* the bytes of every file validated, with the graph each goes to;
* the bytes of the ontology modules and shapes that the validator reads;
* the source of the modules that validate (this one, ``validation``, ``shape_reads``,
  ``overlay``, ``prescreen``, ``loading``, ``ontology_modules``) and pySHACL's version (read
  from its metadata: the key is made without importing it).

Changing any byte of any of them gives another digest, which validates again. Only a clean
verdict is kept: data in violation always meets pySHACL, so its report is always current.
A marker is an empty file named by the digest in ``<cache dir>/verdicts/``, written by a rename
(two processes validating the same files at once both write the same name). A cache directory
that cannot be written only costs the time: the verdict is not kept.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from pyoxigraph import NamedNode

__all__ = ["Verdicts", "default_cache_dir"]

_VALIDATING_MODULES = (
    "verdicts.py",
    "validation.py",
    "shape_reads.py",
    "overlay.py",
    "prescreen.py",
    "loading.py",
    "ontology_modules.py",
)


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/graphsvc``, or ``~/.cache/graphsvc``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "graphsvc"


@functools.cache
def _validator_digest() -> bytes:
    """The validator's part of every key, read once per process (its files do not change under it)."""
    from graphsvc.store.ontology_modules import SHAPES_FILE, ontology_dir, ontology_files

    digest = hashlib.sha256(f"pyshacl {version('pyshacl')}\n".encode())
    here = Path(__file__).resolve().parent
    for path in (
        *(here / name for name in _VALIDATING_MODULES),
        *ontology_files(),
        ontology_dir() / SHAPES_FILE,
    ):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


@dataclass(frozen=True, slots=True)
class Verdicts:
    """The clean verdicts kept in ``directory`` (see the module docstring)."""

    directory: Path

    @classmethod
    def at(cls, cache_dir: Path | None) -> Verdicts:
        """The verdicts of ``cache_dir`` (``GRAPHSVC_CACHE_DIR``), by default :func:`default_cache_dir`."""
        return cls(cache_dir if cache_dir is not None else default_cache_dir())

    def key(self, targets: Sequence[tuple[Path, NamedNode | None]]) -> str | None:
        """The digest of validating ``targets`` together; None when a file cannot be read
        (parsing will say so)."""
        digest = hashlib.sha256(_validator_digest())
        for path, graph in targets:
            try:
                content = path.read_bytes()
            except OSError:
                return None
            name = graph.value if graph is not None else ""
            digest.update(f"{path.name}\0{name}\0{len(content)}\0".encode() + content)
        return digest.hexdigest()

    def is_clean(self, key: str) -> bool:
        return (self.directory / "verdicts" / key).is_file()

    def record_clean(self, key: str) -> None:
        folder = self.directory / "verdicts"
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".clean-")
            os.close(handle)
            os.replace(temporary, folder / key)
