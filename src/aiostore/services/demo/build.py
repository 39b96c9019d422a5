"""The demo organization: built on first use, signed into by visitors, reset on demand.

It is an ordinary organization (``is_demo`` set, a name that says so) whose shops, one per platform, are
connected the way a seller connects one: our authorization URL, the sandbox's approval page, the code
exchanged for tokens by ``channels.complete_connect``. Their first pulls are the worker's jobs, as for any
shop; the build waits for them. The first shop's listings become the master catalog
(``catalog import-from-channel``), and the other shops' listings match it by SKU. The shops are in live
write mode, so a sale anywhere moves stock everywhere. A few more master products, on no shop yet, are
ready to publish to all four (``publishable``).

Sandboxes live in memory: an organization built before this process started has no shops behind it, so
it is deleted and built again (``ensure``), and a reset does the same on demand.
"""

from __future__ import annotations

import asyncio
import html
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import structlog
from sqlalchemy import delete

from aiostore.db.models import Organization, SyncJob
from aiostore.db.session import Database
from aiostore.domain.market import MarketCode
from aiostore.domain.permissions import Role
from aiostore.domain.platforms import Platform
from aiostore.services import accounts, channels
from aiostore.services.catalog.import_channel import import_from_channel
from aiostore.services.context import Actor, ActorKind, OrgContext
from aiostore.services.demo import publishable, waiting
from aiostore.services.demo.waiting import DemoSetupFailed
from aiostore.services.demo.world import PLANS, DemoWorld, base_url, mounted_url
from aiostore.services.sync.context import SyncContext

log = structlog.get_logger(__name__)

DEMO_EMAIL = "demo@demo.aiostore.invalid"
DEMO_NAME = "Demo: Toko Contoh (sandbox shops)"
LIVE = "live"


@dataclass
class Demo:
    """The demo of this process: its sandboxes, its organization once built, one build at a time."""

    world: DemoWorld
    service_url: str  # where the sandboxes push (the URL our webhook route sees and verifies)
    service: Any = None  # our ASGI app, which receives the pushes in-process
    org_id: uuid.UUID | None = None
    lock: asyncio.Lock | None = None

    def browser_origins(self) -> dict[str, str]:
        """Each sandbox's in-process URL -> where a browser reaches it (mounted on our own origin), so
        that the authorization URL of a shop connected from the Shops page opens in the browser."""
        return {base_url(p): mounted_url(self.service_url, p) for p in self.world.shops}

    def _lock(self) -> asyncio.Lock:
        if self.lock is None:
            self.lock = asyncio.Lock()
        return self.lock


async def _demo_user(db: Database) -> tuple[uuid.UUID, uuid.UUID | None]:
    """The demo user (created once; its password is random and never shown) and its demo org, if any."""
    async with db.transaction() as session:
        user = await accounts.find_user_by_email(session, DEMO_EMAIL)
        if user is None:
            user = await accounts.create_user(
                session, email=DEMO_EMAIL, password=secrets.token_urlsafe(32), display_name="Demo seller"
            )
        user_id = user.id
    return user_id, await demo_org(db)


async def demo_org(db: Database) -> uuid.UUID | None:
    """The demo organization in this database, if one was built (by this process or an earlier one)."""
    async with db.transaction() as session:
        user = await accounts.find_user_by_email(session, DEMO_EMAIL)
        if user is None:
            return None
        user_id = user.id
    async with db.transaction(None, user_id) as session:
        orgs = [o.id for _, o in await accounts.memberships_of(session, user_id) if o.is_demo]
    return orgs[0] if orgs else None


async def delete_org(db: Database, org_id: uuid.UUID) -> None:
    """Delete a demo organization and everything in it (foreign keys cascade); never another org."""
    async with db.transaction(org_id) as session:
        await session.execute(delete(Organization).where(Organization.id == org_id, Organization.is_demo))


async def ensure(
    demo: Demo, db: Database, sc: SyncContext, *, rebuild: bool = False
) -> tuple[uuid.UUID, uuid.UUID]:
    """The demo org of this process (built now if needed, or again when ``rebuild``) and the demo user."""
    async with demo._lock():
        user_id, existing = await _demo_user(db)
        if existing is not None and existing == demo.org_id and not rebuild:
            return existing, user_id
        if existing is not None:
            await delete_org(db, existing)
            log.info("demo.deleted", org_id=str(existing))
        demo.org_id = None
        org_id = await _build(demo, db, sc, user_id)
        demo.org_id = org_id
        return org_id, user_id


async def _build(demo: Demo, db: Database, sc: SyncContext, user_id: uuid.UUID) -> uuid.UUID:
    if demo.service is None:
        raise DemoSetupFailed("the demo needs the service app to deliver the sandboxes' pushes")
    demo.world.reseed(demo.service_url, demo.service)
    async with db.transaction(None, user_id) as session:
        user = await accounts.user_by_id(session, user_id)
        assert user is not None  # noqa: S101
        org = await accounts.create_org(session, user, DEMO_NAME)
        org.is_demo = True
        org_id = org.id
    ctx = OrgContext(org_id, Role.OWNER, Actor(ActorKind.USER, user_id, DEMO_EMAIL))
    channel_ids: dict[Platform, uuid.UUID] = {}
    for i, plan in enumerate(PLANS):
        channel_id = await _connect(demo, sc, ctx, plan.platform, MarketCode(plan.market))
        channel_ids[plan.platform] = channel_id
        await _first_job_done(sc, org_id, channel_id, "pull_products")
        if i == 0:  # the master shop: its listings seed the catalog
            # The import moves stock: nothing else may be writing this shop's rows meanwhile.
            await _first_job_done(sc, org_id, channel_id, "pull_orders")
            async with sc.tx(org_id) as session:
                await import_from_channel(session, ctx, channel_id, dry_run=False)
    for channel_id in channel_ids.values():
        await _first_job_done(sc, org_id, channel_id, "pull_orders")
    ready = await publishable.add(sc, ctx, PLANS)
    log.info("demo.built", org_id=str(org_id), shops=len(channel_ids), to_publish=len(ready))
    return org_id


async def _first_job_done(sc: SyncContext, org_id: uuid.UUID, channel_id: uuid.UUID, kind: str) -> None:
    """Wait until the worker has run the connection's first job of this kind (it retries what fails)."""
    await waiting.job_done(
        sc,
        org_id,
        f"the demo shop's first {kind}",
        SyncJob.channel_account_id == channel_id,
        SyncJob.kind == kind,
    )


_FORM = re.compile(r'<form[^>]*action="([^"]+)"', re.I)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', re.I)
_RADIO = re.compile(r'<input type="radio" name="([^"]+)" value="([^"]*)"', re.I)
_CODE = re.compile(r"<code>([^<]+)</code>")


def approval_form(page: str, shop_id: str) -> tuple[str, dict[str, str]] | None:
    """A sandbox approval page's form: its action and the fields that approve ``shop_id`` (or the first
    choice, where the page offers no such shop); None when the page has no form."""
    action = _FORM.search(page)
    if action is None:
        return None
    fields = {k: html.unescape(v) for k, v in _HIDDEN.findall(page)}
    for name, value in _RADIO.findall(page):
        if html.unescape(value) == shop_id or name not in fields:
            fields[name] = html.unescape(value)
    return html.unescape(action.group(1)), fields


async def _connect(
    demo: Demo, sc: SyncContext, ctx: OrgContext, platform: Platform, market: MarketCode
) -> uuid.UUID:
    """authorize -> the sandbox's approval page -> approve -> the callback's code -> tokens -> the shop.

    The "browser" asks our own app, which serves the sandbox's page where a person's browser opens it."""
    connectors = sc.connectors
    started = channels.start_connect(connectors, ctx, platform, market)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=demo.service), timeout=10) as browser:
        page = await browser.get(started.authorization_url)
        form = approval_form(page.text, demo.world.shops[platform].harness.shop_id)
        if page.status_code != 200 or form is None:
            raise DemoSetupFailed(f"{platform.value}'s sandbox showed no approval page ({page.status_code})")
        approved = await browser.post(urljoin(started.authorization_url, form[0]), data=form[1])
    if approved.is_redirect:
        params = dict(parse_qsl(urlsplit(approved.headers["location"]).query))
    else:
        shown = _CODE.search(approved.text)
        params = {"code": html.unescape(shown.group(1))} if shown else {}
    code = params.pop("code", "")
    params.pop("state", None)
    if not code:
        raise DemoSetupFailed(f"{platform.value}'s sandbox gave no authorization code")
    async with sc.tx(ctx.org_id) as session:
        account = await channels.complete_connect(
            session, connectors, ctx, platform, market, code, params, write_mode=LIVE
        )
        return account.id
