"""Lazada error envelopes → the connector error family; partial batch failures; push parsing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

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
from aiostore.connectors.lazada.errors import PartialFailure, TimestampRefused, error_for
from aiostore.connectors.lazada.webhooks import parse_push
from aiostore.connectors.lazada.writes import partial_results
from aiostore.domain.orders import OrderStatus
from aiostore.domain.platforms import Platform


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({"type": "ISV", "code": "IncompleteSignature"}, 200, InvalidRequest),
        ({"type": "ISV", "code": "MissingParameter"}, 200, InvalidRequest),
        ({"type": "ISV", "code": "IllegalAccessToken"}, 200, AuthExpired),
        ({"type": "ISV", "code": "IllegalRefreshToken"}, 200, AuthExpired),
        ({"type": "ISV", "code": "ApiCallLimit"}, 200, RateLimited),
        ({"type": "ISV", "code": "901"}, 200, RateLimited),
        ({"type": "ISP", "code": "ServiceUnavailable"}, 200, PlatformUnavailable),
        ({"type": "ISP", "code": "SomethingNew"}, 200, PlatformUnavailable),
        ({"type": "ISV", "code": "Whatever"}, 502, PlatformUnavailable),
        ({"type": "ISV", "code": "16"}, 200, NotFound),
        ({"type": "ISV", "code": "4137"}, 200, NotFound),
        ({"type": "ISV", "code": "19"}, 200, InvalidRequest),
        ({"type": "SYSTEM", "code": "InvalidApiPath"}, 200, InvalidRequest),
        ({"type": "ISV", "code": "SellerNotActive"}, 200, Refused),
        ({"type": "ISV", "code": "4999"}, 200, Refused),
    ],
)
def test_error_table(body: dict[str, str], status: int, expected: type[ConnectorError]) -> None:
    error = error_for({**body, "message": "m", "request_id": "r1"}, http_status=status)
    assert type(error) is expected
    assert (error.platform, error.platform_code, error.request_id, error.message) == (
        "lazada",
        body["code"],
        "r1",
        "m",
    )


def test_special_errors() -> None:
    stamp = error_for({"code": "InvalidTimestamp", "message": "late"}, server_time=1.0)
    assert isinstance(stamp, TimestampRefused) and stamp.server_time == 1.0
    limited = error_for({"code": "ApiCallLimit"}, retry_after=3.0)
    assert isinstance(limited, RateLimited) and limited.retry_after == 3.0
    partial = error_for(
        {
            "code": "501",
            "message": "Update product failed",
            "detail": [{"sku_id": "2", "message": "no"}, "junk"],
        }
    )
    assert isinstance(partial, PartialFailure) and partial.detail == [{"sku_id": "2", "message": "no"}]
    assert type(error_for({"code": "501"})) is Refused  # no detail: the whole call failed
    fields = error_for({"code": "MissingParameter", "detail": [{"field": "payload", "message": "empty"}]})
    assert isinstance(fields, InvalidRequest) and fields.field_errors[0].field == "payload"


def test_partial_results_name_the_refused_skus() -> None:
    keys = [("1", "10"), ("1", "11"), ("2", "20")]
    failure = PartialFailure(
        "Update product failed",
        detail=[{"item_id": "1", "sku_id": "11", "message": "below locked"}],
        platform="lazada",
        platform_code="501",
    )
    results = partial_results(keys, failure)
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error is not None and (results[1].error.kind, results[1].error.message) == (
        "Refused",
        "below locked",
    )
    unknown = partial_results(keys, PartialFailure("x", detail=[{"seller_sku": "A", "message": "?"}]))
    assert not any(r.ok for r in unknown) and all(r.error and r.error.retryable for r in unknown)


PUSH = {
    "seller_id": "1234567",
    "message_type": 0,
    "data": {
        "order_status": "pending",
        "trade_order_id": "260422900198363",
        "trade_order_line_id": "260422900298363",
        "status_update_time": 1603698638,
    },
    "timestamp": 1603766859530,
    "site": "lazada_vn",
}


def test_parse_trade_order_push() -> None:
    event = parse_push(json.dumps(PUSH).encode())
    assert (event.platform, event.shop_id, event.kind, event.platform_code) == (
        Platform.LAZADA,
        "1234567",
        WebhookKind.ORDER_STATUS,
        "0",
    )
    assert (event.order_id, event.status, event.platform_status) == (
        "260422900198363",
        OrderStatus.TO_SHIP,
        "pending",
    )
    assert event.occurred_at == datetime.fromtimestamp(1603698638, UTC)
    again = parse_push(
        json.dumps({**PUSH, "timestamp": 1603766999999}).encode()
    )  # a retry of the same change
    assert again.event_id == event.event_id
    later = parse_push(json.dumps({**PUSH, "data": {**PUSH["data"], "order_status": "packed"}}).encode())  # type: ignore[dict-item]
    assert later.event_id != event.event_id


def test_parse_other_pushes() -> None:
    expiring = {
        "seller_id": "null",
        "message_type": 8,
        "data": {"app_key": "115527", "auth_expiry_time": 1627542238, "seller_id": "1000165972"},
        "timestamp": 1627416758,
        "site": "lazada_ph",
    }
    event = parse_push(json.dumps(expiring).encode())
    assert (event.kind, event.shop_id, event.status, event.order_id) == (
        WebhookKind.AUTHORIZATION_EXPIRING,
        "1000165972",
        None,
        None,
    )
    assert event.occurred_at == datetime.fromtimestamp(1627416758, UTC)
    category = parse_push(
        b'{"message_type": 12, "data": {"status": "finish"}, "timestamp": 1627203600, "site": "lazada_sg"}'
    )
    assert (category.kind, category.shop_id) == (WebhookKind.CATEGORIES_CHANGED, None)


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"data": {}}', b'{"message_type": "x"}'])
def test_unreadable_pushes_are_refused(raw: bytes) -> None:
    with pytest.raises(InvalidRequest):
        parse_push(raw)
