"""The alert rules an organisation has (every kind, on by default) and their parameters."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import AlertRule
from aiostore.errors import FieldError, NotFound, ValidationFailed
from aiostore.services import audit
from aiostore.services.context import OrgContext


class Kind(StrEnum):
    LOW_COVER = "low_cover"  # a SKU under N days of cover
    OVERSOLD = "oversold"  # an open order sold beyond the stock
    # a shop whose authorisation expires soon, has expired, or was refused
    TOKEN_EXPIRY = "token_expiry"  # noqa: S105 (a name, not a secret)
    JOB_FAILED = "job_failed"  # a job dead-lettered (failed for good)
    LISTING_REJECTED = "listing_rejected"  # a listing the platform refused
    STOCK_DRIFT = "stock_drift"  # stock drift found by reconciliation or a read-back (or seen by a pull)
    QUIET_SHOP = "quiet_shop"  # a shop that normally sells and has had no order for unusually long


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LowCoverParams(_Params):
    days: float = Field(default=7, gt=0, le=365)  # alert under this many days of cover
    window_days: int = Field(default=28, ge=1, le=365)  # average daily units over this window


class NoParams(_Params):
    pass


class TokenExpiryParams(_Params):
    days: int = Field(default=7, ge=1, le=90)


class JobFailedParams(_Params):
    hours: int = Field(default=24, ge=1, le=24 * 30)  # jobs that failed this recently


class QuietShopParams(_Params):
    multiplier: float = Field(default=3, ge=1, le=100)  # times the usual longest gap between orders
    min_hours: float = Field(default=6, ge=1, le=24 * 30)  # never sooner than this
    lookback_days: int = Field(default=28, ge=7, le=365)
    min_orders: int = Field(default=10, ge=2, le=10_000)  # a shop "normally sells" with this many orders


PARAMS: dict[Kind, type[_Params]] = {
    Kind.LOW_COVER: LowCoverParams,
    Kind.OVERSOLD: NoParams,
    Kind.TOKEN_EXPIRY: TokenExpiryParams,
    Kind.JOB_FAILED: JobFailedParams,
    Kind.LISTING_REJECTED: NoParams,
    Kind.STOCK_DRIFT: NoParams,
    Kind.QUIET_SHOP: QuietShopParams,
}


def parse_params(kind: Kind, params: dict[str, Any]) -> dict[str, Any]:
    """The rule's parameters with defaults filled; a 422 naming `params.<field>` when one is wrong."""
    try:
        return PARAMS[kind].model_validate(params).model_dump()
    except ValidationError as exc:
        errors = [
            FieldError(".".join(["params", *(str(p) for p in e["loc"])]), e["type"], e["msg"])
            for e in exc.errors()
        ]
        raise ValidationFailed("the rule's parameters are not valid", errors=errors) from exc


async def ensure_defaults(session: AsyncSession, org_id: uuid.UUID) -> None:
    """Every kind's rule exists (on, with default parameters); existing ones are left as they are."""
    rows = [
        {
            "id": uuid.uuid4(),
            "org_id": org_id,
            "kind": k.value,
            "enabled": True,
            "params": parse_params(k, {}),
        }
        for k in Kind
    ]
    await session.execute(
        insert(AlertRule).values(rows).on_conflict_do_nothing(index_elements=["org_id", "kind"])
    )


async def list_rules(session: AsyncSession, ctx: OrgContext) -> list[AlertRule]:
    await ensure_defaults(session, ctx.org_id)
    order = {k.value: i for i, k in enumerate(Kind)}
    rules = (await session.scalars(select(AlertRule))).all()
    return sorted(rules, key=lambda r: order.get(r.kind, len(order)))


async def update_rule(
    session: AsyncSession, ctx: OrgContext, kind: str, *, enabled: bool | None, params: dict[str, Any] | None
) -> AlertRule:
    try:
        known = Kind(kind)
    except ValueError:
        raise NotFound(f"no alert rule of kind {kind!r}") from None
    await ensure_defaults(session, ctx.org_id)
    rule = await session.scalar(select(AlertRule).where(AlertRule.kind == known.value).with_for_update())
    if rule is None:
        raise NotFound(f"no alert rule of kind {kind!r}")
    before = {"enabled": rule.enabled, "params": dict(rule.params)}
    if params is not None:
        rule.params = parse_params(known, {**rule.params, **params})
    if enabled is not None:
        rule.enabled = enabled
    await session.flush()
    after = {"enabled": rule.enabled, "params": dict(rule.params)}
    await audit.record(session, ctx, "alert_rule.updated", "alert_rule", rule.id, before=before, after=after)
    return rule
