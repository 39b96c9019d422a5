"""Reading a push body, shared by the platforms whose pushes are ``{<type field>, "timestamp", "data"}``
JSON objects (Shopee, TikTok Shop, Lazada): the checks of the envelope, the times, the fallback dedup key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiostore.connectors.errors import InvalidRequest


@dataclass(frozen=True, slots=True)
class Push:
    body: dict[str, Any]
    code: int  # the push's type (Shopee ``code``, TikTok ``type``, Lazada ``message_type``)
    data: dict[str, Any]

    @property
    def timestamp(self) -> Any:
        return self.body.get("timestamp")

    def fallback_key(self, shop_id: str | None) -> str:
        """A dedup key for a push that names no order: the same content at the same time is one push."""
        canonical = json.dumps(self.data, sort_keys=True, separators=(",", ":")).encode()
        return f"{shop_id}:{self.code}:{self.timestamp}:{hashlib.sha256(canonical).hexdigest()[:16]}"


def read_push(raw_body: bytes, type_field: str, platform: str) -> Push:
    """The push's JSON object, its numeric type and its ``data`` ({} when absent); ``InvalidRequest``
    when the body is not such an object."""
    try:
        body = json.loads(raw_body)
    except ValueError as exc:
        raise InvalidRequest("push body is not JSON", platform=platform) from exc
    if not isinstance(body, dict) or type_field not in body:
        raise InvalidRequest(f"push body has no {type_field}", platform=platform)
    try:
        code = int(body[type_field])
    except (TypeError, ValueError) as exc:
        raise InvalidRequest(
            f"push {type_field} {body[type_field]!r} is not a number", platform=platform
        ) from exc
    data = body.get("data")
    return Push(body, code, data if isinstance(data, dict) else {})


def when(value: Any) -> datetime | None:
    """Unix seconds, or milliseconds past 10^11 (Lazada's samples use both), as an aware UTC datetime."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if number <= 0:
        return None
    return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, UTC)
