"""TikTok Shop codes → the error family; push parsing and its dedup key."""

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
from aiostore.connectors.tiktokshop.errors import TimestampInvalid, error_for
from aiostore.connectors.tiktokshop.webhooks import parse_push
from aiostore.domain.orders import OrderStatus
from aiostore.domain.platforms import Platform

W1, W2 = json.loads((Path(__file__).parents[3] / "vectors" / "tiktokshop.json").read_text())["push"]


@pytest.mark.parametrize(
    ("code", "message", "status", "cls"),
    [
        (106001, "signature is invalid", 401, InvalidRequest),
        (105002, "access token is expired, please refresh it", 401, AuthExpired),
        (105001, "access token is invalid", 401, AuthExpired),
        (105005, "you should apply auth pkg for this api", 200, Refused),
        (36004001, "rt has expired", 200, AuthExpired),
        (36004005, "can not find related auth record", 200, AuthExpired),
        (36004004, "invalid auth code", 200, InvalidRequest),
        (36009002, "Too many requests.", 429, RateLimited),
        (36009003, "Internal error.", 500, PlatformUnavailable),
        (36009007, "Request timeout.", 408, PlatformUnavailable),
        (36009009, "Invalid path.", 404, InvalidRequest),
        (106013, "shop_cipher is required for this API.", 400, InvalidRequest),
        (36009004, "Invalid credentials. The `x-tts-access-token` header is invalid.", 401, AuthExpired),
        (36009004, "Invalid credentials. Invalid `app_key` query parameter.", 400, Refused),
        (
            36009004,
            "Missing credentials. The request does not include a required signature.",
            400,
            InvalidRequest,
        ),
        (36009004, "Invalid identifier. The `shop_cipher` query parameter is invalid.", 400, InvalidRequest),
        (
            36009004,
            "Invalid timestamp. … earlier than 5 minutes before the current time.",
            400,
            TimestampInvalid,
        ),
        (12052230, "The product 1 does not exist.", 200, NotFound),
        (25000004, "The order 5 does not exist.", 200, NotFound),
        (25001009, "The order status CANCELLED does not allow the seller to cancel it.", 200, Refused),
        (12052910, "Invalid parameter: skus[0].id is required", 200, InvalidRequest),
        (99999999, "Something new", 503, PlatformUnavailable),
        (99999999, "Something new", 401, AuthExpired),
        (99999999, "Something new", 200, Refused),
    ],
)
def test_error_table(code: int, message: str, status: int, cls: type[ConnectorError]) -> None:
    err = error_for(code, message, http_status=status, request_id="rid")
    assert type(err) is cls
    assert (err.platform, err.platform_code, err.request_id, err.message) == (
        "tiktokshop",
        str(code),
        "rid",
        message,
    )


def test_rate_limit_keeps_retry_after_and_timestamp_the_server_time() -> None:
    err = error_for(36009002, "slow", http_status=429, retry_after=2.5)
    assert isinstance(err, RateLimited) and err.retry_after == 2.5
    stamp = error_for(36009004, "Invalid timestamp.", http_status=400, server_time=1.0e9)
    assert isinstance(stamp, TimestampInvalid) and stamp.server_time == 1.0e9


def test_platform_name_is_injectable_for_reusers() -> None:
    assert error_for(105002, "expired", platform="tokopedia").platform == "tokopedia"


def test_order_status_push() -> None:
    event = parse_push(W1["body"].encode())
    assert (event.kind, event.platform_code, event.platform) == (
        WebhookKind.ORDER_STATUS,
        "1",
        Platform.TIKTOKSHOP,
    )
    assert (event.shop_id, event.order_id) == ("7494726673780148744", "576684019603311365")
    assert (event.status, event.platform_status) == (OrderStatus.TO_SHIP, "AWAITING_SHIPMENT")
    assert event.occurred_at == datetime.fromtimestamp(1664095610, UTC)


def test_return_push_means_returned() -> None:
    event = parse_push(W2["body"].encode())
    assert (event.kind, event.status) == (WebhookKind.ORDER_STATUS, OrderStatus.RETURNED)
    assert event.event_id == "tiktokshop:n:7300000000000000001"
    refund_only = json.loads(W2["body"])
    refund_only["data"]["return_type"] = "REFUND"
    assert parse_push(json.dumps(refund_only).encode()).status is None


def test_cancellation_push() -> None:
    body = {
        "type": 11,
        "shop_id": "1",
        "timestamp": 1,
        "data": {"order_id": "9", "cancel_status": "CANCELLATION_REQUEST_COMPLETE"},
    }
    assert parse_push(json.dumps(body).encode()).status is OrderStatus.CANCELLED


def test_dedup_key_is_stable_and_distinguishes_changes() -> None:
    body = json.loads(W1["body"])
    first = parse_push(W1["body"].encode())
    assert parse_push(json.dumps(body, indent=2).encode()).event_id == first.event_id  # re-serialised
    later = {**body, "data": {**body["data"], "order_status": "IN_TRANSIT", "update_time": 1664099999}}
    assert parse_push(json.dumps(later).encode()).event_id != first.event_id
    tagged = {**body, "tts_notification_id": "N-1"}
    assert parse_push(json.dumps(tagged).encode()).event_id == "tiktokshop:n:N-1"


@pytest.mark.parametrize(
    ("push_type", "kind"),
    [
        (4, WebhookKind.ORDER_TRACKING),
        (5, WebhookKind.PRODUCT),
        (6, WebhookKind.SHOP_DEAUTHORIZED),
        (7, WebhookKind.AUTHORIZATION_EXPIRING),
        (3, WebhookKind.OTHER),
        (99, WebhookKind.OTHER),
    ],
)
def test_other_pushes(push_type: int, kind: WebhookKind) -> None:
    body = json.dumps({"type": push_type, "shop_id": "5", "timestamp": 1700000000, "data": {"x": 1}}).encode()
    event = parse_push(body)
    assert event.kind is kind and event.status is None and event.order_id is None
    other = json.dumps(
        {"type": push_type, "shop_id": "5", "timestamp": 1700000000, "data": {"x": 2}}
    ).encode()
    assert parse_push(other).event_id != event.event_id


def test_a_reuser_names_its_own_platform() -> None:
    assert parse_push(W1["body"].encode(), platform=Platform.TOKOPEDIA).event_id.startswith("tokopedia:")


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"shop_id": "1"}', b'{"type": "x"}'])
def test_bad_push_bodies(body: bytes) -> None:
    with pytest.raises(InvalidRequest):
        parse_push(body)
