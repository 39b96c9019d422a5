"""Reports: sales, products and operations over every shop of the organisation (every member reads), each
also as a CSV or XLSX export (`?format=csv|xlsx`); and the reporting currency with the organisation's own
exchange rates (admins and owners change them)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.permissions import Permission
from aiostore.errors import invalid
from aiostore.input_policy import Amount, Day
from aiostore.services.context import OrgContext
from aiostore.services.reports import rates as fx
from aiostore.services.reports.export import Table, csv_chunks, xlsx_file
from aiostore.services.reports.filters import ReportFilter, check_filter
from aiostore.services.reports.operations import operations_report
from aiostore.services.reports.products import products_report
from aiostore.services.reports.ranking import MAX_LIMIT, ItemSort
from aiostore.services.reports.sales import GroupBy, Period, sales_report
from aiostore.services.reports.sales_csv import sales_csv
from aiostore.services.reports.tables import operations_table, products_table, sales_table
from aiostore.services.sheets.writing import file_chunks
from aiostore.web.deps import RequirePermission, Session, get_db
from aiostore.web.routes.common import StrictModel
from aiostore.web.routes.report_models import OperationsOut, ProductsOut, SalesOut

router = APIRouter(prefix="/api/reports", tags=["reports"])
Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Manage = Annotated[OrgContext, RequirePermission(Permission.RATES_MANAGE)]
DEFAULT_DAYS = 30
MAX_IDS = 100


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


async def report_filter(
    session: Session,
    ctx: Read,
    start: Annotated[
        Day | None, Query(alias="from", description="first day (default: 29 days before `to`)")
    ] = None,
    end: Annotated[
        Day | None, Query(alias="to", description="last day, inclusive (default: today, UTC)")
    ] = None,
    shop: Annotated[
        list[uuid.UUID] | None, Query(max_length=MAX_IDS, description="shops (channel ids)")
    ] = None,
    market: Annotated[list[MarketCode] | None, Query(max_length=3, description="markets")] = None,
    product: Annotated[list[uuid.UUID] | None, Query(max_length=MAX_IDS, description="products")] = None,
) -> ReportFilter:
    """Days are each order's calendar day in its market's time zone. 422 naming the field for a reversed or
    too long range, and for a shop or product this organisation does not have."""
    end = end or datetime.now(UTC).date()
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    f = ReportFilter(
        start,
        end,
        tuple(dict.fromkeys(shop or ())),
        tuple(m.value for m in dict.fromkeys(market or ())),
        tuple(dict.fromkeys(product or ())),
    )
    return await check_filter(session, ctx, f)


Filter = Annotated[ReportFilter, Depends(report_filter)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# `?format=csv|xlsx` answers an export instead of JSON: both documented beside the JSON body
EXPORTS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        }
    }
}
FormatQuery = Annotated[Format, Query(alias="format", description="json, or an export: csv or xlsx")]


def _attachment(name: str, fmt: Format, f: ReportFilter) -> dict[str, str]:
    filename = f"{name}-{f.start.isoformat()}-{f.end.isoformat()}.{fmt.value}"
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


async def _export(table: Table, fmt: Format, f: ReportFilter) -> Response:
    headers = _attachment(table.name, fmt, f)
    if fmt is Format.CSV:
        return StreamingResponse(csv_chunks(table), media_type="text/csv; charset=utf-8", headers=headers)
    file = await asyncio.to_thread(xlsx_file, table)
    return StreamingResponse(file_chunks(file), media_type=XLSX, headers=headers)


async def _streamed(body: AsyncGenerator[bytes, None], name: str, f: ReportFilter) -> Response:
    """A CSV made as it is sent: its first chunk is awaited here, so an error before it (a bad sort)
    is still a problem+json answer rather than a cut response."""
    first = await anext(body)

    async def rest() -> AsyncIterator[bytes]:
        try:
            yield first
            async for chunk in body:
                yield chunk
        finally:
            await body.aclose()

    headers = _attachment(name, Format.CSV, f)
    return StreamingResponse(rest(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/sales", response_model=SalesOut, responses=EXPORTS)
async def sales(
    request: Request,
    session: Session,
    ctx: Read,
    f: Filter,
    period: Annotated[Period, Query(description="day, week (from Monday) or month")] = Period.DAY,
    group: Annotated[
        GroupBy, Query(description="none, shop, platform, market, product or sku")
    ] = GroupBy.NONE,
    compare: Annotated[bool, Query(description="also the totals of the period just before")] = False,
    sort: Annotated[
        ItemSort, Query(description="by product or SKU: rank items by units, orders or revenue")
    ] = ItemSort.UNITS,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="by product or SKU: the items shown (the rest: others)")
    ] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="by product or SKU: items skipped")] = 0,
    fmt: FormatQuery = Format.JSON,
) -> Response | SalesOut:
    """Orders, units, revenue and average order value per period and group, per currency; cancellations
    and returns with their rates; totals per currency (and in the reporting currency, with the rates used).
    By product or SKU: the `limit` items from `offset` in the order of `sort` (highest first, ties by
    key), each with its series, the others summed per period and currency, and the number of items; an
    export keeps every item. Revenue ranks in the reporting currency (422 `sort` without one when the
    sales are in several currencies)."""
    if fmt is Format.CSV:
        db = get_db(request)

        async def chunks() -> AsyncGenerator[bytes, None]:
            async with db.transaction(ctx.org_id) as own:  # the request's session is closed by then
                async for chunk in sales_csv(own, ctx, f, period=period, group=group, sort=sort):
                    yield chunk

        return await _streamed(chunks(), "sales", f)
    export = fmt is not Format.JSON
    report = await sales_report(
        session,
        ctx,
        f,
        period=period,
        group=group,
        compare=compare,
        sort=sort,
        limit=None if export else limit,
        offset=0 if export else offset,
    )
    if export:
        return await _export(sales_table(report), fmt, f)
    # by product or SKU a year has tens of thousands of rows: written as JSON straight from the report
    return Response(SalesOut.json_of(f, report), media_type="application/json")


@router.get("/products", response_model=ProductsOut, responses=EXPORTS)
async def products(
    session: Session,
    ctx: Read,
    f: Filter,
    window_days: Annotated[int, Query(ge=1, le=365, description="days of sales the cover is based on")] = 30,
    slow_days: Annotated[int, Query(ge=1, le=3650, description="more days of cover than this: slow")] = 90,
    limit: Annotated[int, Query(ge=1, le=100, description="rows of each ranking")] = 10,
    fmt: FormatQuery = Format.JSON,
) -> Response | ProductsOut:
    """Best and worst sellers, sell-through, days of cover, stock-outs with their lost days, slow movers."""
    report = await products_report(session, ctx, f, window_days=window_days, slow_days=slow_days, limit=limit)
    if fmt is not Format.JSON:
        return await _export(products_table(report), fmt, f)
    return ProductsOut.of(f, report)


@router.get("/operations", response_model=OperationsOut, responses=EXPORTS)
async def operations(
    session: Session, ctx: Read, f: Filter, fmt: FormatQuery = Format.JSON
) -> Response | OperationsOut:
    """Per shop: propagation p50/p95, push failures and their reasons, last successful pull, token expiry,
    oversold orders."""
    shops = await operations_report(session, ctx, f)
    if fmt is not Format.JSON:
        return await _export(operations_table(shops), fmt, f)
    return OperationsOut.of(f, shops)


class RateIn(StrictModel):
    currency: Currency
    valid_from: Day
    rate: Amount = Field(description="units of the reporting currency for 1 unit of `currency`")


class RatesIn(StrictModel):
    reporting_currency: Currency | None
    rates: list[RateIn] = Field(default_factory=list, max_length=5000)


class RateOut(BaseModel):
    currency: str
    valid_from: date
    rate: Decimal


class RatesOut(BaseModel):
    reporting_currency: str | None
    rates: list[RateOut]

    @classmethod
    def of(cls, sheet: fx.RateSheet) -> RatesOut:
        return cls(
            reporting_currency=sheet.reporting_currency,
            rates=[RateOut(currency=r.currency, valid_from=r.valid_from, rate=r.rate) for r in sheet.rates],
        )


@router.get("/rates")
async def get_rates(session: Session, ctx: Read) -> RatesOut:
    """The reporting currency (null: none) and the organisation's dated exchange rates."""
    return RatesOut.of(await fx.get_rates(session, ctx))


@router.put("/rates")
async def put_rates(body: RatesIn, session: Session, ctx: Manage) -> RatesOut:
    """Replace the reporting currency and every rate (admins and owners; audited). A rate is positive; one
    rate per currency and day; no rate for the reporting currency itself."""
    seen: set[tuple[str, date]] = set()
    for i, r in enumerate(body.rates):
        if r.rate <= 0 or r.rate >= Decimal(10) ** 14:
            raise invalid(f"rates.{i}.rate", "a rate is positive and below 10^14", "out_of_range")
        if r.rate != r.rate.quantize(Decimal("1e-10")):
            raise invalid(f"rates.{i}.rate", "a rate has at most 10 decimals", "too_precise")
        if r.currency == body.reporting_currency:
            raise invalid(
                f"rates.{i}.currency", "no rate is needed for the reporting currency", "same_currency"
            )
        if (r.currency.value, r.valid_from) in seen:
            raise invalid(
                f"rates.{i}.valid_from", "this currency already has a rate from this day", "duplicate"
            )
        seen.add((r.currency.value, r.valid_from))
    sheet = fx.RateSheet(
        body.reporting_currency.value if body.reporting_currency else None,
        sorted(
            (fx.Rate(r.currency.value, r.valid_from, r.rate) for r in body.rates),
            key=lambda r: (r.currency, r.valid_from),
        ),
    )
    return RatesOut.of(await fx.set_rates(session, ctx, sheet))
