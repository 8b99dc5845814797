"""API tokens: who may change what.

A token is ``gsk_<id>_<secret>``: the id is public (it names the token in lists, logs and change
records), the secret is 32 random bytes. Only the SHA-256 digest of the whole token is kept, in a
JSON file (``settings.tokens_file``, default ``<data_dir>/tokens.json``, mode 0600), so the file
never holds a usable credential. Because the secret has 256 bits of entropy a plain SHA-256 is
enough; a slow password hash would only slow every request down.

Two roles: a *member* token edits the practices of its own PES, an *admin* token edits anything.
The file is re-read when it changes on disk, so ``graphsvc tokens revoke`` takes effect on a
running server at its next request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast, get_args

from graphsvc.errors import InputError, NotFoundError, StoreError
from graphsvc.settings import Settings
from graphsvc.vocab import ID

__all__ = [
    "ANONYMOUS",
    "Principal",
    "Role",
    "TokenRecord",
    "TokenRegistry",
    "tokens_path",
]

Role = Literal["member", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
_PREFIX = "gsk_"


def tokens_path(settings: Settings) -> Path:
    return settings.tokens_file or settings.data_dir / "tokens.json"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """What the registry keeps about a token: never the token itself."""

    id: str
    name: str
    role: Role
    pes: str | None
    digest: str
    created: str
    revoked: str | None = None

    @property
    def agent_iri(self) -> str:
        """The PROV agent that stands for this token in change records."""
        return str(ID[f"agent/token-{self.id}"])

    @property
    def active(self) -> bool:
        return self.revoked is None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who sent a request: a valid token, nobody, or a refused token (``problem`` says why;
    ``malformed`` when the ``Authorization`` header holds no bearer token at all)."""

    token: TokenRecord | None = None
    problem: str | None = None
    malformed: bool = False

    @property
    def authenticated(self) -> bool:
        return self.token is not None

    @property
    def is_admin(self) -> bool:
        return self.token is not None and self.token.role == "admin"

    def may_edit_for(self, pes: str | None) -> bool:
        """May this principal change a practice attributed to ``pes``?"""
        if self.token is None:
            return False
        if self.token.role == "admin":
            return True
        return pes is not None and pes == self.token.pes

    def refusal(self) -> str:
        """The message a client sees when this principal may not write at all."""
        if self.problem is not None:
            return self.problem
        return "Sign in: send an API token as 'Authorization: Bearer <token>'."


ANONYMOUS = Principal()


class TokenRegistry:
    """Tokens kept hashed in a JSON file; safe to share between the server's threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._records: dict[str, TokenRecord] = {}
        self._stamp: tuple[int, int] | None = None

    # -- reading ---------------------------------------------------------------------------------

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._records, self._stamp = {}, None
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            records = {item["id"]: TokenRecord(**item) for item in raw.get("tokens", [])}
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise StoreError(f"{self.path}: unreadable token file: {exc}") from exc
        self._records, self._stamp = records, stamp

    def records(self) -> list[TokenRecord]:
        with self._lock:
            self._refresh()
            return sorted(self._records.values(), key=lambda r: (r.created, r.id))

    def authenticate(self, authorization: str | None) -> Principal:
        """The principal behind an ``Authorization`` header value (``None``: anonymous)."""
        if not authorization:
            return ANONYMOUS
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return Principal(
                problem="The Authorization header must be 'Bearer <token>'.", malformed=True
            )
        token_id = _token_id(token)
        with self._lock:
            self._refresh()
            record = self._records.get(token_id) if token_id else None
        if record is None or not hmac.compare_digest(record.digest, _digest(token)):
            return Principal(problem="The API token is not valid.")
        if not record.active:
            return Principal(problem=f"The API token {record.id} was revoked on {record.revoked}.")
        return Principal(token=record)

    # -- writing ---------------------------------------------------------------------------------

    def create(
        self, role: str, name: str, pes: str | None = None, max_name_length: int | None = None
    ) -> tuple[TokenRecord, str]:
        """Make a token; returns its record and the token text, which is shown only now.

        ``max_name_length`` defaults to the default of ``settings.max_name_length``.
        """
        limit = Settings().max_name_length if max_name_length is None else max_name_length
        if role not in ROLES:
            raise InputError(f"role: {role!r} is not one of {', '.join(ROLES)}")
        if not name.strip():
            raise InputError("name: a token needs a name that says who holds it")
        if len(name.strip()) > limit:
            raise InputError(
                f"name: the name is {len(name.strip())} characters long; the limit is {limit}"
            )
        if pes is not None and len(pes) > Settings().max_url_length:
            raise InputError(
                f"pes: the IRI is {len(pes)} characters long; the limit is "
                f"{Settings().max_url_length}"
            )
        if role == "member" and not pes:
            raise InputError("pes: a member token needs the IRI of its PES (--pes)")
        if role == "admin" and pes:
            raise InputError("pes: an admin token edits every PES; do not give --pes")
        if pes is not None and not pes.startswith(("http://", "https://")):
            raise InputError(f"pes: {pes!r} is not an absolute http(s) IRI")
        with self._lock:
            self._refresh()
            token_id = secrets.token_hex(6)
            while token_id in self._records:
                token_id = secrets.token_hex(6)
            token = f"{_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
            record = TokenRecord(
                id=token_id,
                name=name.strip(),
                role=cast(Role, role),
                pes=pes,
                digest=_digest(token),
                created=_now(),
            )
            self._write({**self._records, token_id: record})
        return record, token

    def revoke(self, token_id: str) -> TokenRecord:
        with self._lock:
            self._refresh()
            record = self._records.get(token_id)
            if record is None:
                raise NotFoundError(f"token {token_id}")
            if record.active:
                record = replace(record, revoked=_now())
                self._write({**self._records, token_id: record})
        return record

    def _write(self, records: dict[str, TokenRecord]) -> None:
        """Replace the file atomically, readable only by its owner."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"version": 1, "tokens": [asdict(r) for r in records.values()]}
        fd, tmp = tempfile.mkstemp(prefix=".tokens-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, indent=2)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._records, self._stamp = records, None


def _token_id(token: str) -> str | None:
    if not token.startswith(_PREFIX):
        return None
    token_id, sep, secret = token[len(_PREFIX) :].partition("_")
    return token_id if sep and secret else None
