"""``python -m graphsvc.web.make_ontology_docs`` (``make ontology-docs``): generate the ontology's
HTML documentation into ``<data_dir>/ontology-docs/`` ahead of the first request, or ``-o FILE``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from graphsvc.settings import Settings
from graphsvc.web.ontology_docs import (
    cache_dir_of,
    ontology_docs_html,
    ontology_sources,
    sources_hash,
)

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate the ontology's HTML documentation.")
    parser.add_argument("-o", "--output", type=Path, help="also write the HTML to this file")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    body = ontology_docs_html(settings.ontology_dir, cache_dir_of(settings))
    if args.output is not None:
        args.output.write_bytes(body)
    key = sources_hash(ontology_sources(settings.ontology_dir))
    print(f"{cache_dir_of(settings) / key}.html: {len(body):,} bytes")


if __name__ == "__main__":
    main()
