"""The generic steps of every change set: store a preview, commit it, approve or reject it, revert it,
read it. What a kind of change does (which base it reads, what it writes) lives in its own module
(stock.py, price.py), registered here as a `Kind`.

Commit: the change set's row is locked (two commits of one preview serialise: the second finds it
committed), the items to apply are chosen (errors never; the rest only with `partial` when some item
has an error), warnings must be acknowledged, then the kind re-reads its base under lock and compares
it with each item's frozen `before`: anything changed is a 409 naming the SKUs. A commit over the
organization's approval threshold waits (202) for a second admin or owner, whose approval runs the
same check before applying.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore import memory
from aiostore.db import bulk
from aiostore.db.models import ChangeSet, ChangeSetItem, Variant
from aiostore.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from aiostore.services import audit
from aiostore.services.changes.drafts import Draft, Unreadable, numbered
from aiostore.services.changes.policy import get_policy
from aiostore.services.changes.reading import (
    AWAITING,
    COMMITTED,
    EXPIRED,
    PREVIEWED,
    REJECTED,
    ItemFilter,
    approval_deadline,
    get,
    items_page,
    list_change_sets,
    now,
    status_of,
)
from aiostore.services.changes.schemas import MAX_ITEMS, ChangePolicy, Finding
from aiostore.services.context import OrgContext

CHANGE, UNCHANGED, ERROR = "change", "unchanged", "error"
FIRST_PAGE = 50
# Items stored per statement: 10,000 items' JSON in one statement is a 10-20 MB document (and its
# encoded copy) at once; 2,000 at a time cost the same time.
STORE_CHUNK = 2_000
__all__ = [
    "AWAITING",
    "COMMITTED",
    "EXPIRED",
    "PREVIEWED",
    "REJECTED",
    "ChangeSetView",
    "Draft",
    "Unreadable",
    "Item",
    "ItemFilter",
    "Kind",
    "approval_deadline",
    "approve",
    "commit",
    "get",
    "items_page",
    "list_change_sets",
    "numbered",
    "register",
    "reject",
    "revert",
    "status_of",
    "store",
]


class StalePreview(Conflict):
    code = "stale_preview"
    title = "The stock or prices changed since the preview; preview again"


class NotOpen(Conflict):
    code = "change_set_not_open"
    title = "This change set cannot be committed in its state"


class ItemsRefused(ValidationFailed):
    code = "items_refused"
    title = "Some items have errors"


class WarningsNotAcknowledged(ValidationFailed):
    code = "warnings_not_acknowledged"
    title = "Some items have warnings; commit with acknowledge_warnings"


@dataclass(frozen=True, slots=True)
class ChangeSetView:
    change_set: ChangeSet
    items: list[ChangeSetItem]
    next_cursor: str | None


@dataclass(slots=True)
class Item:
    """A stored item as a commit, an approval and a revert read it: plain columns, not an ORM object
    (10,000 ORM items with their decoded JSON weigh tens of MB). Without its `after["shops"]` when
    the kind says it needs them not (`after_shops`): the shops a stock item reaches, each with its
    pushed quantity, are for the reader of the preview."""

    id: uuid.UUID
    change_set_id: uuid.UUID
    seq: int
    sku: str
    variant_id: uuid.UUID | None
    channel_account_id: uuid.UUID | None
    market: str | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    findings: list[Any]
    applied: bool


class Kind(Protocol):
    name: str
    after_shops: bool  # whether committing needs each item's `after["shops"]` (Item)

    async def current(
        self, session: AsyncSession, ctx: OrgContext, items: Sequence[Item]
    ) -> dict[int, dict[str, Any] | None]:
        """Each item's before-state now (by seq), read under the locks the apply step needs."""
        ...

    async def apply(
        self, session: AsyncSession, ctx: OrgContext, change_set: ChangeSet, items: Sequence[Item]
    ) -> None: ...

    def approval_needed(self, policy: ChangePolicy, items: Sequence[Item]) -> str | None:
        """Why applying these items needs a second person (None: it does not)."""
        ...

    async def revert(
        self,
        session: AsyncSession,
        ctx: OrgContext,
        change_set: ChangeSet,
        items: Sequence[Item],
        skus: dict[uuid.UUID, str],
    ) -> ChangeSetView:
        """A new preview that restores what these applied items changed (`skus`: each variant's SKU
        now, so that a renamed SKU is still found)."""
        ...


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def _state(state: dict[str, Any] | None) -> dict[str, Any] | None:
    """An item's own state, without the shops it reaches (those follow from it)."""
    return None if state is None else {k: v for k, v in state.items() if k != "shops"}


def _action(draft: Draft) -> str:
    if draft.failed:
        return ERROR
    if draft.action is not None:
        return draft.action
    return UNCHANGED if _state(draft.before) == _state(draft.after) else CHANGE


def _changes(action: str) -> bool:
    """Whether an item of this action is applied by a commit (`change`, or a kind's own word)."""
    return action not in (UNCHANGED, ERROR)


def _severity(findings: list[Finding]) -> str | None:
    levels = {f.severity for f in findings}
    return "error" if "error" in levels else ("warning" if levels else None)


async def store(
    session: AsyncSession,
    ctx: OrgContext,
    kind: str,
    drafts: Sequence[Draft],
    *,
    reason: str,
    source: dict[str, Any] | None,
    policy: ChangePolicy,
    summary: dict[str, Any] | None = None,
    revert_of: uuid.UUID | None = None,
    max_items: int = MAX_ITEMS,
) -> ChangeSetView:
    """Store a preview and its items; the answer holds the first page of items."""
    if len(drafts) > max_items:
        raise ValidationFailed(
            f"at most {max_items} items",
            errors=[FieldError("items", "too_many", f"at most {max_items} items")],
        )
    memory.note_large(len(drafts))
    actions = [_action(d) for d in drafts]
    counts = {
        "items": len(drafts),
        "changes": sum(1 for a in actions if _changes(a)),
        "unchanged": actions.count(UNCHANGED),
        "errors": actions.count(ERROR),
        "warnings": sum(1 for d, a in zip(drafts, actions, strict=True) if a != ERROR and d.findings),
    }
    change_set = ChangeSet(
        org_id=ctx.org_id,
        kind=kind,
        status=PREVIEWED,
        token=f"cs_{secrets.token_urlsafe(24)}",
        reason=reason,
        source=source,
        summary=counts | (summary or {}),
        created_by=ctx.actor.user_id,
        created_by_label=ctx.actor.label[:200],
        expires_at=now() + timedelta(minutes=policy.preview_ttl_minutes),
        revert_of=revert_of,
    )
    session.add(change_set)
    await session.flush()
    for start in range(0, len(drafts), STORE_CHUNK):  # a few statements, not one INSERT per item
        rows = [
            {
                "org_id": ctx.org_id,
                "change_set_id": change_set.id,
                "seq": d.seq,
                "row": d.row,
                "sku": d.sku[:100],
                "variant_id": d.variant_id,
                "channel_account_id": d.channel_account_id,
                "market": d.market,
                "action": action,
                "severity": _severity(d.findings),
                "before": d.before,
                "after": d.after,
                "findings": [f.plain() for f in d.findings],
            }
            for d, action in zip(drafts[start : start + STORE_CHUNK], actions[start:], strict=False)
        ]
        await bulk.insert_rows(session, ChangeSetItem, rows)
    action = "changeset.revert_previewed" if revert_of else "changeset.previewed"
    await audit.record(
        session, ctx, action, "change_set", change_set.id, after={"kind": kind, "summary": change_set.summary}
    )
    return await view(session, change_set)


async def view(session: AsyncSession, change_set: ChangeSet, limit: int = FIRST_PAGE) -> ChangeSetView:
    page = await items_page(session, change_set.id, ItemFilter(), cursor=None, limit=limit)
    return ChangeSetView(change_set, page.items, page.next_cursor)


# --- commit, approve, reject --------------------------------------------------------------------------


async def _locked(session: AsyncSession, *conditions: Any) -> ChangeSet:
    change_set = await session.scalar(
        select(ChangeSet).where(*conditions).with_for_update().execution_options(populate_existing=True)
    )
    if change_set is None:
        raise NotFound("change set not found")
    return change_set


async def _all_items(session: AsyncSession, change_set_id: uuid.UUID, kind: Kind) -> list[Item]:
    after: ColumnElement[Any] = ChangeSetItem.__table__.c.after
    if not kind.after_shops:
        after = type_coerce(after.op("-")("shops"), after.type)
    columns = [after if name == "after" else ChangeSetItem.__table__.c[name] for name in Item.__slots__]
    stmt = select(*columns).where(ChangeSetItem.change_set_id == change_set_id).order_by(ChangeSetItem.seq)
    items = [Item(*row) for row in await session.execute(stmt)]
    memory.note_large(len(items))
    return items


def _errors(items: Sequence[Item], severity: str) -> list[FieldError]:
    return [
        FieldError(f["field"], f["code"], f["message"])
        for item in items
        for f in item.findings
        if f["severity"] == severity
    ]


def _to_apply(items: Sequence[Item], *, partial: bool, acknowledge_warnings: bool) -> list[Item]:
    failed = [i for i in items if i.action == ERROR]
    if failed and not partial:
        raise ItemsRefused(
            f"{len(failed)} items have errors: fix them, or commit with partial=true to apply the rest",
            errors=_errors(failed, "error"),
        )
    chosen = [i for i in items if _changes(i.action)]
    warned = [i for i in chosen if i.findings]
    if warned and not acknowledge_warnings:
        raise WarningsNotAcknowledged(
            f"{len(warned)} items have warnings: commit with acknowledge_warnings=true to apply them",
            errors=_errors(warned, "warning"),
        )
    return chosen


async def _check_fresh(session: AsyncSession, ctx: OrgContext, kind: Kind, items: Sequence[Item]) -> None:
    current = await kind.current(session, ctx, items)
    stale = [i for i in items if current.get(i.seq) != i.before]
    if stale:
        skus = ", ".join(i.sku for i in stale[:20]) + (" ..." if len(stale) > 20 else "")
        explain = getattr(kind, "what_changed", None)  # a kind may say what changed (catalog does)
        raise StalePreview(
            f"{len(stale)} items changed since the preview ({skus}); preview again",
            errors=[
                FieldError(
                    f"items.{i.seq}",
                    "changed",
                    explain(i, current.get(i.seq)) if explain else f"{i.sku} changed since the preview",
                )
                for i in stale
            ],
        )


async def _apply(
    session: AsyncSession, ctx: OrgContext, kind: Kind, change_set: ChangeSet, items: Sequence[Item]
) -> None:
    await kind.apply(session, ctx, change_set, items)
    await session.execute(  # one statement, not one UPDATE per item
        update(ChangeSetItem)
        .where(bulk.among(ChangeSetItem.id, [i.id for i in items]))
        .values(applied=True)
        .execution_options(synchronize_session=False)
    )
    for item in items:  # the loaded items say so too
        item.applied = True
    change_set.status = COMMITTED
    change_set.summary = change_set.summary | {"applied": len(items)}
    await session.flush()


BULK_KINDS = ("stock", "price")  # what the stock and price routes, pages and CLI may commit


async def commit(
    session: AsyncSession,
    ctx: OrgContext,
    token: str,
    *,
    partial: bool,
    acknowledge_warnings: bool,
    kinds: Sequence[str] = BULK_KINDS,
) -> ChangeSetView:
    """Apply a preview (or leave it awaiting approval); see the module's docstring. Only a change set of
    one of `kinds` is found: a catalog preview is committed through its own route and permission."""
    change_set = await _locked(session, ChangeSet.token == token, ChangeSet.kind.in_(kinds))
    state = status_of(change_set)
    if state != PREVIEWED:
        raise NotOpen(f"this change set is {state}; only a preview can be committed")
    kind = KINDS[change_set.kind]
    items = await _all_items(session, change_set.id, kind)
    chosen = _to_apply(items, partial=partial, acknowledge_warnings=acknowledge_warnings)
    await _check_fresh(session, ctx, kind, chosen)
    change_set.committed_by = ctx.actor.user_id
    change_set.committed_at = now()
    change_set.partial = partial
    why = kind.approval_needed(await get_policy(session, ctx), chosen)
    if why:
        change_set.status = AWAITING
        change_set.approval_reason = why[:300]
        await session.flush()
        await audit.record(
            session, ctx, "changeset.approval_requested", "change_set", change_set.id, after={"reason": why}
        )
        return await view(session, change_set)
    await _apply(session, ctx, kind, change_set, chosen)
    await audit.record(
        session, ctx, "changeset.committed", "change_set", change_set.id,
        after={"kind": change_set.kind, "applied": len(chosen), "partial": partial},
    )  # fmt: skip
    return await view(session, change_set)


class ApprovalExpired(Conflict):
    code = "approval_expired"
    title = "This change set waited for approval too long; preview it again"


async def _awaiting(session: AsyncSession, change_set_id: uuid.UUID) -> ChangeSet:
    change_set = await _locked(session, ChangeSet.id == change_set_id)
    state = status_of(change_set)
    deadline = approval_deadline(change_set)
    if deadline is not None and state == EXPIRED:
        at = deadline.astimezone(UTC)
        message = f"change set {change_set.id} expired at {at:%Y-%m-%d %H:%M} UTC without approval"
        raise ApprovalExpired(message, errors=[FieldError("change_set_id", "expired", message)])
    if change_set.status != AWAITING:
        raise NotOpen(f"this change set is {state}, not awaiting approval")
    return change_set


async def approve(session: AsyncSession, ctx: OrgContext, change_set_id: uuid.UUID) -> ChangeSetView:
    """A second admin or owner applies a change set that awaits approval (same stale check)."""
    change_set = await _awaiting(session, change_set_id)
    if ctx.actor.user_id is None or ctx.actor.user_id in (change_set.created_by, change_set.committed_by):
        raise Forbidden(
            "a change set is approved by someone other than the person who previewed or committed it"
        )
    kind = KINDS[change_set.kind]
    items = await _all_items(session, change_set.id, kind)
    chosen = [i for i in items if _changes(i.action)]
    await _check_fresh(session, ctx, kind, chosen)
    change_set.approved_by = ctx.actor.user_id
    change_set.approved_at = now()
    await _apply(session, ctx, kind, change_set, chosen)
    await audit.record(
        session, ctx, "changeset.approved", "change_set", change_set.id,
        after={"kind": change_set.kind, "applied": len(chosen)},
    )  # fmt: skip
    return await view(session, change_set)


async def reject(session: AsyncSession, ctx: OrgContext, change_set_id: uuid.UUID) -> ChangeSetView:
    """An admin or owner turns down a change set awaiting approval; nothing is applied."""
    change_set = await _awaiting(session, change_set_id)
    change_set.status = REJECTED
    change_set.rejected_by = ctx.actor.user_id
    change_set.rejected_at = now()
    await session.flush()
    await audit.record(
        session, ctx, "changeset.rejected", "change_set", change_set.id, after={"status": REJECTED}
    )
    return await view(session, change_set)


async def revert(session: AsyncSession, ctx: OrgContext, change_set_id: uuid.UUID) -> ChangeSetView:
    """A new preview restoring what a committed change set changed, committed like any other."""
    change_set = await get(session, change_set_id)
    if change_set.status != COMMITTED:
        raise NotOpen(f"this change set is {status_of(change_set)}; only a committed one can be reverted")
    kind = KINDS[change_set.kind]
    items = [i for i in await _all_items(session, change_set.id, kind) if i.applied]
    ids = [i.variant_id for i in items if i.variant_id is not None]
    rows = await session.execute(select(Variant.id, Variant.sku).where(bulk.among(Variant.id, ids)))
    skus = {variant_id: sku for variant_id, sku in rows.all()}
    return await kind.revert(session, ctx, change_set, items, skus)
