"""Reports: sales, products and operations in one page with a tab each, filtered by a GET form that works
without scripts; charts drawn by Chart.js from data the server writes as JSON (no inline script)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import Field
from starlette.responses import Response

from aiostore.domain.market import MarketCode
from aiostore.errors import AppError
from aiostore.services import channels
from aiostore.services.reports.filters import ReportFilter, check_filter
from aiostore.services.reports.operations import operations_report
from aiostore.services.reports.products import products_report
from aiostore.services.reports.ranking import ItemSort
from aiostore.services.reports.sales import GroupBy, Period, SalesReport, sales_report
from aiostore.services.reports.tables import major
from aiostore.web import i18n
from aiostore.web.deps import Session
from aiostore.web.pages.deps import Page
from aiostore.web.pages.forms import FilterQuery, app_errors, parse

router = APIRouter(include_in_schema=False)
TABS = ("sales", "products", "operations")
PAGE_ITEMS = 20  # items per page when sales are grouped by product or SKU


class ReportsQuery(FilterQuery):
    tab: Literal["sales", "products", "operations"] = "sales"
    start: date | None = Field(None, alias="from")
    end: date | None = Field(None, alias="to")
    shop: uuid.UUID | None = None
    market: MarketCode | None = None
    period: Period = Period.DAY
    group: GroupBy = GroupBy.NONE
    compare: bool | None = None
    sort: ItemSort = ItemSort.UNITS
    offset: int = Field(0, ge=0, le=10_000_000)


def _chart(labels: list[str], values: list[Any], label: str) -> dict[str, Any]:
    return {"labels": labels, "values": values, "label": label}


def _top_items_chart(report: SalesReport) -> dict[str, Any]:
    """The page's items by their units over the whole range (the others are left out of this one)."""
    units: dict[int, tuple[str, int]] = {}
    for r in report.rows:
        if r.rank is not None:
            label, n = units.get(r.rank, (r.label or r.key or "", 0))
            units[r.rank] = (label, n + r.figures.units)
    ranks = sorted(units)
    return {
        "id": "chart-items",
        "title": i18n._("Units sold by the items shown"),
        "data": _chart([units[k][0] for k in ranks], [units[k][1] for k in ranks], i18n._("Units sold")),
    }


def _paging(report: SalesReport) -> dict[str, int | None]:
    """Offsets of the previous and next pages of items (None: there is none)."""
    items, offset = report.items or 0, report.offset
    return {
        "previous": max(offset - PAGE_ITEMS, 0) if offset > 0 else None,
        "next": offset + PAGE_ITEMS if offset + PAGE_ITEMS < items else None,
        "first": offset + 1,
        "last": min(offset + PAGE_ITEMS, items),
    }


async def _sales(session: Session, page: Page, f: ReportFilter, q: ReportsQuery) -> dict[str, Any]:
    report = await sales_report(
        session,
        page.ctx,
        f,
        period=q.period,
        group=q.group,
        compare=bool(q.compare),
        sort=q.sort,
        limit=PAGE_ITEMS,
        offset=q.offset,
    )
    charts = []
    for currency in sorted(report.totals):
        buckets: dict[date, int] = {}
        for r in report.rows + report.others:
            if r.currency == currency:
                buckets[r.bucket] = buckets.get(r.bucket, 0) + r.figures.revenue
        charts.append(
            {
                "id": f"chart-sales-{currency}",
                "title": i18n._("Revenue in %(currency)s") % {"currency": currency},
                "data": _chart(
                    [b.isoformat() for b in sorted(buckets)],
                    [float(major(buckets[b], currency) or 0) for b in sorted(buckets)],
                    currency,
                ),
            }
        )
    if report.sort is None:
        return {"sales": report, "charts": charts}
    charts.insert(0, _top_items_chart(report))
    return {"sales": report, "charts": charts, "paging": _paging(report)}


async def _products(session: Session, page: Page, f: ReportFilter) -> dict[str, Any]:
    report = await products_report(session, page.ctx, f)
    chart = _chart([i.sku for i in report.best], [i.units for i in report.best], i18n._("Units sold"))
    return {
        "products": report,
        "charts": [{"id": "chart-best", "title": i18n._("Best sellers"), "data": chart}],
    }


async def _operations(session: Session, page: Page, f: ReportFilter) -> dict[str, Any]:
    shops = await operations_report(session, page.ctx, f)
    chart = _chart(
        [s.shop_name or str(s.shop_id) for s in shops],
        [s.propagation_p95_s or 0 for s in shops],
        i18n._("Propagation p95 (seconds)"),
    )
    title = i18n._("Propagation p95 (seconds)")
    return {"operations": shops, "charts": [{"id": "chart-propagation", "title": title, "data": chart}]}


@router.get("/reports")
async def reports(request: Request, page: Page, session: Session) -> Response:
    query, errors = parse(ReportsQuery, request.query_params)
    context: dict[str, Any] = {
        "active": "reports",
        "tabs": TABS,
        "tab": query.tab if query else "sales",
        "filters": dict(request.query_params),
        "shops": await channels.list_channels(session, page.ctx),
        "markets": [m.value for m in MarketCode],
        "periods": [p.value for p in Period],
        "groups": [g.value for g in GroupBy],
        "sorts": [o.value for o in ItemSort],
        "charts": [],
    }
    if query is not None:
        end = query.end or datetime.now(UTC).date()
        start = query.start or end - timedelta(days=29)
        f = ReportFilter(
            start,
            end,
            (query.shop,) if query.shop else (),
            (query.market.value,) if query.market else (),
        )
        context["span"] = f
        try:
            f = await check_filter(session, page.ctx, f)
            if query.tab == "sales":
                context |= await _sales(session, page, f, query)
            elif query.tab == "products":
                context |= await _products(session, page, f)
            else:
                context |= await _operations(session, page, f)
        except AppError as exc:
            if exc.status != 422:
                raise
            errors = app_errors(exc)
    context["errors"] = errors
    return page.render("reports/index.html", context, status=422 if errors else 200)
