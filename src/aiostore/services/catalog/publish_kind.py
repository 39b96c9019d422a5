"""Committing a catalog preview (the `catalog` kind of change set): the staleness check, the publish jobs
it queues (one per shop, in the shop's write mode), and the revert that restores the before-states.

Stale: an item is refused when, since the preview, the platform state of its listings changed (a pull,
a push, another commit) or the state the master wants there changed (the product, its variants,
prices, stock, mapping or the listing's overrides). A revert preview only checks the listings.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChangeSet, ChangeSetItem
from aiostore.domain import publish
from aiostore.errors import NotFound, ValidationFailed
from aiostore.services import audit
from aiostore.services.catalog.publish import KIND, preview_catalog, products_query
from aiostore.services.catalog.publish_inputs import load, load_shops, target
from aiostore.services.changes import core
from aiostore.services.changes.schemas import ChangePolicy
from aiostore.services.context import OrgContext
from aiostore.services.sync import jobs
from aiostore.settings import get_settings

JOB = "publish"
PRODUCT_CHANGED = "product"
LISTING_CHANGED = "listing"


def product_of(item: ChangeSetItem | core.Item) -> uuid.UUID:
    return uuid.UUID((item.before or {})["product_id"])


class CatalogKind:
    name = KIND
    after_shops = True  # a catalog item's after (its target state) is read whole

    async def current(
        self, session: AsyncSession, ctx: OrgContext, items: Sequence[core.Item]
    ) -> dict[int, dict[str, Any] | None]:
        """Each item's before-state now; one marked `changed` when the master now wants another state."""
        if not items:
            return {}
        change_set = await session.get(ChangeSet, items[0].change_set_id)
        reverting = change_set is not None and change_set.revert_of is not None
        shop_ids = sorted({i.channel_account_id for i in items if i.channel_account_id}, key=str)
        try:
            shops = {s.id: s for s in await load_shops(session, shop_ids)}
        except ValidationFailed:
            return {}  # a shop is gone: every item is stale
        inputs = await load(
            session,
            ctx.org_id,
            list(shops.values()),
            products_query(ctx.org_id, [product_of(i) for i in items], None),
        )
        out: dict[int, dict[str, Any] | None] = {}
        for item in items:
            product_id = str(product_of(item))
            shop = shops.get(item.channel_account_id) if item.channel_account_id else None
            if shop is None or product_id not in inputs.products:
                out[item.seq] = None
                continue
            before, desired = target(inputs, product_id, shop)
            now: dict[str, Any] = {"state": before, "product_id": str(product_id)}
            if before != (item.before or {}).get("state"):
                now["changed"] = LISTING_CHANGED
            elif not reverting and desired != (item.after or {}).get("state"):
                now["changed"] = PRODUCT_CHANGED
            out[item.seq] = now
        return out

    def what_changed(self, item: core.Item, now: dict[str, Any] | None) -> str:
        if now is None:
            return f"{item.sku}: the product or the shop is gone since the preview"
        if now.get("changed") == LISTING_CHANGED:
            return f"{item.sku}: its listing on the shop changed since the preview (read or written again)"
        return f"{item.sku}: the master product (price, stock, mapping, overrides) changed since the preview"

    async def apply(
        self, session: AsyncSession, ctx: OrgContext, change_set: ChangeSet, items: Sequence[core.Item]
    ) -> None:
        """One publish job per shop, in that shop's write mode, in this transaction."""
        by_shop: dict[uuid.UUID, list[int]] = defaultdict(list)
        for item in items:
            if item.channel_account_id is not None:
                by_shop[item.channel_account_id].append(item.seq)
        queued = []
        for shop_id, seqs in sorted(by_shop.items(), key=lambda kv: str(kv[0])):
            job = await jobs.create(
                session,
                ctx.org_id,
                JOB,
                channel_account_id=shop_id,
                params={"change_set_id": str(change_set.id), "seqs": seqs},
                dry_run=get_settings().write_mode.value != "live",  # the shop's own mode decides if set
                started_by="cli" if ctx.actor.label == "cli" else "user",
                user_id=ctx.actor.user_id,
            )
            queued.append(
                {
                    "job_id": str(job.id),
                    "channel_account_id": str(shop_id),
                    "dry_run": job.dry_run,
                    "items": len(seqs),
                }
            )
            await audit.record(
                session,
                ctx,
                "catalog.publish_queued",
                "sync_job",
                job.id,
                after={
                    "change_set_id": str(change_set.id),
                    "channel_account_id": str(shop_id),
                    "items": len(seqs),
                    "dry_run": job.dry_run,
                },
            )
        change_set.summary = change_set.summary | {"jobs": queued}

    def approval_needed(self, policy: ChangePolicy, items: Sequence[core.Item]) -> str | None:
        return None  # publishing is permission-gated (catalog:publish) instead

    async def revert(
        self,
        session: AsyncSession,
        ctx: OrgContext,
        change_set: ChangeSet,
        items: Sequence[core.Item],
        skus: dict[uuid.UUID, str],
    ) -> core.ChangeSetView:
        """A preview restoring each applied item's before-state (a listing it created: unlisted)."""
        restore: dict[tuple[str, str], publish.State] = {}
        for item in items:
            if item.channel_account_id is None or item.before is None:
                continue
            old = item.before.get("state")
            restore[(str(product_of(item)), str(item.channel_account_id))] = (
                {"status": publish.INACTIVE} if old is None else dict(old)
            )
        if not restore:
            raise NotFound("this commit changed nothing that can be restored")
        return await preview_catalog(
            session,
            ctx,
            channel_account_ids=[uuid.UUID(s) for s in sorted({s for _, s in restore})],
            product_ids=[uuid.UUID(p) for p in dict.fromkeys(p for p, _ in restore)],
            reason=f"revert of {change_set.id}: {change_set.reason}"[:500],
            revert_of=change_set.id,
            restore=restore,
        )


core.register(CatalogKind())
assert JOB in jobs.KINDS  # noqa: S101 - a kind the jobs service accepts
