"""Start pulls and pushes; each becomes a job (see /api/jobs)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, status
from pydantic import Field, model_validator

from aiostore.domain.permissions import Permission
from aiostore.domain.sync import PullKind
from aiostore.services.context import OrgContext
from aiostore.services.sync import requests
from aiostore.web.deps import AppSettings, RequirePermission, Session
from aiostore.web.routes.common import StrictModel
from aiostore.web.routes.jobs import JobOut

router = APIRouter(prefix="/api/sync", tags=["sync"])
Run = Annotated[OrgContext, RequirePermission(Permission.SYNC_RUN)]


class PullIn(StrictModel):
    channel_account_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)
    kinds: list[PullKind] = Field(default=[PullKind.PRODUCTS, PullKind.ORDERS], min_length=1)


class PushIn(StrictModel):
    listing_ids: list[uuid.UUID] | None = Field(default=None, max_length=10_000)
    skus: list[str] | None = Field(default=None, max_length=10_000)
    prices: bool = Field(
        default=False,
        description="Also send the prices that committed price changes left pending for these listings "
        "(a retry); never any other price. Default: stock only.",
    )

    @model_validator(mode="after")
    def _one_of(self) -> PushIn:
        if bool(self.listing_ids) == bool(self.skus):
            raise ValueError("give listing_ids or skus (one of them, not empty)")
        return self


@router.post("/pull", status_code=status.HTTP_202_ACCEPTED)
async def pull(body: PullIn, session: Session, ctx: Run, settings: AppSettings) -> list[JobOut]:
    """Pull products (as listings, matched to master variants by SKU) and/or orders from shops."""
    created = await requests.request_pull(
        session,
        ctx,
        body.channel_account_ids,
        body.kinds,
        dry_run=settings.write_mode.value != "live",
        started_by="user",
    )
    return [JobOut.of(j) for j in created]


@router.post("/push", status_code=status.HTTP_202_ACCEPTED)
async def push(body: PushIn, session: Session, ctx: Run, settings: AppSettings) -> list[JobOut]:
    """Push the stock of chosen listings (or of every listing of chosen SKUs), one job per shop; with
    `prices: true`, also the prices committed price changes left pending for them (nothing else)."""
    created = await requests.request_push(
        session,
        ctx,
        listing_ids=body.listing_ids,
        skus=body.skus,
        prices=body.prices,
        dry_run=settings.write_mode.value != "live",
        started_by="user",
    )
    return [JobOut.of(j) for j in created]
