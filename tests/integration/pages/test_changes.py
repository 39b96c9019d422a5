"""Stock & prices pages: the list, a stock and a price change previewed from the form's lines, the exact
diff with findings, commit (refusals beside the form, in both languages), approval by a second admin
(not the one who committed), revert, and what a viewer sees."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from aiostore.db.models import ChangeSet
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token
from tests.integration.changes.support import catalog, inventory, shop
from tests.integration.pages.conftest import HTML, form, get_page, squash, submit


async def _as(caller: Caller, url: str, data: dict[str, str] | None = None) -> httpx.Response:
    """A page (or a form posted) with an API token: the caller's own headers carry it."""
    if data is None:
        return await caller.get(url, headers=HTML)
    return await caller.post(url, data=data, headers=HTML)


def _key() -> str:
    return uuid.uuid4().hex


def _id(resp: httpx.Response) -> str:
    assert resp.status_code == 303, resp.text
    return resp.headers["location"].split("/changes/")[1].split("?")[0]


async def _preview(caller: Caller, kind: str, lines: str, reason: str = "count") -> str:
    data = form(caller, lines=lines, reason=reason, idempotency_key=_key())
    return _id(await submit(caller, f"/changes/new/{kind}", data))


async def _commit(caller: Caller, change_set: str, **flags: str) -> httpx.Response:
    data = form(caller, idempotency_key=_key(), **flags)
    return await submit(caller, f"/changes/{change_set}/commit", data)


async def test_stock_change_previewed_from_lines_then_committed(owner: Caller, db: Database) -> None:
    await catalog(owner)
    new = squash((await get_page(owner, "/changes/new/stock")).text)
    assert "<h1>New stock change</h1>" in new and 'name="idempotency_key"' in new
    change = await _preview(owner, "stock", "S-M\t25\nS-L; -2; 3\nNOPE, 1\n", reason="stock count")
    page = squash((await get_page(owner, f"/changes/{change}?done=previewed")).text)
    assert "Previewed. Nothing has changed yet" in page
    assert "3 items: 2 change, 0 unchanged, 1 with errors, 0 with warnings" in page
    # S-M: on hand 10 -> 25, buffer 1 (available 9 -> 24); S-L: 5 -> 3, buffer 0 -> 3 (available 5 -> 0)
    assert '<td class="num">10 → <strong>25</strong></td>' in page
    assert '<td class="num">9 → <strong>24</strong></td>' in page
    assert '<td class="num">0 → <strong>3</strong></td>' in page
    assert "error: No variant has this SKU" in page and "no variant has the SKU &#39;NOPE&#39;" in page
    assert 'class="finding error"' in page
    assert "I have read the warnings" not in page  # S-M's 2.5x is no large change
    assert "Apply the rest: leave out the items with errors" in page
    assert await inventory(db, owner, "S-M") == (10, 0, 1)

    refused = await _commit(owner, change)
    assert refused.status_code == 422
    shown = squash(refused.text)
    assert 'role="alert" class="form-error refused"' in shown and "Some items have errors." in shown
    assert "1 items have errors" in shown  # the server's detail
    assert await inventory(db, owner, "S-M") == (10, 0, 1)

    done = await _commit(owner, change, partial="true")
    assert done.headers["location"] == f"/changes/{change}?done=committed"
    assert await inventory(db, owner, "S-M") == (25, 0, 1)
    assert await inventory(db, owner, "S-L") == (3, 0, 3)
    page = squash((await get_page(owner, f"/changes/{change}")).text)
    assert "committed" in page and "Commit the change" not in page and "Preview the revert" in page
    listed = squash((await get_page(owner, "/changes")).text)
    assert f'href="/changes/{change}"' in listed and ">stock</td>" in listed


async def test_form_lines_that_cannot_be_items_are_named_by_line_in_both_languages(owner: Caller) -> None:
    await catalog(owner)
    bad = await submit(owner, "/changes/new/stock", form(owner, lines="S-M, 5\nS-L, lots\n", reason=""))
    assert bad.status_code == 422
    assert "Line 2: the quantity is not a whole number" in squash(bad.text)
    assert "S-M, 5" in bad.text  # the lines come back to fix
    data = form(owner, lines="S-M, XX, 10\n", reason="")
    bad = await submit(owner, "/changes/new/price", data, **{"Accept-Language": "id"})
    assert bad.status_code == 422
    assert "Baris 1: tidak ada pasar atau toko bernama XX." in squash(bad.text)
    empty = await submit(owner, "/changes/new/stock", form(owner, lines="  \n", reason=""))
    assert empty.status_code == 422 and "Write at least one line." in empty.text


async def test_price_change_shows_each_shops_old_and_new_price(owner: Caller, db: Database) -> None:
    ids = await catalog(owner)
    await shop(db, owner, [ids["S-M"], ids["S-L"]])
    change = await _preview(owner, "price", "S-M, ID, 160000\nS-L, tiktokshop ID, 400000, 300000\n")
    page = squash((await get_page(owner, f"/changes/{change}")).text)
    assert "Rp 150.000 → <strong>Rp 160.000</strong>" in page  # the market's master price
    assert "tiktokshop ID (TikTok Shop): Rp 150.000 → <strong>Rp 160.000</strong>" in page
    assert "Rp 155.000 → <strong>Rp 400.000</strong>" in page  # the shop's own price
    assert "warning: A large change of price" in page and 'class="finding warning"' in page
    refused = await _commit(owner, change)
    assert refused.status_code == 422 and "Some items have warnings." in refused.text
    indo = await submit(
        owner, f"/changes/{change}/commit", form(owner, idempotency_key=_key()), **{"Accept-Language": "id"}
    )
    assert indo.status_code == 422 and "Beberapa item punya peringatan." in indo.text
    done = await _commit(owner, change, acknowledge_warnings="true")
    assert done.status_code == 303
    page = squash((await get_page(owner, f"/changes/{change}")).text)
    assert page.count('<small class="applied">applied</small>') == 2


async def test_a_repeated_commit_post_replays_and_a_stale_one_is_refused(owner: Caller, db: Database) -> None:
    ids = await catalog(owner)
    change = await _preview(owner, "stock", "S-M, +1\n")
    data = form(owner, idempotency_key=_key())
    first = await submit(owner, f"/changes/{change}/commit", data)
    again = await submit(owner, f"/changes/{change}/commit", data)
    assert first.status_code == again.status_code == 303
    assert again.headers["idempotent-replayed"] == "true"
    assert await inventory(db, owner, "S-M") == (11, 0, 1)  # once

    stale = await _preview(owner, "stock", "S-L, 9\n")
    assert (await owner.put(f"/api/variants/{ids['S-L']}/inventory", json={"on_hand": 4})).status_code == 200
    refused = await _commit(owner, stale)
    assert refused.status_code == 409
    assert "The stock or prices changed since this preview." in squash(refused.text)
    assert "S-L" in refused.text
    no_key = await submit(owner, f"/changes/{stale}/commit", form(owner))
    assert no_key.status_code == 422 and "The form was incomplete." in no_key.text


async def test_approval_by_a_second_admin_not_the_one_who_committed(
    app: FastAPI, owner: Caller, db: Database
) -> None:
    ids = await catalog(owner)
    policy = (await owner.get("/api/org/change-policy")).json()
    assert (
        await owner.put("/api/org/change-policy", json=policy | {"approval_zeroed_skus": 1})
    ).status_code == 200
    change = await _preview(owner, "stock", "S-M, 0\nS-L, 0\n")
    waiting = await _commit(owner, change, acknowledge_warnings="true")
    assert waiting.headers["location"] == f"/changes/{change}?done=awaiting"
    mine = squash((await get_page(owner, f"/changes/{change}")).text)
    assert "Awaiting approval" in mine and "2 SKUs go to zero" in mine
    assert "Approve and apply" not in mine and ">Reject</button>" not in mine  # not for its author
    refused = await submit(owner, f"/changes/{change}/approve", form(owner, idempotency_key=_key()))
    assert refused.status_code == 403
    assert "Someone other than the person who previewed or committed it approves it." in refused.text

    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    seen = squash((await _as(operator, f"/changes/{change}")).text)
    assert "Approve and apply" not in seen and "Another admin or owner approves" in seen
    assert (await _as(operator, f"/changes/{change}/approve", {})).status_code == 403

    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    listed = squash((await _as(admin, "/changes")).text)
    assert "1 change set awaits your approval." in listed and '<mark class="awaiting">' in listed
    assert "Approve and apply" in squash((await _as(admin, f"/changes/{change}")).text)
    approved = await _as(admin, f"/changes/{change}/approve", {"idempotency_key": _key()})
    assert approved.headers["location"] == f"/changes/{change}?done=approved"
    assert await inventory(db, owner, "S-M") == (0, 0, 1)

    for sku, units in (("S-M", 10), ("S-L", 5)):
        put = await owner.put(f"/api/variants/{ids[sku]}/inventory", json={"on_hand": units})
        assert put.status_code == 200
    other = await _preview(owner, "stock", "S-M, 0\nS-L, 0\n")
    assert (await _commit(owner, other)).headers["location"] == f"/changes/{other}?done=awaiting"
    rejected = await _as(admin, f"/changes/{other}/reject", {"idempotency_key": _key()})
    assert rejected.headers["location"] == f"/changes/{other}?done=rejected"
    assert "rejected" in (await _as(admin, f"/changes/{other}")).text


async def test_revert_previews_the_way_back(owner: Caller, db: Database) -> None:
    await catalog(owner)
    change = await _preview(owner, "stock", "S-M, 14\n")
    await _commit(owner, change)
    assert await inventory(db, owner, "S-M") == (14, 0, 1)
    back = _id(await submit(owner, f"/changes/{change}/revert", form(owner, idempotency_key=_key())))
    assert back != change
    page = squash((await get_page(owner, f"/changes/{back}")).text)
    assert "14 → <strong>10</strong>" in page and f'href="/changes/{change}"' in page
    await _commit(owner, back)
    assert await inventory(db, owner, "S-M") == (10, 0, 1)


async def test_viewer_sees_the_changes_but_no_actions(app: FastAPI, owner: Caller, db: Database) -> None:
    await catalog(owner)
    change = await _preview(owner, "stock", "S-M, 12\n")
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    listed = squash((await _as(viewer, "/changes")).text)
    assert f'href="/changes/{change}"' in listed and "New stock change" not in listed
    page = squash((await _as(viewer, f"/changes/{change}")).text)
    assert "10 → <strong>12</strong>" in page
    assert '<form method="post" action="/changes/' not in page
    assert (await _as(viewer, f"/changes/{change}/commit", {"idempotency_key": _key()})).status_code == 403
    assert (await _as(viewer, "/changes/new/stock")).status_code == 403
    assert await inventory(db, owner, "S-M") == (10, 0, 1)


async def test_list_filters_and_another_orgs_change_set_is_not_found(
    owner: Caller, other_org: Caller, db: Database
) -> None:
    await catalog(owner)
    stock = await _preview(owner, "stock", "S-M, 12\n")
    price = await _preview(owner, "price", "S-M, ID, 151000\n")
    only_price = squash((await get_page(owner, "/changes?kind=price")).text)
    assert f"/changes/{price}" in only_price and f"/changes/{stock}" not in only_price
    fragment = await get_page(owner, "/changes?status=committed", **{"HX-Request": "true"})
    assert fragment.text.startswith('<div id="list">') and "No change sets match." in fragment.text
    bad = await get_page(owner, "/changes?status=nope")
    assert bad.status_code == 422
    assert (await get_page(other_org, f"/changes/{stock}")).status_code == 404
    theirs = await submit(other_org, f"/changes/{stock}/commit", form(other_org, idempotency_key=_key()))
    assert theirs.status_code == 404
    assert stock not in (await get_page(other_org, "/changes")).text
    errors_only = squash((await get_page(owner, f"/changes/{stock}?action=error")).text)
    assert "No items match." in errors_only


async def test_a_spreadsheet_uploaded_on_the_form_is_previewed(owner: Caller, db: Database) -> None:
    await catalog(owner)
    page = squash((await get_page(owner, "/changes/new/stock")).text)
    assert 'enctype="multipart/form-data"' in page and "/api/stock/import/template?format=xlsx" in page
    sheet = {"file": ("count.csv", b"sku,stock\nS-M,30\nS-L,4\n", "text/csv")}
    fields = form(owner, idempotency_key=_key(), reason="shelf count")
    done = await owner.client.post("/changes/upload/stock", data=fields, files=sheet, headers=HTML)
    shown = squash((await get_page(owner, done.headers["location"])).text)
    assert "10 → <strong>30</strong>" in shown and "5 → <strong>4</strong>" in shown
    assert await inventory(db, owner, "S-M") == (10, 0, 1)  # a preview only

    broken = {"file": ("bad.csv", b"sku,stock\nS-M,lots\nS-L,3\n", "text/csv")}
    fields = form(owner, idempotency_key=_key())
    bad = await owner.client.post("/changes/upload/stock", data=fields, files=broken, headers=HTML)
    shown = squash((await get_page(owner, bad.headers["location"])).text)
    assert "2 items: 1 change, 0 unchanged, 1 with errors" in shown  # the readable row still previews
    assert "row 2, column stock: &#39;lots&#39; is not a number" in shown
    assert "5 → <strong>3</strong>" in shown
    unreadable = {"file": ("bad.csv", b"price\n1\n", "text/csv")}
    fields = form(owner, idempotency_key=_key())
    bad = await owner.client.post("/changes/upload/stock", data=fields, files=unreadable, headers=HTML)
    assert bad.status_code == 422
    assert "The file could not be read, so nothing was previewed:" in bad.text
    no_csrf = await owner.client.post("/changes/upload/stock", data={}, files=sheet, headers=HTML)
    assert no_csrf.status_code == 403


async def test_a_stock_preview_shows_what_each_shop_will_be_pushed(owner: Caller, db: Database) -> None:
    ids = await catalog(owner)
    halved, _ = await shop(db, owner, [ids["S-M"]], platform="tiktokshop")
    await shop(db, owner, [ids["S-M"]], platform="shopee")
    rule = {"share_percent": 50, "cap": None, "keep_last": None, "keep_for_channel_id": None}
    assert (await owner.put(f"/api/channels/{halved}/allocation-rule", json=rule)).status_code == 200
    change = await _preview(owner, "stock", "S-M, 21\nS-L, 4\n")
    page = squash((await get_page(owner, f"/changes/{change}")).text)
    assert "Each shop is pushed" in page
    assert "tiktokshop ID (TikTok Shop): <strong>10</strong>" in page  # half of 21 - buffer 1
    assert "shopee ID (Shopee): <strong>20</strong>" in page
    assert "not listed on any shop" in page  # S-L


async def test_an_approval_that_waited_too_long_shows_expired(
    app: FastAPI, owner: Caller, db: Database
) -> None:
    await catalog(owner)
    policy = (await owner.get("/api/org/change-policy")).json()
    await owner.put("/api/org/change-policy", json=policy | {"approval_zeroed_skus": 0})
    change = await _preview(owner, "stock", "S-M, 0\n")
    waiting = await _commit(owner, change, acknowledge_warnings="true")
    assert waiting.headers["location"] == f"/changes/{change}?done=awaiting"
    assert "Approval open until" in squash((await get_page(owner, f"/changes/{change}")).text)
    async with db.transaction(owner.org_id, owner.user_id) as s:
        await s.execute(
            update(ChangeSet)
            .where(ChangeSet.id == uuid.UUID(change))
            .values(committed_at=ChangeSet.committed_at - timedelta(hours=73))
        )
    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    page = squash((await _as(admin, f"/changes/{change}")).text)
    assert "This change set waited for approval until it expired" in page and "Approval expired" in page
    assert "Approve and apply" not in page
    listed = squash((await _as(admin, "/changes")).text)
    assert "awaits your approval" not in listed and '<span class="cs-status expired">' in listed
    late = await _as(admin, f"/changes/{change}/approve", {"idempotency_key": _key()})
    assert late.status_code == 409
    assert await inventory(db, owner, "S-M") == (10, 0, 1)
