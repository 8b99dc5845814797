"""``graphsvc tokens create | revoke | list``: API tokens for the GraphQL mutations.

The token is printed once, on standard output (details go to standard error), so that
``TOKEN=$(graphsvc tokens create …)`` works; only its SHA-256 digest is kept.
"""

from __future__ import annotations

import argparse
import sys

from graphsvc.cli.common import Subparsers, settings_from_args
from graphsvc.edit.auth import TokenRegistry, tokens_path

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
    return TokenRegistry(tokens_path(settings_from_args(args)))


def create_command(args: argparse.Namespace) -> int:
    registry = _registry(args)
    record, token = registry.create(args.role, args.name, args.pes)
    scope = f"member of {record.pes}" if record.pes else "admin"
    print(f"created token {record.id} ({scope}) in {registry.path}", file=sys.stderr)
    print("store it now: it cannot be shown again", file=sys.stderr)
    print(token)
    return 0


def revoke_command(args: argparse.Namespace) -> int:
    record = _registry(args).revoke(args.id)
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
