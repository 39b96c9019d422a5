"""Small readers of platform answers shared by the connectors whose answers use Unix seconds and ISO
currency codes (Shopee, TikTok Shop): an unreadable value is an ``UnexpectedResponse`` of that platform."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiostore.connectors.errors import UnexpectedResponse
from aiostore.domain.market import Currency


def ts(value: Any, platform: str) -> datetime | None:
    """A Unix-seconds field as an aware UTC datetime (None for 0 or missing)."""
    if value in (None, "", 0):
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError) as exc:
        raise UnexpectedResponse(f"bad timestamp {value!r}", platform=platform) from exc


def ts_required(value: Any, field: str, platform: str) -> datetime:
    when = ts(value, platform)
    if when is None:
        raise UnexpectedResponse(f"{field} missing", platform=platform)
    return when


def to_epoch(when: datetime) -> int:
    if when.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return int(when.timestamp())


def currency_of(code: Any, default: Currency | None, platform: str) -> Currency:
    """The answer's currency code, else the shop's; neither known, or not one we trade in, is refused."""
    if not code:
        if default is None:
            raise UnexpectedResponse(
                "no currency in the answer and none known for the shop", platform=platform
            )
        return default
    try:
        return Currency(str(code))
    except ValueError as exc:
        raise UnexpectedResponse(
            f"currency {code!r} is not one AIOStore trades in", platform=platform
        ) from exc
