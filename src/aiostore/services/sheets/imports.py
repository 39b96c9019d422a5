"""Stock and price sheets into change sets: a file is read (in a thread), its rows become the items of
services/changes (`row` set), and `preview_stock` / `preview_price` store the preview, which commits
like any other (`mode: "commit"` with its token).

A file with rows that cannot be read previews nothing: the answer is a 422 listing every such row and
column (`rows.<row>.<column>`), so that no commit can apply part of a file while the rest is silently
left out. What the rows say about the catalog (an unknown SKU, stock going negative) is the preview's
own findings, row-numbered.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
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


def items_of(read: SheetRead, model: type[M]) -> list[M]:
    """The rows as change-set items; a row the item model refuses becomes that row's error. Raises the
    422 of every row error, if any."""
    items: list[M] = []
    for fields in read.items:
        try:
            items.append(model.model_validate(fields))
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else None
                column = _COLUMN_OF.get(name or "", name)
                read.findings.append(Finding(error["type"], "error", error["msg"], fields["row"], column))
    read.findings.sort(key=lambda f: f.row or 0)
    read.raise_errors()
    if not items:
        raise ValidationFailed(
            "the file has no rows to import", errors=[FieldError("file", "empty_file", "no rows")]
        )
    if len(items) > MAX_ITEMS:
        message = f"the file has {len(items):,} rows; one change set takes at most {MAX_ITEMS:,}: split it"
        raise ValidationFailed(message, errors=[FieldError("file", "too_many_rows", message)])
    return items


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
    items: Sequence[StockItemIn] = items_of(read, StockItemIn)
    view = await preview_stock(
        session, ctx, items, reason=_reason(reason, filename), source=read.source(filename)
    )
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
    items: Sequence[PriceItemIn] = items_of(read, PriceItemIn)
    view = await preview_price(
        session, ctx, items, reason=_reason(reason, filename), source=read.source(filename)
    )
    return read, view
