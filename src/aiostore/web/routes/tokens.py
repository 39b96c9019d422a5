"""API tokens for scripts: shown once, hashed at rest, revocable, scoped to one org."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, StringConstraints

from aiostore.db.models import ApiToken
from aiostore.domain.permissions import Permission, Role
from aiostore.input_policy import Instant
from aiostore.services import auth
from aiostore.services.context import OrgContext
from aiostore.web.deps import RequirePermission, Session
from aiostore.web.routes.common import StrictModel

router = APIRouter(prefix="/api/tokens", tags=["api tokens"])


class TokenIn(StrictModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    role: Role = Role.OPERATOR
    expires_at: Instant | None = None


class TokenOut(BaseModel):
    id: uuid.UUID
    name: str
    role: Role
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class CreatedTokenOut(TokenOut):
    token: str


def _out(t: ApiToken) -> TokenOut:
    return TokenOut(
        id=t.id,
        name=t.name,
        role=Role(t.role),
        prefix=t.prefix,
        created_at=t.created_at,
        last_used_at=t.last_used_at,
        expires_at=t.expires_at,
        revoked_at=t.revoked_at,
    )


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_token(
    body: TokenIn, session: Session, ctx: Annotated[OrgContext, RequirePermission(Permission.TOKENS_MANAGE)]
) -> CreatedTokenOut:
    """Create a token; its secret is in this answer only. Use it as `Authorization: Bearer <token>`."""
    created = await auth.create_api_token(
        session, ctx, name=body.name, role=body.role, expires_at=body.expires_at
    )
    return CreatedTokenOut(**_out(created.token).model_dump(), token=created.secret)


@router.get("")
async def list_tokens(
    session: Session, ctx: Annotated[OrgContext, RequirePermission(Permission.TOKENS_MANAGE)]
) -> list[TokenOut]:
    return [_out(t) for t in await auth.list_api_tokens(session, ctx)]


@router.delete("/{token_id}")
async def revoke_token(
    token_id: uuid.UUID,
    session: Session,
    ctx: Annotated[OrgContext, RequirePermission(Permission.TOKENS_MANAGE)],
) -> TokenOut:
    return _out(await auth.revoke_api_token(session, ctx, token_id))
