"""Paging of every list the API returns (Relay connections): opaque cursors and where a page lies.

A cursor is the item's offset in the list, base64-encoded; `after` a cursor is the next offset. A page is
`count` items from `start` of `total`: whether there is a page before or after it, and the cursors of its
first and last items, follow from those three numbers alone (`PageBounds`). The GraphQL type is
`api.paging.PageInfo`; this is the pure part, shared by every connection.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from domain.search_model import SearchInputError

_CURSOR_PREFIX = "offset:"


def cursor_at(offset: int) -> str:
    """The cursor of the item at `offset`."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def offset_after(cursor: str | None) -> int:
    """The offset of the item after `cursor` (0 for none); SearchInputError for a cursor we did not make."""
    if cursor is None:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not decoded.startswith(_CURSOR_PREFIX):
            raise ValueError(decoded)
        offset = int(decoded.removeprefix(_CURSOR_PREFIX))
        if offset < 0:
            raise ValueError(decoded)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SearchInputError(f"after: {cursor!r} is not a cursor of this list; pass an endCursor it returned") \
            from exc
    return offset + 1


def check_first(first: int, cap: int) -> None:
    """SearchInputError unless 0 ≤ first ≤ cap."""
    if not 0 <= first <= cap:
        raise SearchInputError(f"first must be between 0 and {cap}, not {first}")


@dataclass(frozen=True)
class PageBounds:
    """A page of `count` items from offset `start` of a list of `total`."""

    start: int
    count: int
    total: int

    @property
    def has_next_page(self) -> bool:
        return self.start + self.count < self.total

    @property
    def has_previous_page(self) -> bool:
        return self.start > 0

    @property
    def start_cursor(self) -> str | None:
        return cursor_at(self.start) if self.count else None

    @property
    def end_cursor(self) -> str | None:
        return cursor_at(self.start + self.count - 1) if self.count else None

    def cursors(self) -> list[str]:
        """The cursor of each item of the page, in order."""
        return [cursor_at(self.start + i) for i in range(self.count)]
