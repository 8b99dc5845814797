"""Atom (RFC 4287) feeds of new, changed and deleted practices, from the revision log.

One entry per change: its id is the change record's IRI, ``updated`` its commit time, the link
the practice's IRI (dereferenceable at ``/id/…``), a category per theme, and the change's own
description as summary. The newest change comes first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from graphsvc.edit.provenance import ChangeKind
from graphsvc.feed.changes import FeedChange
from graphsvc.model.readmodel import ReadModel
from graphsvc.model.records import pick_label

__all__ = ["ATOM_MEDIA_TYPE", "render_atom"]

ATOM_MEDIA_TYPE = "application/atom+xml"
_NS = "http://www.w3.org/2005/Atom"
_VERBS = {ChangeKind.CREATE: "New", ChangeKind.UPDATE: "Changed", ChangeKind.DELETE: "Deleted"}


def _stamp(time: datetime) -> str:
    return time.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{_NS}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def render_atom(
    changes: Sequence[FeedChange],
    model: ReadModel,
    *,
    feed_id: str,
    title: str,
    self_url: str,
) -> bytes:
    """The feed of ``changes`` (newest first), titled ``title``, at ``self_url``."""
    ET.register_namespace("", _NS)
    feed = ET.Element(f"{{{_NS}}}feed")
    _add(feed, "id", feed_id)
    _add(feed, "title", title)
    newest = max((c.time for c in changes), default=datetime(2000, 1, 1, tzinfo=UTC))
    _add(feed, "updated", _stamp(newest))
    _add(feed, "link", rel="self", href=self_url, type=ATOM_MEDIA_TYPE)
    author = _add(feed, "author")
    _add(author, "name", "graphsvc")
    _add(feed, "generator", "graphsvc")
    for change in changes:
        entry = _add(feed, "entry")
        _add(entry, "id", change.iri)
        practice = model.practices.get(change.target)
        if practice is not None:
            name = pick_label(practice.title, fallback=change.target)
            _add(entry, "title", f"{_VERBS[change.kind]} practice: {name}")
        else:  # deleted since: its change record names it as it was
            _add(entry, "title", change.description.rstrip(".") or change.target)
        _add(entry, "updated", _stamp(change.time))
        _add(entry, "published", _stamp(change.time))
        _add(entry, "link", rel="alternate", href=change.target)
        for theme in sorted(change.facets.themes):
            record = model.themes.get(theme)
            label = pick_label(record.labels, fallback=theme) if record else theme
            _add(entry, "category", term=theme, label=label)
        _add(entry, "summary", change.description or f"{_VERBS[change.kind]} {change.target}")
        _add(entry, "content", f"revision {change.revision}", type="text")
    data: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return data
