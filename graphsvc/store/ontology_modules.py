"""Where the validator's ontology lives: the modules and the shapes in ``ontology/``.

Apart from :mod:`graphsvc.store.validation` so that knowing the files does not import pySHACL:
a clean verdict's key (:mod:`graphsvc.store.verdicts`) hashes them in processes that never
validate.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SHAPES_FILE", "ontology_dir", "ontology_files"]

SHAPES_FILE = "shapes.ttl"


def ontology_dir() -> Path:
    """The ``ontology/`` directory: at the repository root, beside the ``graphsvc`` package."""
    path = Path(__file__).resolve().parents[2] / "ontology"
    if not path.is_dir():
        raise FileNotFoundError(f"ontology directory not found: {path}")
    return path


def ontology_files() -> tuple[Path, ...]:
    """The Turtle modules of the ontology (everything in ``ontology/`` but the shapes), sorted."""
    return tuple(p for p in sorted(ontology_dir().glob("*.ttl")) if p.name != SHAPES_FILE)
