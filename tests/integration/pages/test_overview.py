"""Overview: the to-do list and today's orders and sales per shop, in both languages, one org only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from fastapi import FastAPI

from aiostore.db.models import ChannelAccount, Listing, Order, SyncJob
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token
from tests.integration.pages.conftest import HTML, get_page, squash

NOW = datetime(2026, 11, 7, 3, 0, tzinfo=UTC)  # Saturday 10:00 in Jakarta


async def _seed(db: Database, caller: Caller, *, prefix: str) -> None:
    async with db.transaction(caller.org_id, caller.user_id) as s:
        good = ChannelAccount(
            org_id=caller.org_id,
            platform="shopee",
            market="ID",
            shop_id=f"{prefix}-1",
            shop_name=f"{prefix} Jaya",
            refresh_expires_at=NOW + timedelta(days=3),
        )
        lost = ChannelAccount(
            org_id=caller.org_id,
            platform="lazada",
            market="MY",
            shop_id=f"{prefix}-2",
            shop_name=f"{prefix} Kedai",
            status="needs_reauth",
        )
        s.add_all([good, lost])
        await s.flush()

        def order(number: str, amount: int, **more: object) -> Order:
            values: dict[str, object] = {
                "org_id": caller.org_id,
                "channel_account_id": good.id,
                "platform_order_id": number,
                "market": "ID",
                "status": "to_ship",
                "platform_status": "READY",
                "currency": "IDR",
                "total_amount": amount,
                "placed_at": NOW - timedelta(hours=1),
                "platform_updated_at": NOW,
            } | more
            return Order(**values)

        s.add_all(
            [
                order(f"{prefix}-A", 1_000_000),
                order(f"{prefix}-B", 234_568, oversold=True),
                order(f"{prefix}-C", 999, status="cancelled"),
                order(f"{prefix}-D", 5, placed_at=NOW - timedelta(days=1)),  # yesterday in Jakarta
                SyncJob(
                    org_id=caller.org_id, kind="push_stock", status="failed", error=f"{prefix} quota gone"
                ),
                Listing(
                    org_id=caller.org_id, channel_account_id=good.id, platform_item_id="1", title="Unmatched"
                ),
                Listing(
                    org_id=caller.org_id,
                    channel_account_id=good.id,
                    platform_item_id="2",
                    title="Broken",
                    sync_state="error",
                    status="banned",
                ),
            ]
        )


async def test_a_new_org_has_nothing_to_do(owner: Caller) -> None:
    page = await get_page(owner, "/overview")
    assert page.status_code == 200
    assert "Nothing needs your attention." in page.text
    assert "No shop is connected yet." in page.text
    assert "chart-orders" not in page.text


async def test_to_do_and_today_in_english(
    app: FastAPI, db: Database, owner: Caller, other_org: Caller
) -> None:
    with time_machine.travel(NOW, tick=True):
        await _seed(db, owner, prefix="Mine")
        await _seed(db, other_org, prefix="Theirs")
        page = await get_page(owner, "/overview")
    text = squash(page.text)
    assert page.status_code == 200 and '<html lang="en">' in text
    assert "Theirs" not in text  # another organisation's shops, orders and jobs never show
    assert "Shops to re-authorise" in text
    assert "Mine Kedai</a> · authorisation lost" in text
    assert "Mine Jaya</a> · authorisation ends Tuesday, 10 November 2026" in text
    assert "1 failed job" in text and "push stock · " in text and "Mine quota gone" in text
    assert "1 oversold order" in text and "Mine-B · Rp 234.568" in text
    assert "2 listings are not matched to a product" in text
    assert "1 listing failed to sync" in text and "1 listing was rejected by a marketplace" in text
    # Today, in Jakarta: A and B count, the cancelled order counts as an order but not in sales.
    assert (
        '<td>Mine Jaya</td> <td>Shopee · ID</td> <td class="wide-only">Saturday, 7 November 2026</td>' in text
    )
    assert '<td class="num">3</td>' in text
    assert '<td class="num">Rp 1.234.568</td>' in text
    assert '<td class="num">RM0.00</td>' in text  # the Malaysian shop sold nothing today
    assert '<script type="application/json" id="chart-orders">' in text
    assert "<script>" not in text and " style=" not in text and " onclick" not in text


async def test_today_in_indonesian(db: Database, owner: Caller) -> None:
    with time_machine.travel(NOW, tick=True):
        await _seed(db, owner, prefix="Mine")
        page = await get_page(owner, "/overview", **{"Accept-Language": "id"})
    text = squash(page.text)
    assert '<html lang="id">' in text
    assert "Perlu ditindaklanjuti" in text and "Ringkasan" in text
    assert '<td class="wide-only">Sabtu, 7 November 2026</td>' in text
    assert '<td class="num">Rp 1.234.568</td>' in text
    assert "1 pesanan melebihi stok" in text and "Mine Kedai</a> · otorisasi hilang" in text


async def test_a_viewer_reads_the_overview(app: FastAPI, db: Database, owner: Caller) -> None:
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    with time_machine.travel(NOW, tick=True):
        await _seed(db, owner, prefix="Mine")
        page = await viewer.get("/overview", headers=HTML)
    assert page.status_code == 200 and "1 oversold order" in page.text
    assert 'action="/logout"' not in page.text  # an API token has no browser session to end
