"""Keyset (cursor) pagination: stable under inserts, each row returned exactly once.

A cursor is an opaque url-safe string holding the sort value and id of the last row returned.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from aiostore import input_policy
from aiostore.errors import invalid

T = TypeVar("T")
MAX_LIMIT = 200
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Sort:
    column: InstrumentedAttribute[Any]
    descending: bool
    kind: str  # "datetime" | "str" | "int"


def encode_cursor(value: Any, row_id: uuid.UUID) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, str(row_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str) -> tuple[Any, uuid.UUID]:
    """The cursor's (sort value, id), or a 422 naming `cursor`: it is client input like any other."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = input_policy.loads(raw, root="cursor")
        if not isinstance(data, list) or len(data) != 2 or not isinstance(data[1], str):
            raise ValueError("bad cursor shape")
        value, row_id = data
        parsed: Any = value
        if kind == "datetime":
            parsed = input_policy.check_instant(datetime.fromisoformat(value))
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, int) or not _INT64_MIN <= value <= _INT64_MAX:
                raise ValueError("bad cursor value")
        elif not isinstance(value, str):
            raise ValueError("bad cursor value")
        return parsed, uuid.UUID(row_id)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise invalid("cursor", "cursor is not valid for this list", "invalid_cursor") from exc


def paginate(
    stmt: Select[Any], *, sort: Sort, id_column: InstrumentedAttribute[Any], cursor: str | None, limit: int
) -> Select[Any]:
    """Order by (sort, id) and continue after the cursor; fetch limit+1 to know if more exist."""
    col = sort.column
    if cursor:
        value, last_id = decode_cursor(cursor, sort.kind)
        if sort.descending:
            cond = or_(col < value, and_(col == value, id_column < last_id))
        else:
            cond = or_(col > value, and_(col == value, id_column > last_id))
        stmt = stmt.where(cond)
    order = (col.desc(), id_column.desc()) if sort.descending else (col.asc(), id_column.asc())
    return stmt.order_by(*order).limit(limit + 1)


def page_of(rows: list[T], *, limit: int, sort_value: Any, row_id: Any) -> Page[T]:
    """Cut the limit+1 rows to a page; sort_value/row_id extract the cursor from the last row."""
    more = len(rows) > limit
    items = rows[:limit]
    nxt = encode_cursor(sort_value(items[-1]), row_id(items[-1])) if more and items else None
    return Page(items, nxt)
