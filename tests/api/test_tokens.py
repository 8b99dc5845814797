"""``graphsvc tokens create | revoke | list`` against a running server: a created token works at
once, a revoked one stops working at its next request, and the token file never holds a usable
credential. The installed command runs as a real process once (its standard output holds the
token alone, for ``TOKEN=$(…)``); the other cases run ``graphsvc.cli.main`` in this process."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli.processes import copy_data_dir, run_here, seed_store

from graphsvc.edit.auth import TokenRegistry

from .gql import BA, KEHA, local_api
from .test_mutations import CREATE, DELETE, practice_input

GRAPHSVC = Path(sys.executable).parent / "graphsvc"


def tokens(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    return subprocess.run(
        [str(GRAPHSVC), "--data-dir", str(data_dir), "tokens", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def tokens_here(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """What :func:`tokens` does, by ``graphsvc.cli.main`` in this process."""
    return run_here("tokens", *args, data_dir=data_dir)


def created(data_dir: Path, *args: str, installed: bool = False) -> str:
    """A token made by ``graphsvc tokens create ARGS`` (the installed command if ``installed``)."""
    result = (tokens if installed else tokens_here)(data_dir, "create", *args)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("gsk_")
    assert "\n" not in token  # only the token on stdout, so TOKEN=$(…) works
    assert "cannot be shown again" in result.stderr
    return token


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory whose store holds the ontology and seeds (member tokens name a PES), for
    the tests to copy."""
    return seed_store(tmp_path_factory.mktemp("tokens") / "data")


def token_id(token: str) -> str:
    return token.removeprefix("gsk_").split("_", 1)[0]


def mutate(client: Any, token: str, query: str, variables: dict[str, Any]) -> str:
    response = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    (result,) = response.json()["data"].values()
    kind: str = result["__typename"]
    return kind


def test_tokens_made_by_the_cli_work_on_a_running_server_until_revoked(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    admin = created(data_dir, "--role", "admin", "--name", "Operations", installed=True)
    # on disk: the command checks a member token's PES in the store the service holds
    with local_api(data_dir, store="oxigraph") as api:
        client = api.client
        assert mutate(client, admin, CREATE, {"input": practice_input("CLI one", BA)}) == (
            "PracticeCreated"
        )
        # a token created while the server runs works without a restart
        member = created(data_dir, "--role", "member", "--pes", BA, "--name", "BA editor")
        assert mutate(client, member, DELETE, {"id": "practice/cli-one"}) == "PracticeDeleted"
        assert mutate(client, member, DELETE, {"id": "practice/ohjaamo"}) == "NotAuthorised"

        listing = tokens_here(data_dir, "list")
        assert listing.returncode == 0
        assert token_id(admin) in listing.stdout
        assert token_id(member) in listing.stdout
        assert f"BA editor / {BA}" in listing.stdout
        assert admin not in listing.stdout
        assert member not in listing.stdout

        revoked = tokens_here(data_dir, "revoke", token_id(member))
        assert revoked.returncode == 0, revoked.stderr
        assert f"revoked token {token_id(member)}" in revoked.stdout
        before = api.snapshot()
        variables = {"input": practice_input("CLI two", BA)}
        response = client.post(
            "/graphql",
            json={"query": CREATE, "variables": variables},
            headers={"Authorization": f"Bearer {member}"},
        )
        assert response.status_code == 401, response.text
        assert 'error="invalid_token"' in response.headers["www-authenticate"]
        (error,) = response.json()["errors"]
        assert f"The API token {token_id(member)} was revoked" in error["message"]
        assert api.snapshot() == before
        # the admin token is untouched, and revoking twice is harmless
        assert mutate(client, admin, CREATE, variables) == "PracticeCreated"
        assert tokens_here(data_dir, "revoke", token_id(member)).returncode == 0
        listed = [
            line
            for line in tokens_here(data_dir, "list").stdout.splitlines()
            if token_id(member) in line
        ]
        assert len(listed) == 1
        assert listed[0].split()[3] != "-"  # the revocation time


def test_the_token_file_keeps_only_digests(tmp_path: Path, seeded: Path) -> None:
    data_dir = copy_data_dir(seeded, tmp_path / "data")
    token = created(data_dir, "--role", "member", "--pes", KEHA, "--name", "Keha")
    path = data_dir / "tokens.json"
    text = path.read_text()
    assert token not in text
    assert token.split("_", 2)[2] not in text  # not even the secret part
    (record,) = json.loads(text)["tokens"]
    assert record["id"] == token_id(token)
    assert record["role"] == "member"
    assert record["pes"] == KEHA
    assert record["revoked"] is None
    assert len(record["digest"]) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # the registry accepts the token and nothing else that looks like it
    registry = TokenRegistry(path)
    assert registry.authenticate(f"Bearer {token}").token is not None
    assert registry.authenticate(f"bearer {token}").token is not None
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert registry.authenticate(f"Bearer {forged}").problem == "The API token is not valid."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--role", "member", "--name", "x"], "--pes"),
        (["create", "--role", "admin", "--pes", BA, "--name", "x"], "admin token edits every PES"),
        (["create", "--role", "member", "--pes", "deu-ba", "--name", "x"], "not a valid IRI"),
        (["create", "--role", "member", "--pes", BA, "--name", "  "], "name"),
        (
            ["create", "--role", "admin", "--name", "n" * 201],
            "201 characters long; the limit is 200",
        ),
        (["create", "--role", "owner", "--name", "x"], "invalid choice"),
        (["revoke", "0123456789ab"], "not found: token 0123456789ab"),
    ],
)
def test_bad_token_commands_fail_cleanly(tmp_path: Path, args: list[str], message: str) -> None:
    result = tokens_here(tmp_path, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "tokens.json").exists()


def test_list_without_tokens(tmp_path: Path) -> None:
    result = tokens_here(tmp_path, "list")
    assert result.returncode == 0
    assert result.stdout.strip() == "no tokens"


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (None, None),
        ("", None),
        ("Basic dXNlcjpwYXNz", "The Authorization header must be 'Bearer <token>'."),
        ("Bearer", "The Authorization header must be 'Bearer <token>'."),
        ("Bearer not-a-token", "The API token is not valid."),
        ("Bearer gsk_nosuchid_secret", "The API token is not valid."),
    ],
)
def test_authorization_headers(tmp_path: Path, header: str | None, problem: str | None) -> None:
    registry = TokenRegistry(tmp_path / "tokens.json")
    registry.create("admin", "someone")
    principal = registry.authenticate(header)
    assert principal.token is None
    assert principal.problem == problem
    assert not principal.may_edit_for(BA)


def test_roles_decide_what_a_principal_may_edit(tmp_path: Path) -> None:
    registry = TokenRegistry(tmp_path / "tokens.json")
    _, member = registry.create("member", "m", BA)
    _, admin = registry.create("admin", "a")
    as_member = registry.authenticate(f"Bearer {member}")
    as_admin = registry.authenticate(f"Bearer {admin}")
    assert as_member.may_edit_for(BA)
    assert not as_member.may_edit_for(KEHA)
    assert not as_member.may_edit_for(None)
    assert as_admin.may_edit_for(KEHA)
    assert as_admin.may_edit_for(None)
    assert as_admin.is_admin and not as_member.is_admin
