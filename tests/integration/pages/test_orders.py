"""Orders: the list with its filters and pages, one order, buyer data by role, ship and cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import select

from aiostore.db.models import ChannelAccount, Customer, Order, OrderLine, SyncJob
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token
from tests.integration.pages.conftest import HTML, form, get_page, squash, submit

NOW = datetime(2026, 11, 7, 3, 0, tzinfo=UTC)


async def _seed(db: Database, caller: Caller, count: int = 3) -> list[Order]:
    async with db.transaction(caller.org_id, caller.user_id) as s:
        shop = ChannelAccount(
            org_id=caller.org_id, platform="tokopedia", market="ID", shop_id="7", shop_name="Toko Tujuh"
        )
        s.add(shop)
        await s.flush()
        buyer = Customer(
            org_id=caller.org_id,
            channel_account_id=shop.id,
            platform_customer_id="b1",
            name="Budi Santoso",
            phone="+62 812-3456-7123",
            email="budi@example.com",
            address={"street": "Jl. Melati 5", "city": "Bandung", "postcode": "40111"},
        )
        s.add(buyer)
        await s.flush()
        made = []
        for i in range(count):
            order = Order(
                org_id=caller.org_id,
                channel_account_id=shop.id,
                customer_id=buyer.id,
                platform_order_id=f"INV-{i:03d}",
                market="ID",
                status="to_ship" if i % 3 else "completed",
                platform_status="X",
                currency="IDR",
                total_amount=150_000 + i,
                oversold=i == 1,
                placed_at=NOW - timedelta(hours=i),
                platform_updated_at=NOW,
            )
            s.add(order)
            made.append(order)
        await s.flush()
        s.add(
            OrderLine(
                org_id=caller.org_id,
                order_id=made[0].id,
                sku="KAOS-M",
                title="Kaos Polos",
                quantity=2,
                unit_price=75_000,
                currency="IDR",
            )
        )
    return made


async def test_list_filters_and_pages(db: Database, owner: Caller) -> None:
    await _seed(db, owner, count=55)
    page = squash((await get_page(owner, "/orders")).text)
    assert page.count("<tr>") == 51  # a header and 50 orders
    assert "INV-000</a>" in page and "INV-054" not in page
    assert "<td>Toko Tujuh</td>" in page and '<td class="num">Rp 150.000</td>' in page
    assert "INV-001</a> <mark>oversold</mark>" in page
    assert "Next page" in page
    nxt = page.split('href="?cursor=')[1].split('"')[0]
    second = await get_page(owner, f"/orders?cursor={nxt}", **{"HX-Request": "true"})
    assert second.text.startswith('<div id="list">')  # the list block only
    assert "INV-054" in second.text and "INV-000" not in second.text and "First page" in second.text

    shipped = squash((await get_page(owner, "/orders?status=completed&oversold=&q=")).text)
    assert "INV-000</a>" in shipped and "INV-001</a>" not in shipped
    oversold = squash((await get_page(owner, "/orders?oversold=true")).text)
    assert oversold.count("<tr>") == 2 and "INV-001" in oversold
    one = squash((await get_page(owner, "/orders?q=INV-007")).text)
    assert one.count("<tr>") == 2


async def test_bad_filters_are_shown_beside_their_fields(db: Database, owner: Caller) -> None:
    bad_date = await get_page(owner, "/orders?placed_from=yesterday")
    assert bad_date.status_code == 422 and 'id="e-placed_from"' in bad_date.text
    backwards = await get_page(owner, "/orders?placed_from=2026-11-07&placed_to=2026-11-01")
    assert backwards.status_code == 422 and 'id="e-placed_to"' in backwards.text
    unknown = await get_page(owner, "/orders?status=lost")
    assert unknown.status_code == 422 and 'aria-invalid="true"' in unknown.text


async def test_detail_masks_the_buyer_below_admin(app: FastAPI, db: Database, owner: Caller) -> None:
    orders = await _seed(db, owner)
    admin_view = squash((await get_page(owner, f"/orders/{orders[0].id}")).text)
    assert "<dd>Budi Santoso</dd>" in admin_view and "budi@example.com" in admin_view
    assert "Jl. Melati 5" in admin_view
    assert (
        '<td>KAOS-M</td><td>Kaos Polos</td> <td class="num">2</td><td class="num">Rp 75.000</td>'
        in admin_view
    )
    for role in (Role.OPERATOR, Role.VIEWER):
        caller = await member_token(app, db, owner.org_id, role)
        masked = squash((await caller.get(f"/orders/{orders[0].id}", headers=HTML)).text)
        assert "Budi Santoso" not in masked and "<dd>Bu** S******</dd>" in masked, role
        assert "budi@example.com" not in masked and "Jl. Melati 5" not in masked and "Bandung" in masked
        assert "The buyer's details are hidden for your role." in masked
    indonesian = squash((await get_page(owner, f"/orders/{orders[0].id}", **{"Accept-Language": "id"})).text)
    assert "Pesanan INV-000" in indonesian and "<dd>selesai (X)</dd>" in indonesian


async def test_ship_and_cancel_request_jobs(db: Database, owner: Caller) -> None:
    orders = await _seed(db, owner)
    to_ship = orders[1]
    page = await get_page(owner, f"/orders/{to_ship.id}")
    assert (
        f'action="/orders/{to_ship.id}/ship"' in page.text
        and f'action="/orders/{to_ship.id}/cancel"' in page.text
    )
    completed = await get_page(owner, f"/orders/{orders[0].id}")
    assert "/ship" not in completed.text and "/cancel" not in completed.text

    own_courier = await submit(owner, f"/orders/{to_ship.id}/ship", form(owner, method="self"))
    assert own_courier.status_code == 422 and 'id="e-tracking_number"' in own_courier.text
    no_reason = await submit(owner, f"/orders/{to_ship.id}/cancel", form(owner))
    assert no_reason.status_code == 422 and 'id="e-reason"' in no_reason.text
    late = await submit(owner, f"/orders/{orders[0].id}/ship", form(owner, method="pickup"))
    assert late.status_code == 409 and "only orders to ship can be shipped" in late.text

    shipped = await submit(
        owner, f"/orders/{to_ship.id}/ship", form(owner, method="self", tracking_number="JNE123")
    )
    assert (
        shipped.status_code == 303 and shipped.headers["location"] == f"/orders/{to_ship.id}?done=requested"
    )
    async with db.transaction(owner.org_id, owner.user_id) as s:
        jobs = (await s.scalars(select(SyncJob))).all()
    assert [(j.kind, j.params["tracking_number"]) for j in jobs] == [("ship_order", "JNE123")]
    notice = await get_page(owner, shipped.headers["location"])
    assert "Requested. A job sends it to the marketplace" in notice.text


async def test_viewer_has_no_actions_and_others_orders_are_not_found(
    app: FastAPI, db: Database, owner: Caller, other_org: Caller
) -> None:
    orders = await _seed(db, owner)
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    page = await viewer.get(f"/orders/{orders[1].id}", headers=HTML)
    assert page.status_code == 200 and "/ship" not in page.text and "/cancel" not in page.text
    refused = await viewer.post(f"/orders/{orders[1].id}/ship", data={"method": "auto"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    foreign = await get_page(other_org, f"/orders/{orders[1].id}")
    assert foreign.status_code == 404
    assert (
        await submit(other_org, f"/orders/{orders[1].id}/cancel", form(other_org, reason="out_of_stock"))
    ).status_code == 404
    assert "INV-" not in (await get_page(other_org, "/orders")).text
