"""A list's answer: one page in the HSDS Page wrapper, or (`format=ndjson`) every record a line, streamed a batch at a
time and, for an export of every service, written to a snapshot as it goes (services/hsds/snapshots.py)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

from fastapi import HTTPException
from fastapi.responses import JSONResponse, StreamingResponse

from api.hsds.models import NDJSON
from services.hsds.listing import IdPage
from services.hsds.snapshots import BATCH, SnapshotWriter, dumps, teed

STREAM_BATCH: Final[int] = BATCH  # records serialized per round of reads while streaming NDJSON

JsonObject = dict[str, Any]


def page_body(ids: IdPage, contents: list[JsonObject], *, page: int, per_page: int) -> JsonObject:
    """The HSDS Page wrapper (`ids` is the page asked for; `contents` its records, in order)."""
    total_pages = math.ceil(ids.total / per_page) if per_page else 0
    return {
        "total_items": ids.total, "total_pages": total_pages, "page_number": page, "size": len(contents),
        "first_page": page == 1, "last_page": page >= total_pages, "empty": not contents, "contents": contents,
    }


def no_snapshot() -> SnapshotWriter | None:
    """A list that is not written to a snapshot (filtered, or a page)."""
    return None


def listing(ids: IdPage, fetch: Callable[[Sequence[str]], list[JsonObject]], *, page: int, per_page: int,
            fmt: str, snapshot: Callable[[], SnapshotWriter | None] = no_snapshot,
            version_now: Callable[[], str] = lambda: "") -> JSONResponse | StreamingResponse:
    """A Page of the records of `ids`, or (ndjson) every record a line, fetched STREAM_BATCH at a time
    (and written to the snapshot `snapshot` opens as well, kept if the graph is still at its version at
    the end)."""
    if fmt == "ndjson":
        def batches() -> Iterator[list[tuple[str, bytes]]]:
            # One chunk per batch, not per record: Starlette runs the stream in a worker thread, a hop
            # per chunk.
            for start in range(0, len(ids.ids), STREAM_BATCH):
                yield [(str(record["id"]), dumps(record)) for record in fetch(ids.ids[start:start + STREAM_BATCH])]
        return StreamingResponse(teed(batches(), snapshot, version_now), media_type=NDJSON)
    return JSONResponse(page_body(ids, fetch(ids.ids), page=page, per_page=per_page))


def not_found(kind: str, id: str) -> HTTPException:
    """404: no such record (that the caller may see)."""
    return HTTPException(404, detail=f"no {kind} with id {id!r}")
