"""Following feeds: ``storyline watch SOURCES --store DB`` and ``storyline sources DB``.

:class:`Watcher` polls RSS/Atom feeds and news sitemaps with a polite client
(:mod:`storyline.watch.client`), stores each new item's article as ``storyline
ingest`` does, keeps its state in the store (:mod:`storyline.watch.state`) and
announces what changed in the stories (:mod:`storyline.watch.events`).
"""

from storyline.watch.client import ClientConfig, FetchError, PoliteClient
from storyline.watch.events import FileSink, WebhookSink, sign
from storyline.watch.sources import canonical_url, parse_feed, read_sources
from storyline.watch.state import WatchState
from storyline.watch.watcher import CycleReport, WatchConfig, Watcher

__all__ = [
    "ClientConfig",
    "CycleReport",
    "FetchError",
    "FileSink",
    "PoliteClient",
    "WatchConfig",
    "WatchState",
    "Watcher",
    "WebhookSink",
    "canonical_url",
    "parse_feed",
    "read_sources",
    "sign",
]
