"""Stock and price sheets into change sets: a file is read (in a thread), its rows become the items of
services/changes (`row` set), and `preview_stock` / `preview_price` store the preview, which commits
like any other (`mode: "commit"` with its token).

A row that cannot be read (a cell that is no number, an ambiguous number, a repeated SKU, a value the
item model refuses) never aborts the others: it becomes an item of the preview with its errors (row
and column named), beside the readable rows' own findings. Like any item with an error it is never
applied, and the rest are applied only with `partial: true`, so a commit applies the whole file or,
when asked, every readable row, never part of it silently. Only a problem of the whole file (no
header, a missing column, an unreadable encoding, no rows) is a 422.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import IO, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChannelAccount
from aiostore.domain.market import MarketCode
from aiostore.errors import FieldError, ValidationFailed
from aiostore.services.changes import core
from aiostore.services.changes.price import preview_price
from aiostore.services.changes.schemas import MAX_ITEMS, PriceItemIn, StockItemIn
from aiostore.services.changes.stock import preview_stock
from aiostore.services.context import OrgContext
from aiostore.services.sheets.price import read_price
from aiostore.services.sheets.reading import Progress, SheetRead
from aiostore.services.sheets.stock import read_stock
from aiostore.services.sheets.table import Finding

M = TypeVar("M", bound=BaseModel)
_COLUMN_OF = {"set": "stock"}  # item field -> the sheet's column


def items_of(read: SheetRead, model: type[M]) -> tuple[list[M], list[core.Unreadable]]:
    """The readable rows as change-set items, and the rows that could not be read (a row the item
    model refuses is one of them) with their errors. Raises the 422 of a file-level error, of a file
    with no rows, or of one with more rows than a change set takes."""
    items: list[M] = []
    for fields in read.items:
        try:
            items.append(model.model_validate(fields))
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else None
                column = _COLUMN_OF.get(name or "", name)
                read.findings.append(Finding(error["type"], "error", error["msg"], fields["row"], column))
                read.skus.setdefault(fields["row"], str(fields.get("sku") or ""))
    if any(f.row is None for f in read.errors):
        read.raise_errors()
    broken: dict[int, list[tuple[str, str, str]]] = {}
    for f in read.errors:
        assert f.row is not None  # noqa: S101
        broken.setdefault(f.row, []).append((f.code, f.column or "", f.text()))
    bad_rows = set(broken)
    items = [i for i in items if getattr(i, "row", None) not in bad_rows]
    unreadable = [
        core.Unreadable(row, read.skus.get(row, ""), errors) for row, errors in sorted(broken.items())
    ]
    if not items and not unreadable:
        raise ValidationFailed(
            "the file has no rows to import", errors=[FieldError("file", "empty_file", "no rows")]
        )
    count = len(items) + len(unreadable)
    if count > MAX_ITEMS:
        message = f"the file has {count:,} rows; one change set takes at most {MAX_ITEMS:,}: split it"
        raise ValidationFailed(message, errors=[FieldError("file", "too_many_rows", message)])
    return items, unreadable


def _reason(reason: str, filename: str | None) -> str:
    return reason or f"import of {filename or 'a file'}"[:500]


async def preview_stock_file(
    session: AsyncSession,
    ctx: OrgContext,
    file: IO[bytes],
    filename: str | None,
    *,
    reason: str = "",
    progress: Progress | None = None,
) -> tuple[SheetRead, core.ChangeSetView]:
    read = await asyncio.to_thread(read_stock, file, filename, progress)
    items, unreadable = items_of(read, StockItemIn)
    view = await preview_stock(
        session, ctx, items, reason=_reason(reason, filename), source=read.source(filename),
        unreadable=unreadable,
    )  # fmt: skip
    return read, view


async def shop_markets(session: AsyncSession) -> dict[uuid.UUID, MarketCode]:
    """The organization's shops and their markets (another org's shop is not among them)."""
    rows = await session.execute(select(ChannelAccount.id, ChannelAccount.market))
    return {shop_id: MarketCode(market) for shop_id, market in rows.all()}


async def preview_price_file(
    session: AsyncSession,
    ctx: OrgContext,
    file: IO[bytes],
    filename: str | None,
    *,
    reason: str = "",
    progress: Progress | None = None,
) -> tuple[SheetRead, core.ChangeSetView]:
    shops = await shop_markets(session)
    read = await asyncio.to_thread(read_price, file, filename, shops, progress)
    items, unreadable = items_of(read, PriceItemIn)
    view = await preview_price(
        session, ctx, items, reason=_reason(reason, filename), source=read.source(filename),
        unreadable=unreadable,
    )  # fmt: skip
    return read, view
