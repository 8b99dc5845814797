"""Configuration, read once from ``GRAPHSVC_*`` environment variables.

Tests and embedders build :class:`Settings` directly; the CLI overrides fields from its flags.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Literal, get_args

from graphsvc.errors import ConfigurationError

__all__ = ["PROJECT_ROOT", "Settings", "StoreKind"]

StoreKind = Literal["oxigraph", "memory", "sparql"]
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob of the service. Field ``x`` is read from ``GRAPHSVC_X``."""

    data_dir: Path = Path("data")
    store: StoreKind = "oxigraph"
    sparql_query_url: str = ""
    sparql_update_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    ontology_dir: Path = PROJECT_ROOT / "ontology"
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    load_seeds: bool = True
    cache_dir: Path | None = None  # clean validation verdicts; None: $XDG_CACHE_HOME/graphsvc
    debug: bool = False
    access_log: bool = True  # one JSON line per request on stderr (graphsvc.access logger)
    cors_origins: tuple[str, ...] = ()
    introspection: bool = True
    graphiql: bool = True
    tokens_file: Path | None = None
    request_timeout: float = 10.0
    max_query_depth: int = 12
    max_query_aliases: int = 30
    max_query_tokens: int = 2_000
    max_query_cost: int = 20_000
    max_field_repeats: int = 20
    max_variables_depth: int = 16
    max_title_length: int = 300
    max_abstract_length: int = 10_000
    max_name_length: int = 200
    max_url_length: int = 2_048
    max_input_items: int = 100
    default_page_size: int = 20
    rate_per_address: float = 30.0
    burst_per_address: int = 120
    rate_per_token: float = 60.0
    burst_per_token: int = 240
    trusted_proxies: tuple[str, ...] = ()
    forwarded_header: str = "x-forwarded-for"
    web_rate_per_address: float = 50.0
    web_burst_per_address: int = 200
    web_concurrency_per_address: int = 8
    max_tracked_clients: int = 100_000
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    document_cache_size: int = 1_000
    persisted_query_cache_size: int = 10_000
    result_cache_size: int = 1_000
    result_cache_bytes: int = 64 * 1024 * 1024
    max_cached_query_length: int = 65_536
    sparql_timeout: float = 10.0
    sparql_max_rows: int = 10_000
    sparql_workers: int = 4
    sparql_cache_bytes: int = 64 * 1024 * 1024
    sparql_max_nesting: int = 64
    sparql_max_tokens: int = 10_000
    sparql_worker_stack_mib: int = 256
    sparql_workers_per_client: int = 0  # 0: half the workers (at least one)
    workers: int = 1
    feed_poll_interval: float = 0.2
    public_url: str = ""
    dataset_license: str = "https://creativecommons.org/licenses/by/4.0/"
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``GRAPHSVC_*`` variables; unknown ones are kept in ``extra``."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        known = {f.name for f in fields(cls)} - {"extra"}
        extra: dict[str, str] = {}
        for key, raw in env.items():
            if not key.startswith("GRAPHSVC_"):
                continue
            name = key.removeprefix("GRAPHSVC_").lower()
            if name in known:
                values[name] = _coerce(cls, name, raw, key)
            else:
                extra[name] = raw
        return cls(**values, extra=extra)  # type: ignore[arg-type]

    def with_overrides(self, **changes: object) -> Settings:
        """Copy with the given fields changed; ``None`` values are ignored (unset CLI flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]

    def validate(self) -> Settings:
        if self.store not in get_args(StoreKind):
            raise ConfigurationError(
                "GRAPHSVC_STORE", f"{self.store!r} is not one of {get_args(StoreKind)}"
            )
        if self.store == "sparql" and not (self.sparql_query_url and self.sparql_update_url):
            raise ConfigurationError(
                "GRAPHSVC_SPARQL_QUERY_URL",
                "the sparql store needs GRAPHSVC_SPARQL_QUERY_URL and GRAPHSVC_SPARQL_UPDATE_URL",
            )
        if not 0 < self.port < 65536:
            raise ConfigurationError("GRAPHSVC_PORT", f"{self.port} is not a TCP port")
        for f in fields(self):
            value = getattr(self, f.name)
            # limits, sizes, rates and timeouts: a negative or NaN value is always a mistake
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and not (math.isfinite(value) and value >= 0):
                raise ConfigurationError(
                    f"GRAPHSVC_{f.name.upper()}", f"{value} is not a non-negative number"
                )
        return self


def _coerce(cls: type[Settings], name: str, raw: str, key: str) -> object:
    default = next(f.default for f in fields(cls) if f.name == name)
    annotation = next(str(f.type) for f in fields(cls) if f.name == name)
    try:
        if annotation == "bool":
            lowered = raw.strip().lower()
            if lowered not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
                raise ValueError("expected true or false")
            return lowered in {"1", "true", "yes", "on"}
        if annotation == "int":
            return int(raw)
        if annotation == "float":
            return float(raw)
        if annotation.startswith("tuple"):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if "Path" in annotation:
            return Path(raw) if raw else None if default is None else Path(raw)
    except ValueError as exc:
        raise ConfigurationError(key, f"{raw!r} is not valid: {exc}") from None
    return raw
