"""Idempotency-Key, as Stripe does it, recorded in the same transaction as the change.

A key is either unclaimed or finished with its response, never "applied and unrecorded":
- `claim` runs in the request's own transaction. It takes a transaction-scoped advisory lock on
  (org, user, key); a concurrent duplicate cannot take it and gets 409 with `Retry-After: 1`. Under
  the lock it replays a stored response (the same request) or refuses the key (another request).
- `record` writes the response into that same transaction just before it commits (the web middleware
  does this after the endpoint returned), so the change and its response commit together. A process
  that dies before the commit leaves nothing: the key is unclaimed, a retry runs the request once.
- A request that failed with 4xx rolled its change back; `record_alone` then stores the 4xx in a
  transaction of its own. A 5xx (an exception) stores nothing: nothing was applied, retrying is safe.

Stored bodies are encrypted with the installation's Fernet keys (a response may hold a new API token's
secret or buyer data); a stored response that cannot be decrypted any more (keys dropped, or a row
written before bodies were encrypted) is never run again: the caller is told to use a new key.
Responses are kept 24 h. Keys are scoped to org and user.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import IdempotencyKey
from aiostore.db.session import Database
from aiostore.errors import IdempotencyInProgress, IdempotencyKeyReused, IdempotencyResponseLost, invalid
from aiostore.security.crypto import DecryptionError, TokenCipher

MAX_KEY_LENGTH = 255
COMPLETED = "completed"


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class Claim:
    org_id: uuid.UUID
    user_id: uuid.UUID
    key: str
    method: str
    path: str
    fingerprint: str
    ttl: timedelta


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


def _lock_id(claim_: Claim) -> int:
    digest = hashlib.sha256(f"idempotency:{claim_.org_id}:{claim_.user_id}:{claim_.key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def _lock(session: AsyncSession, claim_: Claim, *, wait: bool) -> bool:
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    got = await session.scalar(text(f"SELECT {function}(:id)::text"), {"id": _lock_id(claim_)})
    return wait or got == "true"


async def claim(session: AsyncSession, claim_: Claim, cipher: TokenCipher) -> Claim | StoredResponse:
    """Hold the key for this request's transaction, or return the stored response to replay."""
    if not await _lock(session, claim_, wait=False):
        raise IdempotencyInProgress(headers={"Retry-After": "1"})
    same_key = (
        (IdempotencyKey.org_id == claim_.org_id)
        & (IdempotencyKey.user_id == claim_.user_id)
        & (IdempotencyKey.key == claim_.key)
    )
    # Expired responses are forgotten, and so are claims left by the earlier two-transaction scheme.
    await session.execute(
        delete(IdempotencyKey).where(
            same_key,
            (IdempotencyKey.expires_at < datetime.now(UTC)) | (IdempotencyKey.status != COMPLETED),
        )
    )
    existing = await session.scalar(select(IdempotencyKey).where(same_key))
    if existing is None:
        return claim_
    if existing.request_hash != claim_.fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used for a different request; use a new key"
        )
    try:
        if existing.response_status is None or existing.response_body is None:
            raise DecryptionError("no stored body")
        body = cipher.decrypt_bytes(existing.response_body)
    except DecryptionError as exc:
        raise IdempotencyResponseLost(
            "the first request with this Idempotency-Key succeeded; send a new key to make another request"
        ) from exc
    return StoredResponse(existing.response_status, body, replay_headers(existing.response_headers))


async def record(session: AsyncSession, claim_: Claim, response: StoredResponse, cipher: TokenCipher) -> None:
    """Store the response in the request's own transaction (the caller commits)."""
    now = datetime.now(UTC)
    await session.execute(
        insert(IdempotencyKey)
        .values(
            id=uuid.uuid4(),
            org_id=claim_.org_id,
            user_id=claim_.user_id,
            key=claim_.key,
            method=claim_.method,
            path=claim_.path,
            request_hash=claim_.fingerprint,
            status=COMPLETED,
            response_status=response.status,
            response_body=cipher.encrypt_bytes(response.body),
            response_headers=response.headers,
            expires_at=now + claim_.ttl,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["org_id", "user_id", "key"])
    )


async def record_alone(db: Database, claim_: Claim, response: StoredResponse, cipher: TokenCipher) -> None:
    """Store the response of a request whose own transaction rolled back (a 4xx), in a new one."""
    async with db.transaction(claim_.org_id, claim_.user_id) as session:
        await _lock(session, claim_, wait=True)
        await record(session, claim_, response, cipher)


def replay_headers(headers: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in headers.items()}
