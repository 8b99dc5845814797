"""An iCalendar (RFC 5545) feed of events, from the read model.

Each event with a start becomes a ``VEVENT`` whose ``UID`` is its IRI. A start given as a date
makes an all-day event (``DTEND`` is exclusive: the day after the last); a start known only to
the month or the year spans all of it; a date and time with a zone is written in UTC, one without a zone as floating local time. Text is escaped and lines
are folded at 75 octets, as the RFC requires.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from graphsvc.model.records import Event, pick_label

__all__ = ["ICAL_MEDIA_TYPE", "render_ical"]

ICAL_MEDIA_TYPE = "text/calendar"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> list[str]:
    """Split ``line`` into pieces of at most 75 octets, never inside a UTF-8 sequence."""
    out: list[str] = []
    current, size = "", 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return out


def _when(value: str, end: bool) -> str | None:
    """``;VALUE=DATE:20240504`` or ``:20240504T100000Z``, or None when ``value`` is no date."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + timedelta(days=1 if end else 0)
            return f";VALUE=DATE:{day:%Y%m%d}"
        if len(value) in (4, 7):  # a year or a month: all of it
            year, month = int(value[:4]), int(value[5:7] or 0) if len(value) == 7 else 0
            if not end:
                return f";VALUE=DATE:{date(year, month or 1, 1):%Y%m%d}"
            after = date(year + 1, 1, 1) if month in (0, 12) else date(year, month + 1, 1)
            return f";VALUE=DATE:{after:%Y%m%d}"
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return f":{moment:%Y%m%dT%H%M%S}"
    return f":{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _event_lines(event: Event, stamp: str) -> list[str]:
    start = _when(event.start or "", end=False)
    if start is None:
        return []
    lines = ["BEGIN:VEVENT", f"UID:{event.iri}", f"DTSTAMP:{stamp}", f"DTSTART{start}"]
    end = _when(event.end or event.start or "", end=True)
    if end is not None and (event.end or ";VALUE=DATE" in start):
        lines.append(f"DTEND{end}")
    lines.append(f"SUMMARY:{_escape(pick_label(event.name, fallback=event.iri))}")
    description = pick_label(event.description)
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    if event.location:
        lines.append(f"LOCATION:{_escape(event.location)}")
    lines.append(f"URL:{event.iri}")
    lines.append("END:VEVENT")
    return lines


def render_ical(events: Iterable[Event], *, name: str, now: datetime | None = None) -> bytes:
    """A ``VCALENDAR`` of ``events`` (those without a start are left out)."""
    stamp = f"{(now or datetime.now(UTC)).astimezone(UTC):%Y%m%dT%H%M%SZ}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//graphsvc//events//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for event in sorted(events, key=lambda e: (e.start or "", e.iri)):
        lines.extend(_event_lines(event, stamp))
    lines.append("END:VCALENDAR")
    return "".join(piece + "\r\n" for line in lines for piece in _fold(line)).encode()
