"""What the report endpoints answer (JSON). Money is a MoneyOut (minor units, major units as text, the
currency); a total is per currency, never across currencies."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import date, datetime

from pydantic import BaseModel

from aiostore.domain.market import Currency
from aiostore.services.reports.filters import ReportFilter
from aiostore.services.reports.operations import ShopOperations
from aiostore.services.reports.products import ProductRow, ProductsReport
from aiostore.services.reports.rates import Converted
from aiostore.services.reports.sales import Figures, SalesReport, SalesRow
from aiostore.web.routes.orders import MoneyOut


class FilterOut(BaseModel):
    start: date
    end: date
    shops: list[uuid.UUID]
    markets: list[str]
    products: list[uuid.UUID]

    @classmethod
    def of(cls, f: ReportFilter) -> FilterOut:
        return cls(
            start=f.start, end=f.end, shops=list(f.shops), markets=list(f.markets), products=list(f.products)
        )


class FiguresOut(BaseModel):
    currency: str
    orders: int  # placed and not cancelled
    units: int  # of orders neither cancelled nor returned
    revenue: MoneyOut
    average_order_value: MoneyOut | None
    cancelled: int
    cancel_rate: float | None  # cancelled / placed
    returned: int
    return_rate: float | None  # returned / orders

    @classmethod
    def of(cls, f: Figures, currency: str) -> FiguresOut:
        aov = f.average_order_value
        return cls(
            currency=currency,
            orders=f.orders,
            units=f.units,
            revenue=MoneyOut.of(f.revenue, currency),
            average_order_value=MoneyOut.of(aov, currency) if aov is not None else None,
            cancelled=f.cancelled,
            cancel_rate=f.cancel_rate,
            returned=f.returned,
            return_rate=f.return_rate,
        )


class SalesRowOut(FiguresOut):
    bucket: date
    key: str | None
    label: str
    rank: int | None  # by product or SKU: the item's place in the ranking (from 1)


class OthersOut(FiguresOut):
    bucket: date  # every item outside the page, summed per period and currency


class RankingOut(BaseModel):
    sort: str
    limit: int | None
    offset: int
    items: int  # items in the range; rows hold those from offset + 1 to offset + limit


class RateUsedOut(BaseModel):
    currency: str
    valid_from: date
    rate: str


class ConvertedOut(BaseModel):
    revenue: MoneyOut | None  # null when some day had no rate in force
    rates_used: list[RateUsedOut]
    missing_rates: list[dict[str, str]]  # {currency, from}: first day without a rate

    @classmethod
    def of(cls, c: Converted) -> ConvertedOut:
        return cls(
            revenue=MoneyOut.of(c.amount, c.currency) if c.amount is not None else None,
            rates_used=[
                RateUsedOut(currency=r.currency, valid_from=r.valid_from, rate=str(r.rate))
                for r in c.rates_used
            ],
            missing_rates=[{"currency": cur, "from": day.isoformat()} for cur, day in c.missing],
        )


def _major(amount: int, exp: int) -> str:
    """str(Money.to_major()): exactly `exp` decimals."""
    if exp == 0:
        return str(amount)
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 10**exp)
    return f"{sign}{whole}.{part:0{exp}d}"


_EXPONENTS = {c.value: c.exponent for c in Currency}


def _money(amount: int, currency: str) -> dict[str, object]:
    """MoneyOut's JSON, without building a model (a report by SKU has thousands of rows)."""
    exp = _EXPONENTS[currency]
    return {"amount": _major(amount, exp), "currency": currency, "amount_minor": amount}


def _row(row: SalesRow) -> dict[str, object]:
    """SalesRowOut's JSON, likewise."""
    f, currency = row.figures, row.currency
    aov = f.average_order_value
    return {
        "bucket": row.bucket.isoformat(),
        "key": row.key,
        "label": row.label,
        "rank": row.rank,
        "currency": currency,
        "orders": f.orders,
        "units": f.units,
        "revenue": _money(f.revenue, currency),
        "average_order_value": _money(aov, currency) if aov is not None else None,
        "cancelled": f.cancelled,
        "cancel_rate": f.cancel_rate,
        "returned": f.returned,
        "return_rate": f.return_rate,
    }


class SalesOut(BaseModel):
    filter: FilterOut
    period: str
    group: str
    rows: list[SalesRowOut]
    ranking: RankingOut | None  # by product or SKU
    others: list[OthersOut]  # by product or SKU: the items outside the page, so rows + others = totals
    totals: list[FiguresOut]  # one per currency
    previous: list[FiguresOut] | None  # the period just before, when compare=true
    previous_filter: FilterOut | None
    reporting: ConvertedOut | None  # the revenue in the organisation's reporting currency

    @classmethod
    def of(cls, f: ReportFilter, r: SalesReport) -> SalesOut:
        return cls(
            filter=FilterOut.of(f),
            period=r.period.value,
            group=r.group.value,
            rows=[
                SalesRowOut(
                    bucket=row.bucket,
                    key=row.key,
                    label=row.label,
                    rank=row.rank,
                    **FiguresOut.of(row.figures, row.currency).__dict__,
                )
                for row in r.rows
            ],
            ranking=RankingOut(sort=r.sort.value, limit=r.limit, offset=r.offset, items=r.items or 0)
            if r.sort is not None
            else None,
            others=[
                OthersOut(bucket=o.bucket, **FiguresOut.of(o.figures, o.currency).__dict__) for o in r.others
            ],
            totals=[FiguresOut.of(t, cur) for cur, t in sorted(r.totals.items())],
            previous=[FiguresOut.of(t, cur) for cur, t in sorted(r.previous.items())]
            if r.previous is not None
            else None,
            previous_filter=FilterOut.of(f.previous()) if r.previous is not None else None,
            reporting=ConvertedOut.of(r.converted) if r.converted is not None else None,
        )

    @classmethod
    def json_of(cls, f: ReportFilter, r: SalesReport) -> bytes:
        """The same as JSON, its rows written straight from the report (what the API answers)."""
        body = cls.of(f, replace(r, rows=[])).model_dump(mode="json")
        body["rows"] = [_row(row) for row in r.rows]
        return json.dumps(body, separators=(",", ":")).encode()


class ProductOut(BaseModel):
    variant_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    title: str
    available: int
    units: int
    sell_through: float | None
    window_units: int
    days_of_cover: float | None  # null: no sales in the window
    stockouts: int
    lost_days: float

    @classmethod
    def of(cls, i: ProductRow) -> ProductOut:
        return cls(
            variant_id=i.variant_id,
            product_id=i.product_id,
            sku=i.sku,
            title=i.title,
            available=i.available,
            units=i.units,
            sell_through=i.sell_through,
            window_units=i.window_units,
            days_of_cover=i.days_of_cover,
            stockouts=i.stockouts,
            lost_days=i.lost_days,
        )


class ProductsOut(BaseModel):
    filter: FilterOut
    window_days: int
    slow_days: int
    items: list[ProductOut]  # soonest to run out first
    best: list[ProductOut]
    worst: list[ProductOut]
    slow_movers: list[ProductOut]
    stockouts: list[ProductOut]

    @classmethod
    def of(cls, f: ReportFilter, r: ProductsReport) -> ProductsOut:
        return cls(
            filter=FilterOut.of(f),
            window_days=r.window_days,
            slow_days=r.slow_days,
            items=[ProductOut.of(i) for i in r.items],
            best=[ProductOut.of(i) for i in r.best],
            worst=[ProductOut.of(i) for i in r.worst],
            slow_movers=[ProductOut.of(i) for i in r.slow_movers],
            stockouts=[ProductOut.of(i) for i in r.stockouts],
        )


class ReasonOut(BaseModel):
    error: str
    count: int


class ShopOperationsOut(BaseModel):
    shop_id: uuid.UUID
    shop_name: str
    platform: str
    market: str
    status: str
    pushes: int
    propagation_p50_s: float | None
    propagation_p95_s: float | None
    push_failures: int
    failure_reasons: list[ReasonOut]
    last_pull_at: datetime | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    oversold_orders: int


class OperationsOut(BaseModel):
    filter: FilterOut
    shops: list[ShopOperationsOut]

    @classmethod
    def of(cls, f: ReportFilter, shops: list[ShopOperations]) -> OperationsOut:
        return cls(
            filter=FilterOut.of(f),
            shops=[
                ShopOperationsOut(
                    **{k: getattr(s, k) for k in ShopOperationsOut.model_fields if k != "failure_reasons"},
                    failure_reasons=[ReasonOut(error=r.error, count=r.count) for r in s.failure_reasons],
                )
                for s in shops
            ],
        )
