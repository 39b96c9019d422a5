"""Orders: every shop's orders with filters, one order with its lines and buyer (masked below admin),
and shipping or cancelling it (the API's own endpoint functions, as jobs)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from aiostore.connectors.dtos import CancelReason, ShipMethod
from aiostore.domain.market import MarketCode
from aiostore.domain.orders import OrderStatus
from aiostore.domain.permissions import Permission
from aiostore.errors import AppError, Conflict
from aiostore.services import channels, orders
from aiostore.web.deps import AppSettings, Session
from aiostore.web.pages.deps import Page, PageContext, PageFor, see_other, settle
from aiostore.web.pages.forms import FilterQuery, app_errors, parse
from aiostore.web.routes import orders as api

router = APIRouter(include_in_schema=False)
Write = Annotated[PageContext, PageFor(Permission.ORDERS_WRITE)]
PAGE_SIZE = 50
OPEN = (OrderStatus.UNPAID.value, OrderStatus.TO_SHIP.value)


class OrdersQuery(FilterQuery):
    """The filter form: the API's filters."""

    channel_account_id: uuid.UUID | None = None
    market: MarketCode | None = None
    status: OrderStatus | None = None
    placed_from: date | None = None
    placed_to: date | None = None
    oversold: bool | None = None
    q: str | None = None


@router.get("/orders")
async def order_list(request: Request, page: Page, session: Session) -> Response:
    query, errors = parse(OrdersQuery, request.query_params)
    found: list[Any] = []
    next_cursor = None
    if query is not None:
        f = orders.OrderFilter(
            query.channel_account_id,
            query.market,
            query.status,
            query.placed_from,
            query.placed_to,
            query.oversold,
            query.q,
        )
        try:
            result = await orders.list_orders(session, page.ctx, f, cursor=query.cursor, limit=PAGE_SIZE)
        except AppError as exc:
            if exc.status != 422:
                raise
            errors = app_errors(exc)
        else:
            found, next_cursor = result.items, result.next_cursor
    shops = {a.id: a for a in await channels.list_channels(session, page.ctx)}
    context = {
        "active": "orders",
        "orders": found,
        "shops": shops,
        "next_cursor": next_cursor,
        "filters": dict(request.query_params),
        "errors": errors,
        "statuses": [s.value for s in OrderStatus],
        "markets": [m.value for m in MarketCode],
    }
    return page.render("orders/index.html", context, status=422 if errors else 200, block="list")


async def _detail(
    page: PageContext, session: Session, order_id: uuid.UUID, *, status: int | None = None, **extra: Any
) -> Response:
    d = await orders.get_order(session, page.ctx, order_id)
    customer = api.CustomerOut.of(d.customer, unmasked=page.can(Permission.PII_READ)) if d.customer else None
    context = {
        "active": "orders",
        "order": d.order,
        "lines": d.lines,
        "customer": customer,
        "shop": d.channel,
        "can_ship": page.can(Permission.ORDERS_WRITE) and d.order.status == OrderStatus.TO_SHIP.value,
        "can_cancel": page.can(Permission.ORDERS_WRITE) and d.order.status in OPEN,
        "ship_methods": [m.value for m in ShipMethod],
        "cancel_reasons": [r.value for r in CancelReason],
        "errors": {},
        "form": {},
    } | extra
    if status is None:
        status = 422 if context["errors"] else 200
    return page.render("orders/detail.html", context, status=status)


@router.get("/orders/{order_id}")
async def order_detail(order_id: uuid.UUID, page: Page, session: Session) -> Response:
    return await _detail(page, session, order_id)


Text = Annotated[str, Form(max_length=500)]


async def _request_job(
    page: PageContext, session: Session, order_id: uuid.UUID, form: dict[str, str], call: Any
) -> Response:
    """Run the API's ship/cancel with the form; its errors go back beside the form's fields."""
    try:
        await call()
    except Conflict as exc:
        await settle(session, exc)
        return await _detail(
            page, session, order_id, status=exc.status, errors={"form": exc.detail}, form=form
        )
    return see_other(f"/orders/{order_id}?done=requested")


@router.post("/orders/{order_id}/ship")
async def ship(
    order_id: uuid.UUID,
    page: Write,
    session: Session,
    settings: AppSettings,
    method: Text = "auto",
    tracking_number: Text = "",
) -> Response:
    form = {"method": method, "tracking_number": tracking_number}
    body, errors = parse(api.ShipIn, {"method": method, "tracking_number": tracking_number or None})
    if body is None:
        return await _detail(page, session, order_id, errors=errors, form=form)
    return await _request_job(
        page, session, order_id, form, lambda: api.ship(order_id, body, session, page.ctx, settings)
    )


@router.post("/orders/{order_id}/cancel")
async def cancel(
    order_id: uuid.UUID,
    page: Write,
    session: Session,
    settings: AppSettings,
    reason: Text = "",
    note: Text = "",
) -> Response:
    form = {"reason": reason, "note": note}
    body, errors = parse(api.CancelIn, {"reason": reason, "note": note or None})
    if body is None:
        return await _detail(page, session, order_id, errors=errors, form=form)
    return await _request_job(
        page, session, order_id, form, lambda: api.cancel(order_id, body, session, page.ctx, settings)
    )
