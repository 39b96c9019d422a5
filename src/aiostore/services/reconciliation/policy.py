"""What the reconciliation does with an edit made directly in a seller centre, per kind.

- `ask` (the default): keep the finding open for a person to adopt, overwrite or ignore.
- `adopt`: take the platform's value into our data. A price becomes the shop's own price through a
  price change set, previewed and committed by the system (audited, revertable, approval thresholds
  applying: a seller expects an adopted price to be one more committed price change they can revert);
  a title becomes the listing's own title (`overrides.title`), a status the listing's (`overrides.status`),
  each audited.
- `overwrite` (price only): send our committed price again, through the shop's push. Titles and
  statuses have no write path yet (catalog publishing is planned), so they cannot be overwritten.

Stock is not a choice: one stock pool is the point of the product, so stock drift is always repaired.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.services import audit
from aiostore.services.changes.policy import organization
from aiostore.services.context import OrgContext


class ReconciliationPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    price: Literal["ask", "adopt", "overwrite"] = "ask"
    title: Literal["ask", "adopt"] = "ask"
    status: Literal["ask", "adopt"] = "ask"


async def get_policy(session: AsyncSession, ctx: OrgContext) -> ReconciliationPolicy:
    stored = (await organization(session, ctx)).reconciliation_policy or {}
    known = {k: v for k, v in stored.items() if k in ReconciliationPolicy.model_fields}
    return ReconciliationPolicy.model_validate(known)


async def set_policy(
    session: AsyncSession, ctx: OrgContext, policy: ReconciliationPolicy
) -> ReconciliationPolicy:
    org = await organization(session, ctx, lock=True)
    before = await get_policy(session, ctx)
    org.reconciliation_policy = policy.model_dump()
    await session.flush()
    if before != policy:
        await audit.record(
            session,
            ctx,
            "org.reconciliation_policy_set",
            "organization",
            org.id,
            before=before.model_dump(),
            after=policy.model_dump(),
        )
    return policy
