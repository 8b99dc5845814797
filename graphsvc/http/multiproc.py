"""Multiprocess mode of the metrics, set up before prometheus-client is first imported.

prometheus-client chooses where samples live (memory, or files in ``PROMETHEUS_MULTIPROC_DIR``)
when it is imported, so a parent that starts several workers sets the variable first; this
module does not import it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["MULTIPROC_ENV", "use_multiprocess_metrics"]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def use_multiprocess_metrics(default_dir: Path) -> Path:
    """Point ``PROMETHEUS_MULTIPROC_DIR`` (unless already set) at ``default_dir`` and empty it
    of an earlier run's samples; the workers started afterwards inherit it. Returns the dir."""
    directory = Path(os.environ.get(MULTIPROC_ENV) or default_dir)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(directory)
    return directory
