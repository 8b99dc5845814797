"""Settings: read once from GRAPHSVC_* variables, typed, validated with errors naming the variable."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from graphsvc.errors import ConfigurationError
from graphsvc.settings import PROJECT_ROOT, Settings
from graphsvc.store import OxigraphStore, RemoteSparqlStore, open_store


def test_defaults_describe_an_embedded_store_under_data() -> None:
    settings = Settings().validate()
    assert settings.store == "oxigraph"
    assert settings.store_path == Path("data") / "store"
    assert settings.ontology_dir == PROJECT_ROOT / "ontology"
    assert settings.seeds_dir == PROJECT_ROOT / "seeds"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_from_env_ignores_other_variables() -> None:
    assert Settings.from_env({"HOME": "/root", "PORT": "1"}) == Settings()


def test_from_env_reads_every_kind_of_field() -> None:
    settings = Settings.from_env(
        {
            "GRAPHSVC_DATA_DIR": "/srv/graphsvc",
            "GRAPHSVC_STORE": "sparql",
            "GRAPHSVC_SPARQL_QUERY_URL": "http://127.0.0.1:7878/query",
            "GRAPHSVC_SPARQL_UPDATE_URL": "http://127.0.0.1:7878/update",
            "GRAPHSVC_PORT": "9000",
            "GRAPHSVC_LOAD_SEEDS": "no",
            "GRAPHSVC_DEBUG": "On",
            "GRAPHSVC_CORS_ORIGINS": "https://a.example, https://b.example,,",
            "GRAPHSVC_TOKENS_FILE": "/etc/graphsvc/tokens.json",
            "GRAPHSVC_REQUEST_TIMEOUT": "2.5",
        }
    ).validate()
    assert settings.data_dir == Path("/srv/graphsvc")
    assert settings.store_path == Path("/srv/graphsvc/store")
    assert settings.store == "sparql"
    assert settings.port == 9000
    assert settings.load_seeds is False
    assert settings.debug is True
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.tokens_file == Path("/etc/graphsvc/tokens.json")
    assert settings.request_timeout == 2.5


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("YES", True), ("off", False)])
def test_booleans(raw: str, expected: bool) -> None:
    assert Settings.from_env({"GRAPHSVC_GRAPHIQL": raw}).graphiql is expected


def test_an_empty_optional_path_means_none() -> None:
    assert Settings.from_env({"GRAPHSVC_TOKENS_FILE": ""}).tokens_file is None


def test_unknown_variables_are_kept_aside() -> None:
    settings = Settings.from_env({"GRAPHSVC_SOMETHING_NEW": "x"})
    assert settings.extra == {"something_new": "x"}


def test_every_field_can_be_read_from_its_variable() -> None:
    """Each field (other than ``extra``) has a GRAPHSVC_ variable that round-trips its default."""
    defaults = Settings()
    env: dict[str, str] = {}
    for f in fields(Settings):
        value = getattr(defaults, f.name)
        if f.name == "extra" or value is None:
            continue
        if isinstance(value, tuple):
            env[f"GRAPHSVC_{f.name.upper()}"] = ",".join(value)
        elif isinstance(value, bool):
            env[f"GRAPHSVC_{f.name.upper()}"] = "true" if value else "false"
        else:
            env[f"GRAPHSVC_{f.name.upper()}"] = str(value)
    assert Settings.from_env(env) == defaults


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"GRAPHSVC_PORT": "eighty"}, "GRAPHSVC_PORT"),
        ({"GRAPHSVC_DEBUG": "maybe"}, "GRAPHSVC_DEBUG"),
        ({"GRAPHSVC_REQUEST_TIMEOUT": "soon"}, "GRAPHSVC_REQUEST_TIMEOUT"),
        ({"GRAPHSVC_PORT": "0"}, "GRAPHSVC_PORT"),
        ({"GRAPHSVC_PORT": "70000"}, "GRAPHSVC_PORT"),
        ({"GRAPHSVC_STORE": "postgres"}, "GRAPHSVC_STORE"),
        ({"GRAPHSVC_STORE": "sparql"}, "GRAPHSVC_SPARQL_QUERY_URL"),
        ({"GRAPHSVC_REQUEST_TIMEOUT": "-1"}, "GRAPHSVC_REQUEST_TIMEOUT"),
        ({"GRAPHSVC_SPARQL_TIMEOUT": "nan"}, "GRAPHSVC_SPARQL_TIMEOUT"),
        ({"GRAPHSVC_SPARQL_MAX_ROWS": "-5"}, "GRAPHSVC_SPARQL_MAX_ROWS"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        Settings.from_env(env).validate()
    assert info.value.setting == variable
    assert str(info.value).startswith(f"{variable}: ")


def test_with_overrides_ignores_unset_flags() -> None:
    base = Settings(port=9000)
    changed = base.with_overrides(port=None, host="0.0.0.0", data_dir=Path("/tmp/x"))
    assert changed.port == 9000
    assert changed.host == "0.0.0.0"
    assert changed.data_dir == Path("/tmp/x")
    assert base.host == "127.0.0.1"  # settings are immutable


def test_open_store_follows_the_settings(tmp_path: Path) -> None:
    with open_store(Settings(data_dir=tmp_path, store="oxigraph")) as disk:
        assert isinstance(disk, OxigraphStore)
        assert disk.kind == "oxigraph"
    assert (tmp_path / "store").is_dir()
    with open_store(Settings(data_dir=tmp_path, store="memory")) as memory:
        assert memory.kind == "memory"
    remote = open_store(
        Settings(
            store="sparql",
            sparql_query_url="http://127.0.0.1:1/query",
            sparql_update_url="http://127.0.0.1:1/update",
        )
    )
    assert isinstance(remote, RemoteSparqlStore)
    remote.close()
    with pytest.raises(ConfigurationError, match="GRAPHSVC_STORE"):
        open_store(Settings(store="bogus"))  # type: ignore[arg-type]
