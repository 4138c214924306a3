"""The paging every connection shares (domain.paging): cursors and where a page lies."""

from __future__ import annotations

import pytest

from domain.paging import PageBounds, check_first, cursor_at, offset_after
from domain.search_model import SearchInputError


def test_the_item_after_a_cursor_is_the_next_offset_and_no_cursor_means_the_start() -> None:
    assert offset_after(None) == 0
    assert [offset_after(cursor_at(n)) for n in (0, 1, 99)] == [1, 2, 100]


@pytest.mark.parametrize("cursor", ["nope", cursor_at(3)[:-2] + "!!", "b2Zmc2V0Oi0x"])  # the last: "offset:-1"
def test_a_cursor_we_did_not_make_is_refused_with_what_to_pass_instead(cursor: str) -> None:
    with pytest.raises(SearchInputError, match="pass an endCursor it returned"):
        offset_after(cursor)


def test_first_outside_zero_to_the_cap_is_refused_naming_the_bounds() -> None:
    check_first(0, 100)
    check_first(100, 100)
    with pytest.raises(SearchInputError, match="between 0 and 100, not 101"):
        check_first(101, 100)


def test_page_bounds_tell_the_neighbouring_pages_and_the_cursors_of_the_first_and_last_items() -> None:
    middle = PageBounds(start=3, count=3, total=10)
    assert (middle.has_previous_page, middle.has_next_page) == (True, True)
    assert (middle.start_cursor, middle.end_cursor) == (cursor_at(3), cursor_at(5))
    assert middle.cursors() == [cursor_at(3), cursor_at(4), cursor_at(5)]
    last = PageBounds(start=9, count=1, total=10)
    assert not last.has_next_page
    empty = PageBounds(start=0, count=0, total=0)
    assert (empty.has_previous_page, empty.has_next_page, empty.start_cursor, empty.end_cursor) == (
        False, False, None, None)
