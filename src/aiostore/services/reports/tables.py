"""Each report as one flat table: what its CSV and XLSX exports hold. Money is in major units beside its
currency, never summed across currencies."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from aiostore.domain.market import Currency
from aiostore.services.reports.export import Cell, Table
from aiostore.services.reports.operations import ShopOperations
from aiostore.services.reports.products import ProductsReport
from aiostore.services.reports.sales import GroupBy, Period, SalesReport

_EXPONENTS = {c.value: c.exponent for c in Currency}


def major(amount: int | None, currency: str) -> Decimal | None:
    """Money.to_major without a Money a cell (an export by SKU has tens of thousands of rows): an
    integer scaled by the currency's exponent has exactly that many decimals."""
    if amount is None:
        return None
    exp = _EXPONENTS.get(currency)
    return Decimal(amount).scaleb(-exp) if exp is not None else Decimal(amount) / 100


def sales_headers(period: Period, group: GroupBy) -> list[str]:
    """The sales export's columns (the CSV written by PostgreSQL has the same, sales_csv.py)."""
    return [
        period.value,
        group.value,
        "label",
        "rank",
        "currency",
        "orders",
        "units",
        "revenue",
        "average_order_value",
        "cancelled",
        "cancel_rate",
        "returned",
        "return_rate",
    ]


def sales_table(report: SalesReport) -> Table:
    return Table("sales", sales_headers(report.period, report.group), _sales_rows(report))


def _sales_rows(report: SalesReport) -> Iterator[Sequence[Cell]]:
    """Each row when the writer takes it (by SKU a year is tens of thousands)."""
    for r in report.rows + report.others:
        f = r.figures
        yield (
            [
                r.bucket,
                r.key,
                r.label if r.rank is not None or report.sort is None else "others",
                r.rank,
                r.currency,
                f.orders,
                f.units,
                major(f.revenue, r.currency),
                major(f.average_order_value, r.currency),
                f.cancelled,
                f.cancel_rate,
                f.returned,
                f.return_rate,
            ]
        )


def products_table(report: ProductsReport) -> Table:
    headers = [
        "sku",
        "product",
        "available",
        "units",
        "sell_through",
        f"units_last_{report.window_days}_days",
        "days_of_cover",
        "stockouts",
        "lost_days",
    ]
    rows = (
        [
            i.sku,
            i.title,
            i.available,
            i.units,
            i.sell_through,
            i.window_units,
            i.days_of_cover,
            i.stockouts,
            i.lost_days,
        ]
        for i in report.items
    )
    return Table("products", headers, rows)


def operations_table(shops: list[ShopOperations]) -> Table:
    headers = [
        "shop",
        "platform",
        "market",
        "status",
        "pushes",
        "propagation_p50_s",
        "propagation_p95_s",
        "push_failures",
        "top_failure_reason",
        "last_pull_at_utc",
        "access_expires_at_utc",
        "refresh_expires_at_utc",
        "oversold_orders",
    ]
    rows: list[list[Cell]] = [
        [
            s.shop_name,
            s.platform,
            s.market,
            s.status,
            s.pushes,
            s.propagation_p50_s,
            s.propagation_p95_s,
            s.push_failures,
            s.failure_reasons[0].error if s.failure_reasons else None,
            s.last_pull_at,
            s.access_expires_at,
            s.refresh_expires_at,
            s.oversold_orders,
        ]
        for s in shops
    ]
    return Table("operations", headers, rows)
