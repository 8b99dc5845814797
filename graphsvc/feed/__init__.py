"""The change feed: every committed write has a revision number, and every worker follows them.

``changes`` reads and writes the revision log in the store, ``hub`` hands changes to the
subscribers of one process, ``follow`` keeps a worker's derived state and subscribers up to date
with writes made by other workers, ``atom`` and ``ical`` render the public feeds, ``routes``
serves them.

It may import ``edit`` (the PROV change records it numbers), ``model``, ``store`` and the bottom
modules. What it needs of the running service is the protocol ``follow.Followed``.
"""

from __future__ import annotations

from graphsvc.feed.changes import ChangeFilter, FeedChange
from graphsvc.feed.follow import ChangeFeed

__all__ = ["ChangeFeed", "ChangeFilter", "FeedChange"]
