"""The service side: the HTTP API and the pages for people, over a store.

``create_app(store_path)`` builds the FastAPI app; ``storyline serve --store PATH``
runs it (see docs/service.md).
"""

from __future__ import annotations

from typing import Any


def create_app(store: Any, **kwargs: Any) -> Any:
    """Build the app (imports FastAPI lazily); see :func:`storyline.serve.app.create_app`."""
    from storyline.serve.app import create_app as _create

    return _create(store, **kwargs)


__all__ = ["create_app"]
