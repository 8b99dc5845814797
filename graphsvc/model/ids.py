"""Relay global IDs: one-to-one with IRIs.

A global ID is the unpadded base64url encoding of ``"<Type>:<IRI>"``, e.g. ``Practice:https://…``;
it decodes back to both. Arguments that name an entity (filters, ``node``) also accept the plain IRI.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from graphsvc.errors import InputError
from graphsvc.model import records as rec

__all__ = [
    "COLLECTIONS",
    "TYPE_NAMES",
    "InvalidIdError",
    "global_id",
    "iri_of",
    "parse_global_id",
]

TYPE_NAMES: Mapping[type, str] = {
    rec.Practice: "Practice",
    rec.Pes: "Pes",
    rec.Network: "Network",
    rec.Membership: "Membership",
    rec.Region: "Region",
    rec.Country: "Country",
    rec.Theme: "Theme",
    rec.TargetGroup: "TargetGroup",
    rec.EventType: "EventType",
    rec.Event: "Event",
    rec.Project: "Project",
    rec.ProjectPhase: "ProjectPhase",
    rec.ProjectStep: "ProjectStep",
    rec.Achievement: "Achievement",
    rec.Activity: "Activity",
}
"""The GraphQL type of each record class."""

COLLECTIONS: Mapping[str, str] = {
    "Practice": "practices",
    "Pes": "pes",
    "Network": "networks",
    "Membership": "memberships",
    "Region": "regions",
    "Country": "countries",
    "Theme": "themes",
    "TargetGroup": "target_groups",
    "EventType": "event_types",
    "Event": "events",
    "Project": "projects",
    "ProjectPhase": "project_phases",
    "ProjectStep": "project_steps",
    "Achievement": "achievements",
    "Activity": "activities",
    "Role": "roles",
    "ActivityFormat": "activity_formats",
    "WorkProgrammeCluster": "clusters",
    "OtherAgent": "agents",
}
"""The read-model dictionary that holds each GraphQL type (the last four hold plain
``Concept`` and ``Agent`` records, so they are found by collection, not by record class)."""


class InvalidIdError(InputError):
    """An ``ID`` argument is neither a global ID of the expected type nor an IRI."""

    def __init__(self, value: str, expected: str | None = None) -> None:
        kind = f"a {expected} ID or IRI" if expected else "a global ID"
        super().__init__(f"{value!r} is not {kind}")
        self.value = value


def global_id(type_name: str, iri: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{iri}".encode()).rstrip(b"=").decode("ascii")


def parse_global_id(value: str) -> tuple[str, str]:
    """``(type name, IRI)`` of a global ID; raises :class:`InvalidIdError`."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        raise InvalidIdError(value) from None
    type_name, sep, iri = raw.partition(":")
    if not sep or type_name not in COLLECTIONS or ":" not in iri:
        raise InvalidIdError(value)
    return type_name, iri


def _is_iri(value: str) -> bool:
    return value.startswith(("http://", "https://", "urn:"))


def iri_of(value: str, expected: str) -> str:
    """The IRI named by ``value``: a global ID of type ``expected``, or an IRI as it is."""
    if _is_iri(value):
        return value
    try:
        type_name, iri = parse_global_id(value)
    except InvalidIdError:
        raise InvalidIdError(value, expected) from None
    if type_name != expected:
        raise InvalidIdError(value, expected)
    return iri
