"""Helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tqdm import tqdm

from graphsvc.settings import Settings
from graphsvc.store import GraphStore, open_store

__all__ = ["Subparsers", "open_cli_store", "progress_bar", "settings_from_args"]

Subparsers = Any  # argparse's _SubParsersAction is private


def settings_from_args(args: argparse.Namespace) -> Settings:
    data_dir = Path(args.data_dir) if getattr(args, "data_dir", None) else None
    return (
        Settings.from_env()
        .with_overrides(data_dir=data_dir, store=getattr(args, "store", None))
        .validate()
    )


@contextlib.contextmanager
def open_cli_store(args: argparse.Namespace) -> Iterator[GraphStore]:
    store = open_store(settings_from_args(args))
    try:
        yield store
    finally:
        store.close()


@contextlib.contextmanager
def progress_bar(total: int, description: str, unit: str = "file") -> Iterator[tqdm[Any]]:
    """A progress bar on stderr that hides itself when output is not a terminal."""
    with tqdm(total=total, desc=description, unit=unit, leave=False, disable=None) as bar:
        yield bar
