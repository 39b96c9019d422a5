"""Tokopedia envelopes and codes → the connector error family; webhook parsing and dedup keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
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
from aiostore.connectors.tokopedia import webhooks
from aiostore.connectors.tokopedia.client import TokopediaClient
from aiostore.connectors.transport import Wiring
from aiostore.domain.orders import OrderStatus
from aiostore.http.client import ApiRequest, HttpPolicy

CLIENT = TokopediaClient(
    Wiring(httpx.AsyncClient(), HttpPolicy(), "tokopedia:fs:13004", rate_per_second=5, burst=5),
    base_url="https://fs.tokopedia.net",
    auth_base_url="https://accounts.tokopedia.com",
    client_id="id",
    client_secret="secret",
    fs_id="13004",
    access_token=lambda: "token",
)
API = ApiRequest("GET", "/v2/order/list", op="order.list")
TOKEN = ApiRequest("POST", "/token", op="auth.token", auth="basic")


def envelope(code: Any = None, *, reason: str = "", data: Any = None) -> dict[str, Any]:
    header: dict[str, Any] = {"process_time": 0.01, "messages": "m"}
    if code is not None:
        header |= {"error_code": code, "reason": reason}
    return {"header": header, "data": data}


def decode(status: int, body: Any, request: ApiRequest = API, headers: dict[str, str] | None = None) -> Any:
    content = json.dumps(body).encode() if body is not None else b"<html>gateway</html>"
    return CLIENT._decode(request, httpx.Response(status, content=content, headers=headers or {}))


def test_success_is_2xx_without_error_code() -> None:
    assert decode(200, envelope(data=[1]))["data"] == [1]
    assert decode(200, {"header": {"messages": "ok", "error_code": ""}, "data": 2})["data"] == 2
    assert decode(200, {"header": {"messages": "ok", "error_code": None}, "data": 3})["data"] == 3


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (500, 0, PlatformUnavailable),  # error_code 0 is an error: a number, not "none"
        (200, 0, PlatformUnavailable),
        (400, "ORD_USC_014", Refused),
        (400, "LGS_USC_012", Refused),
        (400, "ORD_API_002", InvalidRequest),
        (400, "ORD_DLV_006", InvalidRequest),
        (403, "RBAC_MDLW_001", AuthExpired),
        (500, "ORD_USC_015", AuthExpired),  # the pre-2022 answer for an unlinked fs_id
        (404, "ORD_API_008", NotFound),
        (401, "UNAUTHORIZED", AuthExpired),
        (429, "TOO_MANY_REQUESTS", RateLimited),
        (503, "ORD_API_006", PlatformUnavailable),
        (200, "PRD_SOMETHING_NEW", Refused),  # an unknown code inside a 200: a business refusal
        (418, "NEW", InvalidRequest),
    ],
)
def test_codes(status: int, code: Any, kind: type[ConnectorError]) -> None:
    with pytest.raises(kind) as caught:
        decode(status, envelope(code, reason="why"))
    assert caught.value.platform == "tokopedia" and caught.value.platform_code == str(code)
    assert "why" in caught.value.message


def test_rate_limit_waits_for_the_reset_hint() -> None:
    with pytest.raises(RateLimited) as caught:
        decode(429, envelope("TOO_MANY_REQUESTS"), headers={"X-Ratelimit-Reset-After": "0.400000"})
    assert caught.value.retry_after == pytest.approx(0.4)
    with pytest.raises(RateLimited) as again:
        decode(429, None, headers={"X-Ratelimit-Reset-After": "-0.000000", "Retry-After": "2"})
    assert again.value.retry_after == 2


@pytest.mark.parametrize(
    ("status", "kind"), [(502, PlatformUnavailable), (404, NotFound), (401, AuthExpired)]
)
def test_answers_without_an_envelope(status: int, kind: type[ConnectorError]) -> None:
    with pytest.raises(kind):
        decode(status, None)


def test_alternate_error_shape() -> None:
    with pytest.raises(InvalidRequest, match="name too long"):
        decode(200, {"status": "400 Bad Request", "error_message": ["name too long"]})


def test_token_answers() -> None:
    assert (
        decode(200, {"access_token": "t", "expires_in": 10, "token_type": "Bearer"}, TOKEN)["access_token"]
        == "t"
    )
    with pytest.raises(AuthExpired, match="client credentials"):
        decode(401, {"error": "invalid_client", "error_description": "bad"}, TOKEN)
    with pytest.raises(PlatformUnavailable):
        decode(503, None, TOKEN)


# -- webhooks ---------------------------------------------------------------------------------------

NOW = datetime(2026, 1, 1, tzinfo=UTC)
STATUS_PUSH = {"fs_id": 13004, "order_status": 450, "order_id": 55, "shop_id": 479573, "product_details": []}
NOTIFICATION = {"fs_id": 13004, "order_id": 55, "invoice_num": "INV/1", "products": [], "shop_id": 479573,
                "order_status": 220, "create_time": 1767225600}  # fmt: skip


def test_order_status_push() -> None:
    event = webhooks.parse_push(json.dumps(STATUS_PUSH).encode(), now=NOW)
    assert (event.kind, event.platform_code, event.order_id, event.shop_id) == (
        WebhookKind.ORDER_STATUS,
        "order_status",
        "55",
        "479573",
    )
    assert (event.status, event.platform_status, event.occurred_at) == (OrderStatus.TO_SHIP, "450", NOW)


def test_order_notification_push() -> None:
    event = webhooks.parse_push(json.dumps(NOTIFICATION).encode(), now=NOW)
    assert event.platform_code == "order_notification" and event.status is OrderStatus.TO_SHIP
    assert event.occurred_at == datetime(2026, 1, 1, tzinfo=UTC)


def test_event_ids_deduplicate_deliveries_not_changes() -> None:
    first = webhooks.parse_push(json.dumps(STATUS_PUSH).encode(), now=NOW)
    again = webhooks.parse_push(json.dumps(STATUS_PUSH, indent=1).encode(), now=NOW)
    later = webhooks.parse_push(json.dumps({**STATUS_PUSH, "order_status": 500}).encode(), now=NOW)
    assert first.event_id == again.event_id != later.event_id


def test_other_pushes_and_garbage() -> None:
    event = webhooks.parse_push(b'{"shop_id": 1, "message": "hi"}', now=NOW)
    assert event.kind is WebhookKind.OTHER and event.order_id is None
    with pytest.raises(InvalidRequest):
        webhooks.parse_push(b"not json")
    with pytest.raises(InvalidRequest):
        webhooks.parse_push(b"[1, 2]")
