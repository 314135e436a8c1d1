"""How counts read, in every place a reader sees them (the report, the digest, the served pages)."""

from __future__ import annotations

from typing import Any

#: how an article that names no outlet is shown; names starting so are counted as articles, not outlets
UNKNOWN_OUTLET = "outlet unknown"


def count_of(n: Any, one: str, many: str | None = None) -> str:
    """``n`` with the noun in the right number: "1 article", "5 articles", "2 stories"."""
    k = int(n or 0)
    return f"{k} {one if k == 1 else (many or one + 's')}"


def articles_and_outlets(size: int, known: int, unknown: int) -> str:
    """A story's articles and the outlets known for them, never "from 0 outlets": "5 articles from 3
    outlets"; "1 article, outlet unknown"; "4 articles: 3 from 2 outlets, 1 with outlet unknown"."""
    total = count_of(size, "article")
    if known == 0:
        return f"{total}, outlet{'s' if size > 1 else ''} unknown"
    if unknown == 0:
        return f"{total} from {count_of(known, 'outlet')}"
    return f"{total}: {size - unknown} from {count_of(known, 'outlet')}, {unknown} with outlet unknown"
