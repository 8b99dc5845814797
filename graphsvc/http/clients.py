"""Who is asking: the client address of a request, and the key its limits are counted under.

The direct peer of the connection is the client unless it is one of the reverse proxies named
in ``GRAPHSVC_TRUSTED_PROXIES`` (addresses or CIDR blocks; none by default). Only then is the
forwarding header read (``X-Forwarded-For`` by default, or RFC 7239 ``Forwarded`` with
``GRAPHSVC_FORWARDED_HEADER=forwarded``), from the right: each trusted proxy appends the address
it received the request from, so the right-most entry that is not itself a trusted proxy is the
last address no one here can be fooled about. Entries left of it were written by the client and
are ignored, so a client cannot pick its own identity by rotating the header. Read exactly the
one header your proxy writes: a header it passes through untouched is the client's to forge.

Limits are counted per address, except that an IPv6 client is counted per /64: one host
usually holds a whole /64 and could otherwise rotate through it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from starlette.types import Scope

from graphsvc.errors import ConfigurationError
from graphsvc.settings import Settings

__all__ = [
    "FORWARDED_HEADERS",
    "ClientIdentity",
    "client_identity",
    "client_key",
    "limit_key",
]

FORWARDED_HEADERS = ("x-forwarded-for", "forwarded")
"""The forwarding headers a trusted proxy may be read from (``GRAPHSVC_FORWARDED_HEADER``)."""

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_UNKNOWN = "unknown"
_VERDICTS_KEPT = 4096


def _parse_address(text: str) -> _Address | None:
    """An address as a forwarding header spells it (``[v6]:port``, ``v4:port`` or bare), or None."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _forwarded_for(value: str) -> list[str]:
    """The ``for=`` values of an RFC 7239 ``Forwarded`` header, in order."""
    found = []
    for element in value.split(","):
        for pair in element.split(";"):
            name, _, token = pair.partition("=")
            if name.strip().lower() == "for":
                found.append(token.strip())
    return found


class ClientIdentity:
    """The client address of a request, given the trusted proxies and the header they write."""

    def __init__(self, proxies: Iterable[str] = (), header: str = "x-forwarded-for") -> None:
        self.header = header.strip().lower()
        if self.header not in FORWARDED_HEADERS:
            raise ConfigurationError(
                "GRAPHSVC_FORWARDED_HEADER",
                f"{header!r} is not one of {', '.join(FORWARDED_HEADERS)}",
            )
        self._header_bytes = self.header.encode()
        networks: list[_Network] = []
        for entry in proxies:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                raise ConfigurationError(
                    "GRAPHSVC_TRUSTED_PROXIES",
                    f"{entry!r} is not an IP address or a CIDR block such as 10.0.0.0/8",
                ) from None
        self.networks = tuple(networks)
        self._verdicts: dict[str, bool] = {}

    @property
    def trusts_proxies(self) -> bool:
        return bool(self.networks)

    def _trusted(self, address: _Address) -> bool:
        return any(address.version == n.version and address in n for n in self.networks)

    def _peer_trusted(self, peer: str) -> bool:
        verdict = self._verdicts.get(peer)
        if verdict is None:
            address = _parse_address(peer)
            verdict = address is not None and self._trusted(address)
            if len(self._verdicts) >= _VERDICTS_KEPT:
                self._verdicts.clear()
            self._verdicts[peer] = verdict
        return verdict

    def address(self, scope: Scope) -> str:
        """The client address of the request in ``scope`` (``"unknown"`` without a peer)."""
        client = scope.get("client")
        peer: str = client[0] if client else _UNKNOWN
        if not self.networks or not self._peer_trusted(peer):
            return peer
        values = [
            value.decode("latin-1")
            for name, value in scope["headers"]
            if name == self._header_bytes
        ]
        if not values:
            return peer
        joined = ",".join(values)
        entries = _forwarded_for(joined) if self.header == "forwarded" else joined.split(",")
        client_address = peer
        for entry in reversed(entries):
            address = _parse_address(entry)
            if address is None:
                break  # a trusted proxy wrote something unusable: go no further left
            client_address = str(address)
            if not self._trusted(address):
                break
        return client_address

    def key(self, scope: Scope) -> str:
        """The key the request's limits are counted under (see :func:`limit_key`)."""
        if not self.networks:  # the usual case, on every request: keep it short
            client = scope.get("client")
            peer: str = client[0] if client else _UNKNOWN
            return peer if ":" not in peer else limit_key(peer)
        return limit_key(self.address(scope))


def limit_key(address: str) -> str:
    """``address`` itself for IPv4; its /64 block for IPv6 (one host usually holds a /64)."""
    if ":" not in address:
        return address
    try:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    except ValueError:
        return address


@lru_cache(maxsize=8)
def _identity(proxies: tuple[str, ...], header: str) -> ClientIdentity:
    return ClientIdentity(proxies, header)


def client_identity(settings: Settings) -> ClientIdentity:
    """The :class:`ClientIdentity` of ``settings`` (one per distinct configuration)."""
    return _identity(settings.trusted_proxies, settings.forwarded_header)


def client_key(scope: Scope, settings: Settings) -> str:
    """The key the request in ``scope`` is counted under, for ``settings``' trusted proxies."""
    return client_identity(settings).key(scope)
