"""Catalog: the master products with their variants, stock available to sell and prices per market,
and one product with, per variant, why each shop shows its number (the quantity a push sends, step
by step) and the stock ledger; reading, editing stays with the API for now."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from pydantic import field_validator
from starlette.responses import Response

from aiostore.errors import AppError
from aiostore.services import channels, inventory
from aiostore.services.allocation import explain
from aiostore.services.catalog import products as catalog
from aiostore.services.catalog.schemas import ProductStatus
from aiostore.web.deps import Session
from aiostore.web.pages.deps import Page
from aiostore.web.pages.forms import FilterQuery, app_errors, parse
from aiostore.web.routes.allocation import StockExplainOut
from aiostore.web.routes.listings import MovementOut
from aiostore.web.routes.products import ProductOut

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


class CatalogQuery(FilterQuery):
    q: str | None = None
    status: ProductStatus | None = None

    @field_validator("q")
    @classmethod
    def _q(cls, value: str | None) -> str | None:
        if value is not None and len(value) > 200:
            raise ValueError("too long")
        return value


@router.get("/catalog")
async def product_list(request: Request, page: Page, session: Session) -> Response:
    query, errors = parse(CatalogQuery, request.query_params)
    found: list[Any] = []
    next_cursor = None
    if query is not None:
        f = catalog.ProductFilter(q=query.q, status=query.status.value if query.status else None)
        result = await catalog.list_products(
            session, page.ctx, f, sort=catalog.parse_sort("title"), cursor=query.cursor, limit=PAGE_SIZE
        )
        found, next_cursor = [ProductOut.of(p) for p in result.items], result.next_cursor
    context = {
        "active": "catalog",
        "products": found,
        "next_cursor": next_cursor,
        "filters": dict(request.query_params),
        "errors": errors,
        "statuses": [s.value for s in ProductStatus],
    }
    return page.render("catalog/index.html", context, status=422 if errors else 200, block="list")


class LedgerQuery(FilterQuery):
    """Which variant's ledger the cursor pages (the others show their newest rows)."""

    variant: uuid.UUID | None = None


@router.get("/catalog/{product_id}")
async def product_detail(product_id: uuid.UUID, request: Request, page: Page, session: Session) -> Response:
    product = ProductOut.of(await catalog.get_product(session, page.ctx, product_id))
    query, errors = parse(LedgerQuery, request.query_params)
    ledgers: dict[uuid.UUID, tuple[list[MovementOut], str | None]] = {}
    explained: dict[uuid.UUID, StockExplainOut] = {}
    for v in product.variants:
        cursor = query.cursor if query is not None and query.variant == v.id else None
        try:
            moves = await inventory.ledger(session, v.id, cursor=cursor, limit=PAGE_SIZE)
        except AppError as exc:
            if exc.status != 422:
                raise
            errors = app_errors(exc)
            moves = await inventory.ledger(session, v.id, cursor=None, limit=PAGE_SIZE)
        rows = [MovementOut.model_validate(m, from_attributes=True) for m in moves.items]
        ledgers[v.id] = (rows, moves.next_cursor)
        explained[v.id] = StockExplainOut.of(await explain.explain_variant(session, page.ctx, v.id))
    shops = {s.id: s for s in await channels.list_channels(session, page.ctx)}
    context = {
        "active": "catalog",
        "product": product,
        "ledgers": ledgers,
        "explained": explained,
        "shops": shops,
        "errors": errors,
    }
    return page.render("catalog/detail.html", context, status=422 if errors else 200)
