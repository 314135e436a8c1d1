"""The embedded store (SQLite in WAL mode) and incremental story assignment.

``Store(path)`` opens or creates a store; ``Assigner(store).assign(articles)``
adds articles idempotently and returns each one's story id.
"""

from storyline.store.assign import AssignConfig, Assigner, Assignment, Candidate, assign
from storyline.store.db import InsertResult, Store, StoreError, parse_ts

__all__ = [
    "AssignConfig",
    "Assigner",
    "Assignment",
    "Candidate",
    "InsertResult",
    "Store",
    "StoreError",
    "assign",
    "parse_ts",
]
