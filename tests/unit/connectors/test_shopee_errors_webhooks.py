"""Shopee error codes → the error family; push parsing and its dedup key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aiostore.connectors.dtos import WebhookKind
from aiostore.connectors.errors import (
    AuthExpired,
    ConnectorError,
    InvalidRequest,
    NotFound,
    PlatformUnavailable,
    RateLimited,
    Refused,
)
from aiostore.connectors.shopee.errors import TimestampExpired, error_for, seconds_to_quota_reset
from aiostore.connectors.shopee.webhooks import parse_push
from aiostore.domain.orders import OrderStatus

PUSH = json.loads((Path(__file__).parents[2] / "vectors" / "shopee.json").read_text())["push"][0]


@pytest.mark.parametrize(
    ("code", "message", "cls"),
    [
        ("error_sign", "Wrong sign.", InvalidRequest),
        ("error_param", "Wrong parameters, detail: page_size.", InvalidRequest),
        ("error_param", "Timestamp is expired.", TimestampExpired),
        ("error_param", "The information you queried is not found.", NotFound),
        ("error_auth", "Invalid access_token.", AuthExpired),
        ("error_auth", "Invalid partner_id or shopid.", AuthExpired),
        ("error_auth", "No permission to current api.", Refused),
        ("invalid_acceess_token", "Invalid access_token, please have a check.", AuthExpired),
        ("partner_shop_no_link", "Partner and shop has no linked.", AuthExpired),
        ("error_shop_refresh_token", "Your refresh token is error", AuthExpired),
        ("refresh_token_expired", "Your refresh_token expired.", AuthExpired),
        ("invalid_code", "The code is expired or used or invalid", InvalidRequest),
        ("error_rate_limit", "Too many requests.", RateLimited),
        ("error_limit", "daily limit", RateLimited),
        ("error_system_busy", "busy", PlatformUnavailable),
        ("error_inner", "System error", PlatformUnavailable),
        ("error_server", "Something wrong.", PlatformUnavailable),
        ("error_network", "Inner http call failed", PlatformUnavailable),
        ("error_not_found", "not found", NotFound),
        ("logistics.package_already_shipped", "shipped", Refused),
        ("order.order_list_invalid_time", "diff in 15days", InvalidRequest),
        ("ads.rate_limit.exceed_shop_api", "slow", RateLimited),
        ("product.error_item_not_found", "gone", NotFound),
        ("some.new_business_rule", "no", Refused),
    ],
)
def test_error_table(code: str, message: str, cls: type[ConnectorError]) -> None:
    err = error_for(code, message, request_id="rid")
    assert type(err) is cls
    assert (err.platform, err.platform_code, err.request_id, err.message) == ("shopee", code, "rid", message)


def test_unknown_code_falls_back_on_http_status() -> None:
    assert isinstance(error_for("error_whatever", "x", http_status=502), PlatformUnavailable)


def test_field_errors_from_detail() -> None:
    err = error_for("error_param", "Wrong parameters, detail: item_id_list over 50.")
    assert isinstance(err, InvalidRequest)
    assert [f.message for f in err.field_errors] == ["item_id_list over 50"]


def test_rate_limit_retry_after() -> None:
    err = error_for("error_rate_limit", "slow", retry_after=3.0)
    assert isinstance(err, RateLimited) and err.retry_after == 3.0
    now = datetime(2025, 1, 1, 15, 0, tzinfo=UTC)  # 23:00 UTC+8
    daily = error_for("error_limit", "quota", now=now)
    assert isinstance(daily, RateLimited) and daily.retry_after == 3600
    assert seconds_to_quota_reset(datetime(2025, 1, 1, 16, 0, tzinfo=UTC)) == 86400


def test_order_status_push() -> None:
    event = parse_push(PUSH["body"].encode())
    assert event.kind is WebhookKind.ORDER_STATUS
    assert (event.shop_id, event.order_id, event.platform_code) == ("727720655", "220810QSK8S7BX", "3")
    assert (event.status, event.platform_status) == (OrderStatus.TO_SHIP, "PROCESSED")
    assert event.occurred_at == datetime.fromtimestamp(1660123127, UTC)


def test_dedup_key_is_stable_and_distinguishes_changes() -> None:
    body = json.loads(PUSH["body"])
    same = json.dumps(body, indent=2).encode()  # re-delivered, serialised differently
    later = json.dumps(
        {**body, "data": {**body["data"], "status": "SHIPPED", "update_time": 1660124000}}
    ).encode()
    first = parse_push(PUSH["body"].encode())
    assert parse_push(same).event_id == first.event_id
    assert parse_push(later).event_id != first.event_id


@pytest.mark.parametrize(
    ("code", "kind"),
    [(1, WebhookKind.SHOP_AUTHORIZED), (2, WebhookKind.SHOP_DEAUTHORIZED), (4, WebhookKind.ORDER_TRACKING),
     (12, WebhookKind.AUTHORIZATION_EXPIRING), (99, WebhookKind.OTHER)],
)  # fmt: skip
def test_other_pushes(code: int, kind: WebhookKind) -> None:
    body = json.dumps({"shop_id": 5, "code": code, "timestamp": 1700000000, "data": {"x": 1}}).encode()
    event = parse_push(body)
    assert event.kind is kind and event.status is None
    other = json.dumps({"shop_id": 5, "code": code, "timestamp": 1700000000, "data": {"x": 2}}).encode()
    assert parse_push(other).event_id != event.event_id


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"shop_id": 1}', b'{"code": "x"}'])
def test_bad_push_bodies(body: bytes) -> None:
    with pytest.raises(InvalidRequest):
        parse_push(body)
