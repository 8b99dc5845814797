"""``python -m graphsvc.cli``: the same as the ``graphsvc`` command."""

from __future__ import annotations

import sys

from graphsvc.cli import main

__all__: list[str] = []

sys.exit(main())
