"""Notifications page: the bell counts unread alerts on every page, the list shows them in the page's
language, marks them read, and saves the person's alert channels and language (bad input beside it)."""

from __future__ import annotations

from sqlalchemy import select

from aiostore.db.models import AlertPreference
from aiostore.db.session import Database
from aiostore.services.alerts import evaluate
from aiostore.settings import Settings
from tests.factories import Caller
from tests.integration.alerts.support import days_ago, make_order, make_shop
from tests.integration.pages.conftest import form, get_page, squash, submit


async def _two_alerts(db: Database, owner: Caller, settings: Settings) -> None:
    shop = await make_shop(db, owner.org_id, name="Toko Bel")
    for _ in range(2):
        await make_order(db, shop, placed_at=days_ago(0), status="to_ship", oversold=True)
    async with db.transaction(owner.org_id) as session:
        await evaluate.evaluate_org(session, owner.org_id, settings)


async def test_bell_list_and_mark_read(db: Database, owner: Caller, test_settings: Settings) -> None:
    quiet = squash((await get_page(owner, "/overview")).text)
    assert 'href="/notifications" class="bell"' in quiet and 'class="count"' not in quiet
    await _two_alerts(db, owner, test_settings)
    overview = squash((await get_page(owner, "/overview")).text)
    assert '<span class="count" aria-label="2 unread">2</span>' in overview
    page = squash((await get_page(owner, "/notifications")).text)
    assert page.count("Oversold order SO-") == 2 and "Toko Bel" in page and "still true" in page
    assert 'sse-connect="/api/notifications/events"' in page
    indonesian = squash((await get_page(owner, "/notifications", **{"Accept-Language": "id"})).text)
    assert indonesian.count("Pesanan oversold SO-") == 2 and "Tandai semua sudah dibaca" in indonesian
    first = (await owner.get("/api/notifications")).json()["items"][0]["id"]
    done = await submit(owner, f"/notifications/{first}/read", form(owner))
    assert done.status_code == 303 and done.headers["location"] == "/notifications?done=read"
    assert (await owner.get("/api/notifications")).json()["unread"] == 1
    fragment = await get_page(owner, "/notifications?unread=true", **{"HX-Request": "true"})
    assert fragment.text.startswith('<div id="list"') and squash(fragment.text).count("Oversold order") == 1
    await submit(owner, "/notifications/read-all", form(owner))
    after = squash((await get_page(owner, "/notifications?done=read")).text)
    assert "Marked as read." in after and 'class="count"' not in after
    bad_filter = await get_page(owner, "/notifications?unread=perhaps")
    assert bad_filter.status_code == 422 and 'id="e-unread"' in bad_filter.text


async def test_preferences_saved_and_bad_language_shown_beside_it(db: Database, owner: Caller) -> None:
    saved = await submit(owner, "/notifications/preferences", form(owner, email="on", language="id"))
    assert saved.status_code == 303 and saved.headers["location"] == "/notifications?done=preferences"
    async with db.transaction(owner.org_id) as s:
        pref = await s.scalar(select(AlertPreference))
    assert pref is not None and (pref.in_app, pref.email, pref.language) == (False, True, "id")
    bad = await submit(owner, "/notifications/preferences", form(owner, in_app="on", language="fr"))
    assert bad.status_code == 422 and 'id="e-language"' in bad.text
    async with db.transaction(owner.org_id) as s:
        pref = await s.scalar(select(AlertPreference))
    assert pref is not None and pref.language == "id"  # unchanged
    page = squash((await get_page(owner, "/notifications")).text)
    assert 'name="email" checked' in page and 'name="in_app" checked' not in page
