"""The ``graphsvc`` command starts cheaply: building its parser (``--help``, ``--version``, every
command's ``--help``) imports none of the libraries that only some commands need, and each command
imports only what it uses: ``stats``, ``export`` and ``tokens`` neither the SHACL validator nor the
numeric libraries of the recommendations nor the web stack; ``validate`` and ``load`` the
validator, but not the rest.

Each case runs in a fresh interpreter (what a module import costs is paid once per process), which
runs the real ``graphsvc.cli.main`` and then reports what it imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from graphsvc.cli.evaluate import PROTOCOLS
from graphsvc.recommend.evaluate import Protocol

from .processes import cli_env, seed_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "load"

NUMERIC = {"numpy", "scipy", "networkx"}
WEB = {"strawberry", "uvicorn", "starlette"}
STORE = {"pyoxigraph", "rdflib", "httpx", "tqdm", "pyshacl"}

# Runs each argument list (a JSON list of lists) through main() in turn, then prints the
# top-level packages and the graphsvc modules that were imported, as JSON, on the last line.
PROBE = """
import json, sys
from graphsvc.cli import main
for argv in json.loads(sys.argv[1]):
    try:
        status = main(argv)
    except SystemExit as exit:  # --help and --version end with it
        status = exit.code
    if status:
        sys.exit(f"graphsvc {argv}: status {status}")
names = {m.split(".")[0] for m in sys.modules} | {m for m in sys.modules if m.startswith("graphsvc")}
print(json.dumps(sorted(names)))
"""


def imported(*argvs: list[str | Path]) -> set[str]:
    """What running ``graphsvc ARGV`` for each of ``argvs``, one after the other in one fresh
    interpreter, imported: its top-level packages and its ``graphsvc`` modules."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps([[str(a) for a in argv] for argv in argvs])],
        capture_output=True,
        text=True,
        timeout=120,
        env=cli_env(),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    names: list[str] = json.loads(result.stdout.splitlines()[-1])
    return set(names)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_store(tmp_path_factory.mktemp("startup") / "data")


COMMANDS = [
    ["serve"],
    ["load"],
    ["validate"],
    ["export"],
    ["stats"],
    ["tokens"],
    ["tokens", "create"],
    ["tokens", "revoke"],
    ["tokens", "list"],
    ["generate"],
    ["evaluate"],
    ["backup"],
    ["restore"],
]


def test_help_version_and_every_commands_help_import_nothing_heavy() -> None:
    helps: list[list[str | Path]] = [[*command, "--help"] for command in COMMANDS]
    # export's --help lists the store's formats, which it reads from the store's own table
    names = imported(["--help"], ["--version"], *[h for h in helps if h[0] != "export"])
    assert not names & (NUMERIC | WEB | STORE), sorted(names & (NUMERIC | WEB | STORE))
    assert not {n for n in names if n.startswith(("graphsvc.store", "graphsvc.recommend"))}
    export_help = imported(["export", "--help"])
    assert not export_help & (NUMERIC | WEB | {"pyshacl", "tqdm"})


def test_reading_commands_import_neither_the_validator_nor_the_numeric_libraries(
    seeded: Path, tmp_path: Path
) -> None:
    names = imported(
        ["--data-dir", seeded, "stats"],
        ["--data-dir", seeded, "export", "-o", tmp_path / "all.nq"],
        ["--data-dir", seeded, "tokens", "list"],
    )
    assert "graphsvc.store.stats" in names  # the commands did run
    assert (tmp_path / "all.nq").stat().st_size > 0
    assert not names & (NUMERIC | WEB | {"pyshacl"}), sorted(names & (NUMERIC | WEB | {"pyshacl"}))


def test_validate_and_load_import_the_validator_but_not_the_numeric_libraries(
    tmp_path: Path,
) -> None:
    names = imported(
        ["validate", FIXTURES / "pes-valid.trig"],
        ["--data-dir", tmp_path / "data", "load", FIXTURES / "pes-valid.trig"],
    )
    assert "pyshacl" in names  # the files were validated
    assert (tmp_path / "data" / "store").is_dir()
    assert not names & (NUMERIC | WEB), sorted(names & (NUMERIC | WEB))


def test_the_protocols_evaluate_offers_are_the_evaluations() -> None:
    """``graphsvc evaluate`` spells the protocols out so that its ``--help`` stays cheap."""
    assert [p.value for p in Protocol] == list(PROTOCOLS)


def test_a_clean_verdicts_key_does_not_import_the_validator(tmp_path: Path) -> None:
    """Seeding files already judged clean (every ``graphsvc serve`` on a fresh store) reads the
    verdict's key, which names the validator's files and version without importing pySHACL."""
    probe = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from graphsvc.settings import Settings\n"
        "from graphsvc.store.loading import ontology_and_seed_targets\n"
        "from graphsvc.store.verdicts import Verdicts\n"
        "settings = Settings()\n"
        "targets = ontology_and_seed_targets(settings.ontology_dir, settings.seeds_dir)\n"
        "key = Verdicts.at(Path(sys.argv[1])).key(targets)\n"
        "print(json.dumps([key, 'pyshacl' in sys.modules, 'rdflib.plugins.sparql' in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=cli_env(),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    key, validator, sparql = json.loads(result.stdout.splitlines()[-1])
    assert isinstance(key, str) and len(key) == 64  # a SHA-256 of the files and the validator
    assert not validator and not sparql
