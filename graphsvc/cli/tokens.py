"""``graphsvc tokens create | revoke | list``: API tokens for the GraphQL mutations.

The token is printed once, on standard output (details go to standard error), so that
``TOKEN=$(graphsvc tokens create …)`` works; only its SHA-256 digest is kept.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from graphsvc.cli.common import Subparsers, open_cli_store, settings_from_args
from graphsvc.errors import InputError, StoreError

if TYPE_CHECKING:
    from graphsvc.edit.auth import TokenRegistry

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    tokens = subparsers.add_parser("tokens", help="create, revoke and list API tokens")
    actions = tokens.add_subparsers(dest="action", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="create a token and print it once")
    create.add_argument("--role", choices=("member", "admin"), required=True)
    create.add_argument("--pes", metavar="IRI", help="the PES a member token edits for")
    create.add_argument("--name", required=True, help="who holds the token (shown in history)")
    create.set_defaults(func=create_command)

    revoke = actions.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id", metavar="ID")
    revoke.set_defaults(func=revoke_command)

    listing = actions.add_parser("list", help="list tokens (never the tokens themselves)")
    listing.set_defaults(func=list_command)


def _registry(args: argparse.Namespace) -> TokenRegistry:
    from graphsvc.edit.auth import TokenRegistry, tokens_path

    return TokenRegistry(tokens_path(settings_from_args(args)))


def create_command(args: argparse.Namespace) -> int:
    registry = _registry(args)
    if args.role == "member" and args.pes:
        _require_pes(args, args.pes)
    try:
        record, token = registry.create(args.role, args.name, args.pes)
    except OSError as exc:
        raise StoreError(
            f"cannot write the token file {registry.path}: {exc.strerror or exc}"
        ) from None
    scope = f"member of {record.pes}" if record.pes else "admin"
    print(f"created token {record.id} ({scope}) in {registry.path}", file=sys.stderr)
    print("store it now: it cannot be shown again", file=sys.stderr)
    print(token)
    return 0


def _require_pes(args: argparse.Namespace, iri: str) -> None:
    """Refuse a member token for a PES the store does not know: it could never edit anything.

    Reads the store without its lock, so it works beside a running service."""
    from pyoxigraph import NamedNode, QueryBoolean

    from graphsvc.vocab import PES

    try:
        node = NamedNode(iri)
    except ValueError:
        raise InputError(f"pes: {iri!r} is not a valid IRI") from None
    with open_cli_store(args, read_only=True) as store:
        known = store.query(f"ASK {{ GRAPH ?g {{ {node} a <{PES.PublicEmploymentService}> }} }}")
    if not (isinstance(known, QueryBoolean) and bool(known)):
        raise InputError(
            f"pes: no public employment service {iri} in the store; a member token must name"
            " a PES the store holds"
        )


def revoke_command(args: argparse.Namespace) -> int:
    try:
        record = _registry(args).revoke(args.id)
    except OSError as exc:
        raise StoreError(f"cannot write the token file: {exc.strerror or exc}") from None
    print(f"revoked token {record.id} ({record.name}) at {record.revoked}")
    return 0


def list_command(args: argparse.Namespace) -> int:
    records = _registry(args).records()
    if not records:
        print("no tokens")
        return 0
    print(f"{'id':<12}  {'role':<6}  {'created':<25}  {'revoked':<25}  name / PES")
    for r in records:
        print(
            f"{r.id:<12}  {r.role:<6}  {r.created:<25}  {r.revoked or '-':<25}  "
            f"{r.name}{' / ' + r.pes if r.pes else ''}"
        )
    return 0
