"""The organization's change policy: thresholds of findings and of approval, with defaults."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import Organization
from aiostore.errors import NotFound
from aiostore.services import audit
from aiostore.services.changes.schemas import ChangePolicy
from aiostore.services.context import OrgContext


async def organization(session: AsyncSession, ctx: OrgContext, *, lock: bool = False) -> Organization:
    """The caller's organisation (locked for update with `lock`), whose policies live on its row."""
    stmt = select(Organization).where(Organization.id == ctx.org_id)
    org = await session.scalar(stmt.with_for_update() if lock else stmt)
    if org is None:
        raise NotFound("organization not found")
    return org


async def get_policy(session: AsyncSession, ctx: OrgContext) -> ChangePolicy:
    """The stored thresholds over the defaults (a key the policy does not know any more is ignored)."""
    stored = (await organization(session, ctx)).change_policy or {}
    known = {k: v for k, v in stored.items() if k in ChangePolicy.model_fields}
    return ChangePolicy.model_validate(known)


async def set_policy(session: AsyncSession, ctx: OrgContext, policy: ChangePolicy) -> ChangePolicy:
    org = await organization(session, ctx, lock=True)
    before = await get_policy(session, ctx)
    org.change_policy = policy.model_dump()
    await session.flush()
    await audit.record(
        session,
        ctx,
        "org.change_policy_set",
        "organization",
        org.id,
        before=before.model_dump(),
        after=policy.model_dump(),
    )
    return policy
