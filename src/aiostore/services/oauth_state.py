"""The `state` of a marketplace authorization: signed, expiring, naming who asked and for what.

It travels through the platform and comes back on the callback, so the callback needs no session:
the signature proves an admin of that org started this connection within the last 15 minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass

from aiostore.errors import invalid

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
    body, _, mac = state.partition(".")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        data = json.loads(payload)
    except ValueError as exc:
        raise invalid("state", "the authorization state is not valid; start the connection again") from exc
    if not mac or not hmac.compare_digest(mac, _mac(secret, payload)):
        raise invalid("state", "the authorization state is not valid; start the connection again")
    if int(data["e"]) < (now or time.time()):
        raise invalid("state", "the authorization took too long; start the connection again", "expired")
    if data["p"] != platform:
        raise invalid("state", "this authorization was started for another platform")
    return ConnectState(uuid.UUID(data["o"]), uuid.UUID(data["u"]), data["p"], data["m"], int(data["e"]))
