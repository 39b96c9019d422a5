"""Catalog: products with variants, stock and prices; search and status filter; one org only."""

from __future__ import annotations

from fastapi import FastAPI

from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token, product_body
from tests.integration.pages.conftest import HTML, get_page, squash


async def test_products_with_stock_and_prices(
    app: FastAPI, db: Database, owner: Caller, other_org: Caller
) -> None:
    made = await owner.post("/api/products", json=product_body("KAOS-001"))
    assert made.status_code == 201, made.text
    draft = product_body("TOPI-002", title="Topi Rajut", status="draft")
    assert (await owner.post("/api/products", json=draft)).status_code == 201
    assert (
        await other_org.post("/api/products", json=product_body("RIVAL-1", title="Rival"))
    ).status_code == 201

    page = squash((await get_page(owner, "/catalog")).text)
    assert "<strong>Kaos Polos Premium</strong></a><br><small>Maju · Fashion/Tops</small>" in page
    assert "<code>KAOS-001-M</code> · 9 available · ID Rp 150.000 · SG S$12.90" in page
    assert "<code>KAOS-001-L</code> · 5 available · ID Rp 155.000 · MY RM39.90" in page
    assert "Rival" not in page
    searched = squash((await get_page(owner, "/catalog?q=topi")).text)
    assert "Topi Rajut" in searched and "Kaos Polos" not in searched
    by_sku = squash((await get_page(owner, "/catalog?q=KAOS-001-L", **{"HX-Request": "true"})).text)
    assert by_sku.startswith('<div id="list">') and "Kaos Polos Premium" in by_sku
    drafts = squash((await get_page(owner, "/catalog?status=draft", **{"Accept-Language": "id"})).text)
    assert "Topi Rajut" in drafts and "<td>draf</td>" in drafts and "Katalog" in drafts
    bad = await get_page(owner, "/catalog?status=sold")
    assert bad.status_code == 422 and 'id="e-status"' in bad.text
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    assert "Kaos Polos Premium" in (await viewer.get("/catalog", headers=HTML)).text
