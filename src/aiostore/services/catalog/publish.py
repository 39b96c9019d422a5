"""Catalog publishing previews (issue #12): for each target (product × shop), the action (create, update,
unchanged, unlist), the field diff against the platform's last state, the findings, and per shop the
calls a commit makes beside the minimum its limits allow; stored as a change set of kind `catalog`
(services/changes/core.py), committed through `publish_kind.py`.

An item freezes `before` = {"state": the platform's last state} and `after` = {"state": the desired
state, "diff": the changed fields, "send": what only a create sends (weight)}; an unchanged item freezes
nothing. Reads are a fixed number of statements for the whole set (publish_inputs.load).
"""

from __future__ import annotations

import functools
import gc
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors import registry
from aiostore.db import bulk
from aiostore.db.models import Product
from aiostore.domain import publish
from aiostore.domain.rules import effective_rules
from aiostore.errors import FieldError, ValidationFailed
from aiostore.services import content_rules
from aiostore.services.catalog import publish_findings as findings
from aiostore.services.catalog import publish_images, publish_unchanged
from aiostore.services.catalog.publish_inputs import Inputs, Shop, load, load_shops, target
from aiostore.services.changes import core
from aiostore.services.changes.policy import get_policy
from aiostore.services.context import OrgContext

P = ParamSpec("P")
R = TypeVar("R")

KIND = "catalog"
MAX_TARGETS = 100_000  # product × shop items in one preview


@dataclass(frozen=True, slots=True)
class ProductFilter:
    """Which products a preview covers when no ids are given (all fields optional: all products)."""

    status: str | None = None
    brand: str | None = None
    category: str | None = None


def ids_query(ids: set[str]) -> Select[Any]:
    """The products of these ids (one array parameter, however many)."""
    table = Product.__table__
    return select(table.c.id).where(bulk.among(table.c.id, sorted(uuid.UUID(i) for i in ids)))


def products_query(
    org_id: uuid.UUID, product_ids: Sequence[uuid.UUID] | None, f: ProductFilter | None
) -> Select[Any]:
    stmt = select(Product.__table__.c.id).where(Product.__table__.c.org_id == org_id)
    if product_ids is not None:
        return stmt.where(Product.__table__.c.id.in_(product_ids))
    f = f or ProductFilter()
    if f.status:
        stmt = stmt.where(Product.__table__.c.status == f.status)
    if f.brand:
        stmt = stmt.where(Product.__table__.c.brand == f.brand)
    if f.category:
        stmt = stmt.where(Product.__table__.c.category == f.category)
    return stmt


def _limits(platform: str) -> tuple[publish.BatchLimit, publish.BatchLimit]:
    limits = registry.default_limits(platform)
    return (
        publish.BatchLimit(limits.price_batch, limits.price_items_per_call),
        publish.BatchLimit(limits.stock_batch, limits.stock_items_per_call),
    )


@contextmanager
def _no_gc() -> Iterator[None]:
    """Building 100,000 small dicts triggers the cyclic collector over and over, each pass scanning every
    object alive (the whole preview): quadratic. Nothing built here is cyclic; collect once after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _without_cyclic_gc(fn: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Run an async function with the cyclic collector off (see `_no_gc`)."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with _no_gc():
            return await fn(*args, **kwargs)

    return wrapper


@dataclass(slots=True)
class Target:
    draft: core.Draft
    product_id: str
    shop: Shop
    before: publish.State | None
    desired: publish.State
    changes: dict[str, dict[str, Any]]


def _targets(inputs: Inputs, chosen: Sequence[tuple[str, Shop, int]]) -> list[Target]:
    """Each (product, shop, seq) target diffed: seq = the product's rank × shops + the shop's index."""
    out: list[Target] = []
    for product_id, shop, seq in chosen:
        variants = inputs.variants.get(product_id, [])
        label = (variants[0].sku if variants else inputs.products[product_id].title)[:100]
        before, desired = target(inputs, product_id, shop)
        changes = publish.diff(before, desired)
        kind = publish.action(before, desired, changes)
        draft = core.Draft(seq=seq, sku=label, channel_account_id=shop.id, market=shop.market, action=kind)
        out.append(Target(draft, product_id, shop, before, desired, changes))
    return out


def _freeze(t: Target, inputs: Inputs) -> None:
    """The item's frozen before/after (nothing for an unchanged one)."""
    if t.draft.action == publish.UNCHANGED:
        return
    variants = inputs.variants.get(t.product_id, [])
    weight = next((v.weight_g for v in variants if v.weight_g), None)
    # The package size a create sends (cm, rounded up), when the first variant gives all three.
    dims = next((v.dims for v in variants[:1] if all(v.dims)), None)
    t.draft.before = {"state": t.before, "product_id": t.product_id}
    t.draft.after = {
        "state": t.desired,
        "diff": t.changes,
        "send": {"weight_g": weight, "dimensions_cm": [-(-d // 10) for d in dims if d] if dims else None},
    }


async def _find(
    session: AsyncSession,
    ctx: OrgContext,
    targets: list[Target],
    inputs: Inputs,
    unchanged_titles: dict[uuid.UUID, list[str]],
) -> None:
    """Findings of the targets that send something; `unchanged_titles`: per shop, the titles of the
    targets decided unchanged in SQL (never diffed here), for the duplicate-title rule."""
    sending = [t for t in targets if t.draft.action in (publish.CREATE, publish.UPDATE)]
    cats = await findings.categories(
        session,
        {(t.shop.platform, t.shop.market, t.desired["category"]) for t in sending if t.desired["category"]},
    )
    by_shop: dict[uuid.UUID, list[Target]] = defaultdict(list)
    for t in sending:
        by_shop[t.shop.id].append(t)
    for shop in inputs.shops:
        chosen = by_shop.get(shop.id, [])
        if not chosen:
            continue
        overrides = await content_rules.get_overrides(session, ctx)
        checked = [
            findings.Checked(
                ref=findings.ref_of(t.product_id),
                state=t.desired,
                variants=[v for v in inputs.variants.get(t.product_id, []) if v.sku in t.desired["variants"]],
                category=cats.get((shop.platform, shop.market, t.desired["category"] or "")),
                not_sent=sorted(publish.not_updatable(shop.platform) & t.changes.keys())
                if t.before is not None
                else [],
                brand=inputs.products[t.product_id].brand,
            )
            for t in chosen
        ]
        sending_here = {id(t) for t in chosen}
        others = [
            t.before["title"]
            for t in targets
            if t.shop.id == shop.id and t.before and id(t) not in sending_here
        ] + unchanged_titles.get(shop.id, [])
        found: dict[str, list[findings.PublishFinding]] = {}
        # One rule set per category's served limits (most targets share one); each group's duplicate
        # titles are checked against the shop's other titles and the other groups' too.
        groups: dict[str, list[findings.Checked]] = defaultdict(list)
        for c in checked:
            limits = c.category.limits if c.category is not None else None
            groups[limits.model_dump_json() if limits is not None else ""].append(c)
        for group in groups.values():
            limits = group[0].category.limits if group[0].category is not None else None
            rules = effective_rules(shop.platform, shop.market, overrides, category=limits)
            rest = [c.state["title"] for g in groups.values() if g is not group for c in g]
            found |= findings.check(group, shop.platform, shop.market, rules, [*others, *rest])
        for t in chosen:
            for f in found.get(findings.ref_of(t.product_id), []):
                f.field = f"items.{t.draft.seq}.{f.field}"
                t.draft.findings.append(f)


def call_plan(
    items: Sequence[tuple[uuid.UUID, str, dict[str, Any]]],
    shops: Sequence[Shop],
    uploads: Mapping[uuid.UUID, int] | None = None,
) -> dict[str, Any]:
    """Per shop: the calls a commit of these (shop, action, diff) items makes (with `uploads`: the images
    to upload to each shop first), and the minimum."""
    per_shop: dict[uuid.UUID, list[publish.ItemCalls]] = defaultdict(list)
    platforms = {shop.id: shop.platform for shop in shops}
    for shop_id, kind, changes in items:
        per_shop[shop_id].append(publish.item_calls(kind, changes, platforms.get(shop_id, "")))
    plan: dict[str, Any] = {}
    for shop in shops:
        price, stock = _limits(shop.platform)
        plan[str(shop.id)] = {"platform": shop.platform, "market": shop.market} | publish.plan(
            per_shop.get(shop.id, []),
            price,
            stock,
            (uploads or {}).get(shop.id, 0),
            registry.default_limits(shop.platform).image_upload_batch,
        )
    return plan


@_without_cyclic_gc
async def preview_catalog(
    session: AsyncSession,
    ctx: OrgContext,
    *,
    channel_account_ids: Sequence[uuid.UUID],
    product_ids: Sequence[uuid.UUID] | None = None,
    product_filter: ProductFilter | None = None,
    reason: str = "",
    revert_of: uuid.UUID | None = None,
    restore: dict[tuple[str, str], publish.State] | None = None,
) -> core.ChangeSetView:
    """Compute and store a catalog preview. `restore` (a revert): the desired state of those (product,
    shop) targets is the given one instead of the master's."""
    shops = await load_shops(session, channel_account_ids)
    query = products_query(ctx.org_id, product_ids, product_filter)
    found = {str(i) for i in await session.scalars(query)}
    if product_ids is not None:
        unknown = [
            FieldError(f"product_ids.{n}", "unknown_product", "no such product")
            for n, p in enumerate(product_ids)
            if str(p) not in found
        ]
        if unknown:
            raise ValidationFailed("some products are not products of this organization", errors=unknown)
    order = list(dict.fromkeys(map(str, product_ids))) if product_ids is not None else sorted(found)
    if len(order) * len(shops) > MAX_TARGETS:
        raise ValidationFailed(
            f"at most {MAX_TARGETS} products × shops in one preview",
            errors=[FieldError("product_ids", "too_many", f"at most {MAX_TARGETS} products × shops")],
        )
    unchanged: dict[uuid.UUID, int] = {}
    titles: dict[uuid.UUID, list[str]] = {}
    if restore is None:  # the targets certainly unchanged are decided (and counted) in SQL
        decided = await publish_unchanged.decide(session, ctx.org_id, order, shops)
        unchanged = {shops[i].id: n for i, n in decided.unchanged.items()}
        titles = {shops[i].id: t for i, t in decided.titles.items()}
        inputs = await load(session, ctx.org_id, shops, ids_query({p for p, _, _ in decided.changed}))
        chosen = [(p, shops[i], rank * len(shops) + i) for p, i, rank in decided.changed]
        targets = _targets(inputs, sorted(chosen, key=lambda c: c[2]))
    else:
        inputs = await load(session, ctx.org_id, shops, ids_query(set(order)))
        pairs = [(p, shop) for p in order for shop in shops]
        targets = _restored(_targets(inputs, [(p, s, n) for n, (p, s) in enumerate(pairs)]), restore)
    for t in targets:
        _freeze(t, inputs)
    await _find(session, ctx, targets, inputs, titles)
    sending = [t for t in targets if not t.draft.failed]
    uploads = await publish_images.uploads_needed(
        session,
        [
            (t.shop.id, t.shop.platform, t.desired.get("images") or ())
            for t in sending
            if publish_images.sends_images(t.shop.platform, t.draft.action or "", t.changes)
        ],
    )
    plan = call_plan([(t.shop.id, t.draft.action or "", t.changes) for t in sending], shops, uploads)
    actions = [t.draft.action for t in targets]
    kinds = (publish.CREATE, publish.UPDATE, publish.UNCHANGED, publish.UNLIST)
    counts = {a: actions.count(a) for a in kinds}
    counts[publish.UNCHANGED] += sum(unchanged.values())
    summary = {
        "shops": [str(s.id) for s in shops],
        "targets": len(targets) + sum(unchanged.values()),
        "actions": counts,
        # targets decided unchanged in SQL: counted here and per shop, not stored as items
        "unchanged": counts[publish.UNCHANGED],
        "unchanged_not_listed": {str(k): n for k, n in unchanged.items() if n},
        "calls": plan,
        "publish_calls": sum(p["total"] for p in plan.values()),
        "min_publish_calls": sum(p["minimum"] for p in plan.values()),
    }
    return await core.store(
        session,
        ctx,
        KIND,
        [t.draft for t in targets],
        reason=reason,
        source=None,
        policy=await get_policy(session, ctx),
        summary=summary,
        revert_of=revert_of,
        max_items=MAX_TARGETS,
    )


def _restored(targets: list[Target], restore: dict[tuple[str, str], publish.State]) -> list[Target]:
    """Only the targets a revert restores, each wanting its old state (a listing it created: unlisted)."""
    out = []
    for seq, t in enumerate(t for t in targets if (t.product_id, t.shop.key) in restore):
        wanted = t.desired | restore[(t.product_id, t.shop.key)]
        changes = publish.diff(t.before, wanted)
        kind = publish.action(t.before, wanted, changes)
        t.draft.seq, t.draft.action, t.desired, t.changes = seq, kind, wanted, changes
        out.append(t)
    return out
