"""Idempotency-Key, as Stripe does it.

The first request with a key claims it (a committed row, outside the request's own transaction, so a
concurrent duplicate sees it at once and gets 409). Its response, errors included, is stored for 24 h
and replayed for the same key and the same request; the same key with another request is refused.
A 5xx response is not stored (the claim is released), so a client may retry after a server fault.
Keys are scoped to org and user.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert

from aiostore.db.models import IdempotencyKey
from aiostore.db.session import Database
from aiostore.errors import IdempotencyInProgress, IdempotencyKeyReused, invalid

MAX_KEY_LENGTH = 255
# A claim still "in progress" after this long belongs to a request that died; it may be taken over.
STALE_CLAIM = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class Claim:
    id: uuid.UUID
    org_id: uuid.UUID
    user_id: uuid.UUID


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def validate_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise invalid("Idempotency-Key", f"must be 1 to {MAX_KEY_LENGTH} printable characters")
    return key


async def claim(
    db: Database,
    *,
    org_id: uuid.UUID,
    user_id: uuid.UUID,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    ttl: timedelta,
) -> Claim | StoredResponse:
    """Claim the key for this request, or return the stored response to replay."""
    now = datetime.now(UTC)
    async with db.transaction(org_id, user_id) as session:
        # Expired keys are forgotten; an abandoned claim is taken over.
        await session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.org_id == org_id,
                IdempotencyKey.user_id == user_id,
                IdempotencyKey.key == key,
                (IdempotencyKey.expires_at < now)
                | (
                    (IdempotencyKey.status == "in_progress") & (IdempotencyKey.updated_at < now - STALE_CLAIM)
                ),
            )
        )
        new_id = uuid.uuid4()
        inserted = await session.scalar(
            insert(IdempotencyKey)
            .values(
                id=new_id,
                org_id=org_id,
                user_id=user_id,
                key=key,
                method=method,
                path=path,
                request_hash=fingerprint,
                status="in_progress",
                response_headers={},
                expires_at=now + ttl,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["org_id", "user_id", "key"])
            .returning(IdempotencyKey.id)
        )
        if inserted is not None:
            return Claim(inserted, org_id, user_id)
        existing = await session.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.org_id == org_id,
                IdempotencyKey.user_id == user_id,
                IdempotencyKey.key == key,
            )
        )
    if existing is None:  # deleted between our insert and select: a concurrent request finished
        raise IdempotencyInProgress()
    if existing.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used for a different request; use a new key"
        )
    if existing.status != "completed" or existing.response_status is None:
        raise IdempotencyInProgress(headers={"Retry-After": "1"})
    return StoredResponse(existing.response_status, existing.response_body or b"", existing.response_headers)


async def complete(db: Database, claim_: Claim, response: StoredResponse) -> None:
    async with db.transaction(claim_.org_id, claim_.user_id) as session:
        await session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == claim_.id)
            .values(
                status="completed",
                response_status=response.status,
                response_body=response.body,
                response_headers=response.headers,
                updated_at=datetime.now(UTC),
            )
        )


async def release(db: Database, claim_: Claim) -> None:
    async with db.transaction(claim_.org_id, claim_.user_id) as session:
        await session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == claim_.id))


def replay_headers(headers: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in headers.items()}
