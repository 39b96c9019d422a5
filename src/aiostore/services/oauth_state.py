"""The `state` of a marketplace authorization: signed, expiring, single use, bound to a browser session.

It travels through the platform and comes back on the callback. The signature proves that an admin of
that org started this connection within the last 15 minutes; the `oauth_states` row (keyed by the
state's hash) makes it usable once, and only by the browser session that asked: a seller tricked into
approving someone else's link comes back without that session, and nothing is connected.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore import input_policy
from aiostore.db.models import OAuthState
from aiostore.errors import ValidationFailed, invalid
from aiostore.security.tokens import hash_token

TTL_SECONDS = 15 * 60


@dataclass(frozen=True, slots=True)
class ConnectState:
    org_id: uuid.UUID
    user_id: uuid.UUID
    platform: str
    market: str
    expires_at: int


def _mac(secret: str, payload: bytes) -> str:
    key = hashlib.sha256(b"aiostore.oauth-state:" + secret.encode()).digest()
    return base64.urlsafe_b64encode(hmac.new(key, payload, hashlib.sha256).digest()[:24]).decode().rstrip("=")


def sign(
    secret: str,
    *,
    org_id: uuid.UUID,
    user_id: uuid.UUID,
    platform: str,
    market: str,
    now: float | None = None,
) -> tuple[str, int]:
    expires = int((now or time.time()) + TTL_SECONDS)
    payload = json.dumps(
        {
            "o": str(org_id),
            "u": str(user_id),
            "p": platform,
            "m": market,
            "e": expires,
            "n": secrets.token_hex(8),
        },
        separators=(",", ":"),
    ).encode()
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{body}.{_mac(secret, payload)}", expires


def verify(secret: str, state: str, *, platform: str, now: float | None = None) -> ConnectState:
    """The state we signed, or a 422 naming `state`: its MAC is checked before its JSON is read."""
    body, _, mac = state.partition(".")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (ValueError, binascii.Error) as exc:
        raise _not_valid() from exc
    if not mac or not hmac.compare_digest(mac.encode(), _mac(secret, payload).encode()):
        raise _not_valid()
    try:
        data = input_policy.loads(payload, root="state")
        expires = int(data["e"])
        started = ConnectState(uuid.UUID(data["o"]), uuid.UUID(data["u"]), data["p"], data["m"], expires)
    except (ValueError, TypeError, KeyError) as exc:
        raise _not_valid() from exc
    if expires < (now or time.time()):
        raise invalid("state", "the authorization took too long; start the connection again", "expired")
    if started.platform != platform:
        raise invalid("state", "this authorization was started for another platform")
    return started


def _not_valid() -> ValidationFailed:
    return invalid("state", "the authorization state is not valid; start the connection again")


async def remember(
    session: AsyncSession,
    state: str,
    *,
    user_session_id: uuid.UUID,
    user_id: uuid.UUID,
    org_id: uuid.UUID,
    platform: str,
    market: str,
    expires_at: datetime,
) -> None:
    """Record a state just handed out, for the browser session that asked."""
    session.add(
        OAuthState(
            state_hash=hash_token(state),
            user_session_id=user_session_id,
            user_id=user_id,
            org_id=org_id,
            platform=platform,
            market=market,
            expires_at=expires_at,
        )
    )
    await session.flush()


async def consume(session: AsyncSession, state: str, *, user_session_id: uuid.UUID, now: float) -> None:
    """Use the state up (the caller commits at once), if this browser session started it and in time."""
    at = datetime.fromtimestamp(now, UTC)
    used = await session.scalar(
        delete(OAuthState)
        .where(
            OAuthState.state_hash == hash_token(state),
            OAuthState.user_session_id == user_session_id,
            OAuthState.expires_at > at,
        )
        .returning(OAuthState.id)
    )
    if used is not None:
        return
    found = await session.scalar(select(OAuthState).where(OAuthState.state_hash == hash_token(state)))
    if found is None:
        raise invalid(
            "state", "this authorization was already used; start the connection again", "state_used"
        )
    if found.user_session_id != user_session_id:
        raise invalid(
            "state",
            "this authorization was started in another browser session: only the person who started "
            "connecting the shop, in that browser, can complete it",
            "session_mismatch",
        )
    raise invalid("state", "the authorization took too long; start the connection again", "expired")
