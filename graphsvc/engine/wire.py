"""Messages between the service and its query workers: length-prefixed pickles over a socket.

Both ends are this package's own code, started by the service itself, so pickle is safe here.
Every request and reply is a tuple whose first item names it:

=========================================  =================================================
service → worker                           worker → service
=========================================  =================================================
``("init", prefixes, stack_mib)``          ``("ready", network_isolated)``
``("open", snapshot)``                     ``("opened", generation)``
``("query", snapshot, text, graphs…)``     ``("ok", body, media_type, kind, count, truncated)``,
                                           ``("syntax", reason, line, column)``,
                                           ``("timeout", seconds)`` or ``("error", message)``
=========================================  =================================================
"""

from __future__ import annotations

import pickle
import socket
import struct
from dataclasses import dataclass
from typing import Any

__all__ = ["HEADER", "Snapshot", "pack", "read_message", "unpack", "write_message"]

HEADER = struct.Struct("!I")
"""The length of the pickle that follows, before each message."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A read-only copy of the store at one write generation: a RocksDB checkpoint directory
    (``kind="rocksdb"``) or an N-Quads file (``kind="nquads"``, for in-memory stores)."""

    path: str
    kind: str
    generation: int


def pack(message: tuple[Any, ...]) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def unpack(body: bytes) -> tuple[Any, ...]:
    """The message whose pickle is ``body`` (what follows its header)."""
    message: tuple[Any, ...] = pickle.loads(body)
    return message


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_message(sock: socket.socket) -> tuple[Any, ...] | None:
    """The next message from a blocking socket, or ``None`` once the other end has closed."""
    header = _read_exactly(sock, HEADER.size)
    if header is None:
        return None
    body = _read_exactly(sock, HEADER.unpack(header)[0])
    return None if body is None else unpack(body)


def write_message(sock: socket.socket, message: tuple[Any, ...]) -> None:
    sock.sendall(pack(message))
