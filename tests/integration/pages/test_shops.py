"""Shops: connect through the page and the sandbox's approval page, test, renew, disconnect; roles."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from sqlalchemy import update

from aiostore.db.models import ChannelAccount
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import member_token, signup
from tests.integration.api.test_channels import SANDBOX, SHOP_ID, World, world  # noqa: F401  (fixture)
from tests.integration.pages.conftest import HTML, form, get_page, squash, submit


async def _connect(w: World) -> str:
    """Connect → the sandbox's approval page → approve → our callback → the Shops page."""
    owner = w.owner
    started = await submit(owner, "/shops/connect", form(owner, platform="shopee", market="ID"))
    assert started.status_code == 200 and "Approve AIOStore at Shopee" in started.text
    found = re.search(r'<a href="([^"]+)" role="button" id="authorize">Continue to Shopee</a>', started.text)
    assert found
    url = html.unescape(found.group(1))
    assert url.startswith(f"{SANDBOX}/api/v2/shop/auth_partner?")
    page = await w.browser.get(url)
    session = re.search(r'name="session" value="([^"]+)"', page.text)
    assert session
    approved = await w.browser.post(
        "/_sandbox/oauth/approve", data={"session": session.group(1), "shop_id": str(SHOP_ID)}
    )
    back = urlsplit(approved.headers["location"])
    landed = await get_page(owner, f"{back.path}?{back.query}")  # the browser asks for a page
    assert landed.status_code == 303
    location = landed.headers["location"]
    assert location.startswith("/shops?done=connected#shop-")
    return location.rsplit("#shop-", 1)[1]


async def test_connect_test_renew_disconnect(world: World) -> None:  # noqa: F811
    owner = world.owner
    empty = await get_page(owner, "/shops")
    assert "No shop is connected yet." in empty.text and 'action="/shops/connect"' in empty.text
    assert "Write mode: dry run." in empty.text
    shop_id = await _connect(world)

    shown = squash((await get_page(owner, "/shops?done=connected")).text)
    assert "The shop is connected." in shown
    assert f'id="shop-{shop_id}"' in shown and "<h3>Toko Sandbox</h3>" in shown
    assert 'Shopee · ID · <span class="status">connected</span>' in shown
    assert "Authorisation ends</dt><dd>" in shown and "Orders synced until</dt><dd>never</dd>" in shown

    tested = await submit(owner, f"/shops/{shop_id}/test", form(owner), **{"HX-Request": "true"})
    assert tested.status_code == 200
    assert tested.text.startswith('<section id="shops"')  # the htmx request gets the list block only
    assert "Test passed in" in tested.text and "<html" not in tested.text
    plain = await submit(owner, f"/shops/{shop_id}/test", form(owner))  # without scripts: the page
    assert plain.text.startswith("<!doctype html>") and "Test passed in" in plain.text

    renewed = await submit(owner, f"/shops/{shop_id}/refresh", form(owner))
    assert renewed.status_code == 303 and renewed.headers["location"].startswith("/shops?done=refreshed")

    gone = await submit(owner, f"/shops/{shop_id}/disconnect", form(owner))
    assert gone.status_code == 303
    after = squash((await get_page(owner, gone.headers["location"])).text)
    assert "The shop is disconnected." in after and '<span class="status">disconnected</span>' in after
    assert f'action="/shops/{shop_id}/test"' not in after
    again = await submit(owner, f"/shops/{shop_id}/refresh", form(owner))
    assert again.status_code == 409 and "connect the shop again" in again.text

    indonesian = squash((await get_page(owner, "/shops", **{"Accept-Language": "id"})).text)
    assert '<html lang="id">' in indonesian and "Hubungkan toko" in indonesian
    assert '<span class="status">terputus</span>' in indonesian


async def test_connect_form_errors_beside_fields(world: World) -> None:  # noqa: F811
    owner = world.owner
    empty = await submit(owner, "/shops/connect", form(owner))
    assert empty.status_code == 422
    assert 'id="e-platform"' in empty.text and 'id="e-market"' in empty.text
    unserved = await submit(owner, "/shops/connect", form(owner, platform="tokopedia", market="MY"))
    assert unserved.status_code == 422
    text = squash(unserved.text)
    assert (
        'id="e-market" class="field-error">This marketplace does not serve sellers in this country.' in text
    )
    assert '<option value="tokopedia" selected>' in text  # the choice stays


async def test_a_shop_that_lost_its_authorisation_offers_to_reauthorise(world: World, db: Database) -> None:  # noqa: F811
    shop_id = await _connect(world)
    async with db.transaction(world.owner.org_id, world.owner.user_id) as s:
        await s.execute(update(ChannelAccount).values(status="needs_reauth"))
    page = squash((await get_page(world.owner, "/shops")).text)
    assert '<span class="status">needs re-authorisation</span>' in page
    assert f'action="/shops/{shop_id}/test"' not in page
    assert (
        '<input type="hidden" name="platform" value="shopee"><input type="hidden" name="market" value="ID">'
        in page
    )
    assert await _connect(world) == shop_id  # the same shop, authorised again
    assert '<span class="status">connected</span>' in squash((await get_page(world.owner, "/shops")).text)


async def test_viewer_sees_no_actions_and_is_refused(world: World, db: Database) -> None:  # noqa: F811
    shop_id = await _connect(world)
    viewer = await member_token(world.app, db, world.owner.org_id, Role.VIEWER)
    page = await viewer.get("/shops", headers=HTML)
    assert page.status_code == 200 and "Toko Sandbox" in page.text
    assert "/test" not in page.text and "/disconnect" not in page.text and "/shops/connect" not in page.text
    for action in ("test", "refresh", "disconnect"):
        refused = await viewer.post(f"/shops/{shop_id}/{action}", data={})
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    operator = await member_token(world.app, db, world.owner.org_id, Role.OPERATOR)
    assert (
        await operator.post("/shops/connect", data={"platform": "shopee", "market": "ID"})
    ).status_code == 403


async def test_another_orgs_shop_is_not_found(world: World) -> None:  # noqa: F811
    shop_id = await _connect(world)
    rival = await signup(world.app, email="rival@example.com", org="Toko Rival")
    for action in ("test", "refresh", "disconnect"):
        answer = await submit(rival, f"/shops/{shop_id}/{action}", form(rival))
        assert answer.status_code == 404, action
        assert "Not found" in answer.text
    assert "Toko Sandbox" not in (await get_page(rival, "/shops")).text
    await rival.client.aclose()


async def test_admin_switches_a_shops_write_mode(world: World, db: Database) -> None:  # noqa: F811
    shop_id = await _connect(world)
    owner = world.owner
    page = squash((await get_page(owner, "/shops")).text)
    dry = (
        '<p class="write-mode dry"> This shop is in dry run: its changes are recorded in the jobs, not sent.'
    )
    assert dry in page and '<option value="dry" selected>dry run</option>' in page
    admin = await member_token(world.app, db, owner.org_id, Role.ADMIN)
    switched = await admin.post(
        f"/shops/{shop_id}/write-mode",
        data={"csrf_token": "", "write_mode": "live"},
        headers=HTML,
    )
    assert switched.status_code == 303, switched.text  # a token needs no CSRF field
    assert switched.headers["location"] == f"/shops?done=write_mode#shop-{shop_id}"
    done = squash((await get_page(owner, "/shops?done=write_mode")).text)
    assert "The shop&#39;s write mode is saved." in done
    assert '<p class="write-mode live"> This shop is live: its changes are sent to the marketplace.' in done
    assert '<option value="live" selected>live</option>' in done
    indonesian = squash((await get_page(owner, "/shops", **{"Accept-Language": "id"})).text)
    assert "Toko ini aktif: perubahannya dikirim ke marketplace." in indonesian and "Mode tulis" in indonesian

    bad = await submit(owner, f"/shops/{shop_id}/write-mode", form(owner, write_mode="loud"))
    assert bad.status_code == 422 and f'id="e-write_mode-{shop_id}" class="field-error"' in bad.text
    assert (await owner.get(f"/api/channels/{shop_id}")).json()["write_mode"] == "live"
    back = await submit(owner, f"/shops/{shop_id}/write-mode", form(owner, write_mode="dry"))
    assert back.status_code == 303
    assert (await owner.get(f"/api/channels/{shop_id}")).json()["write_mode"] == "dry"

    viewer = await member_token(world.app, db, owner.org_id, Role.VIEWER)
    seen = (await viewer.get("/shops", headers=HTML)).text
    assert "/write-mode" not in seen and 'class="write-mode dry"' in seen
    refused = await viewer.post(f"/shops/{shop_id}/write-mode", data={"write_mode": "live"})
    assert refused.status_code == 403
    rival = await signup(world.app, email="rival-write@example.com", org="Toko Rival")
    for value in ("live", "loud"):
        missing = await submit(rival, f"/shops/{shop_id}/write-mode", form(rival, write_mode=value))
        assert missing.status_code == 404, value
    assert (await owner.get(f"/api/channels/{shop_id}")).json()["write_mode"] == "dry"
    await rival.client.aclose()
