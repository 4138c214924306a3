"""The Relay page info every connection of the API returns, from `domain.paging` (cursors, bounds)."""

from __future__ import annotations

import strawberry

from domain.paging import PageBounds


@strawberry.type(description="Where a page of a connection starts and ends (Relay).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def page_info(start: int, count: int, total: int) -> PageInfo:
    """The page info of `count` items from offset `start` of `total`."""
    bounds = PageBounds(start, count, total)
    return PageInfo(has_next_page=bounds.has_next_page, has_previous_page=bounds.has_previous_page,
                    start_cursor=bounds.start_cursor, end_cursor=bounds.end_cursor)
