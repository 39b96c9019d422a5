"""An organisation's content rules: its overrides (stored, audited) and the effective rules per platform
and market that the engine (domain/rules) checks listing drafts with."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ContentRuleOverrides, PlatformCategory
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform
from aiostore.domain.rules import CategoryLimits, OrgOverrides, OverrideConflict, RuleSet, effective_rules
from aiostore.errors import NotFound, invalid
from aiostore.services import audit
from aiostore.services.context import OrgContext


async def _row(
    session: AsyncSession, ctx: OrgContext, *, for_update: bool = False
) -> ContentRuleOverrides | None:
    query = select(ContentRuleOverrides).where(ContentRuleOverrides.org_id == ctx.org_id)
    if for_update:
        query = query.with_for_update()
    found: ContentRuleOverrides | None = await session.scalar(query)
    return found


async def get_overrides(session: AsyncSession, ctx: OrgContext) -> OrgOverrides:
    row = await _row(session, ctx)
    return OrgOverrides.model_validate(row.overrides) if row is not None else OrgOverrides()


def _check_against_platforms(overrides: OrgOverrides) -> None:
    """Every platform's rules in every market accept the overrides (a limit is only tightened)."""
    for platform in Platform:
        for market in MarketCode:
            try:
                effective_rules(platform.value, market.value, overrides, strict=True)
            except OverrideConflict as exc:
                raise invalid(exc.field, str(exc), "looser_than_platform") from exc


async def set_overrides(session: AsyncSession, ctx: OrgContext, overrides: OrgOverrides) -> OrgOverrides:
    """Replace the organisation's overrides; audited (`rules.overrides_changed`). The same overrides again
    change and audit nothing."""
    _check_against_platforms(overrides)
    row = await _row(session, ctx, for_update=True)
    before: dict[str, Any] = row.overrides if row is not None else OrgOverrides().model_dump(mode="json")
    after = overrides.model_dump(mode="json")
    if before == after:
        return overrides
    if row is None:
        row = ContentRuleOverrides(org_id=ctx.org_id, overrides=after)
        session.add(row)
    else:
        row.overrides = after
    await session.flush()
    await audit.record(
        session, ctx, "rules.overrides_changed", "content_rule_overrides", row.id, before=before, after=after
    )
    return overrides


async def rules_for(
    session: AsyncSession,
    ctx: OrgContext,
    platform: Platform,
    market: MarketCode,
    category: CategoryLimits | None = None,
) -> RuleSet:
    """The rules the organisation's listings on `platform` in `market` (of a category whose limits the
    platform serves: `category`) are checked with."""
    return effective_rules(platform.value, market.value, await get_overrides(session, ctx), category=category)


async def category_limits(
    session: AsyncSession, platform: Platform, market: MarketCode, category_id: str
) -> CategoryLimits | None:
    """The limits the platform serves for a cached category (None: it serves none); NotFound when the
    category is not in the reference cache."""
    row = await session.get(PlatformCategory, (platform.value, market.value, category_id))
    if row is None:
        raise NotFound("category not found (or the platform's categories were not read yet)")
    return CategoryLimits.model_validate(row.limits) if row.limits else None
