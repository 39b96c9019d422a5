"""Content rules: the rules a listing is checked with on each platform and market, and the organisation's
overrides of them (tighter limits, disabled warnings, its own forbidden terms)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from aiostore.domain.market import MarketCode
from aiostore.domain.permissions import Permission
from aiostore.domain.platforms import Platform
from aiostore.domain.rules import RULES, OrgOverrides
from aiostore.services import content_rules
from aiostore.services.context import OrgContext
from aiostore.web.deps import RequirePermission, Session

router = APIRouter(prefix="/api/rules", tags=["content rules"])

Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Manage = Annotated[OrgContext, RequirePermission(Permission.RULES_MANAGE)]


class RuleOut(BaseModel):
    id: str
    severity: str  # error: blocks publishing; warning: must be acknowledged
    enabled: bool


class EffectiveRulesOut(BaseModel):
    platform: Platform
    market: MarketCode
    name: str
    length_unit: str  # how lengths are counted: characters (Unicode code points), utf8_bytes, utf16_units
    limits: dict[str, Any]  # title, description, images, sku, variants, brand, logistics, stock, price, seo
    forbidden_terms: list[str]  # the platform's and the organisation's
    other_marketplaces: list[str]
    contact_kinds: list[str]
    rules: list[RuleOut]
    # with `category_id`: what the platform serves for that category (in place of the files' values in
    # `limits`; null: it serves none)
    category_limits: dict[str, Any] | None = None


@router.get("")
async def effective(
    session: Session,
    ctx: Read,
    platform: Annotated[Platform, Query(description="the platform")],
    market: Annotated[MarketCode, Query(description="the market")],
    category_id: Annotated[
        str | None, Query(max_length=64, description="a cached category: its served limits apply")
    ] = None,
) -> EffectiveRulesOut:
    """The rules listings of this organisation are checked with on `platform` in `market`: the platform's
    rules file, its market's changes, the limits the platform serves for `category_id` (from the
    reference cache; 404 when it is not there) and the organisation's overrides."""
    overrides = await content_rules.get_overrides(session, ctx)
    served = (
        None
        if category_id is None
        else await content_rules.category_limits(session, platform, market, category_id)
    )
    found = await content_rules.rules_for(session, ctx, platform, market, served)
    spec = found.rules.model_dump(mode="json")
    text = spec.pop("text")
    for key in ("platform", "length_unit", "severity"):
        spec.pop(key)
    return EffectiveRulesOut(
        platform=platform,
        market=market,
        name=found.name,
        length_unit=found.rules.length_unit.value,
        limits=spec,
        forbidden_terms=[
            *text["forbidden_terms"],
            *text["platform_forbidden_terms"],
            *overrides.forbidden_terms,
        ],
        other_marketplaces=sorted(
            {k for k, kind in found.terms.kinds.items() if kind == "text.other_marketplace"}
        ),
        contact_kinds=text["contact_kinds"],
        rules=[
            RuleOut(id=rule, severity=found.severities[rule].value, enabled=found.enabled(rule))
            for rule in RULES
        ],
        category_limits=None if served is None else served.model_dump(mode="json", exclude_none=True),
    )


@router.get("/overrides")
async def get_overrides(session: Session, ctx: Read) -> OrgOverrides:
    """The organisation's overrides (empty lists when it has none)."""
    return await content_rules.get_overrides(session, ctx)


@router.put("/overrides")
async def put_overrides(body: OrgOverrides, session: Session, ctx: Manage) -> OrgOverrides:
    """Replace the organisation's overrides (admins and owners). A limit may only be tightened (422
    `looser_than_platform` naming it), only warnings may be disabled; audited."""
    return await content_rules.set_overrides(session, ctx, body)
