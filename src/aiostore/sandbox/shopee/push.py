"""Shopee push (webhook) messages (shopee-tiktokshop.md §A8).

An order status change becomes a code-3 push whose body is compact JSON in the key order of Shopee's sample
(`{"data":{"items":[],"ordersn":…,"status":…,"completed_scenario":"","update_time":…},"shop_id":…,
"code":3,"timestamp":…}`), POSTed to the partner's callback URL with Authorization = hex
HMAC-SHA256(partner_key, url + "|" + body). The receiver must answer 2xx with an empty body; pushes that
fail every attempt are kept as lost pushes for push/get_lost_push_message (earliest 100 of the last 3 days),
whose `data` is the push body as a JSON string, as in Shopee's schema sample.

A retry is the same event sent again: its send time (`timestamp`) is set afresh and signed again (the field
is documented as the push's send time; that a platform's own retry does so is unverified, see
docs/architecture.md "Webhooks"), its identity (order, status, update time) unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from aiostore.sandbox.common import PushMessage
from aiostore.sandbox.common.push import compact_json, signed_json, stamped_now
from aiostore.sandbox.shopee.signing import push_signature

ORDER_STATUS_PUSH = 3
BANNED_ITEM_PUSH = 6  # listings-and-categories.md §D: "push code 6 Banned item" (body: ours, unverified)
LOST_PUSH_PAGE = 100
LOST_PUSH_WINDOW = 3 * 86400


def order_status_payload(
    shop_id: int, order_sn: str, status: str, update_time: int, timestamp: int
) -> dict[str, Any]:
    data = {
        "items": [],
        "ordersn": order_sn,
        "status": status,
        "completed_scenario": "",
        "update_time": update_time,
    }
    return {"data": data, "shop_id": shop_id, "code": ORDER_STATUS_PUSH, "timestamp": timestamp}


def banned_item_payload(shop_id: int, item_id: int, update_time: int, timestamp: int) -> dict[str, Any]:
    data = {"item_id": item_id, "item_status": "BANNED", "update_time": update_time}
    return {"data": data, "shop_id": shop_id, "code": BANNED_ITEM_PUSH, "timestamp": timestamp}


def build_message(
    partner_id: int,
    partner_key: str,
    url: str,
    payload: dict[str, Any],
    clock: Callable[[], float] | None = None,
) -> PushMessage:
    """The signed push; with `clock`, each retry carries (and signs) the time it is sent."""
    return signed_json(
        url,
        payload,
        lambda body: {"Authorization": push_signature(partner_key, url, body)},
        (partner_id, payload),
        restamp=None if clock is None else (lambda p: stamped_now(p, clock())),
    )


def accepted(response: httpx.Response) -> bool:
    """Shopee counts a push as delivered only on HTTP 2xx with an empty body."""
    return response.is_success and not response.content


@dataclass(frozen=True, slots=True)
class LostPush:
    message_id: int
    partner_id: int
    shop_id: int
    code: int
    timestamp: int
    data: str  # the whole push body


class LostPushStore:
    def __init__(self) -> None:
        self._messages: list[LostPush] = []
        self._last_id = 0

    def add(self, partner_id: int, payload: dict[str, Any]) -> None:
        self._last_id += 1
        shop_id, code, timestamp = (
            int(payload.get("shop_id", 0)),
            int(payload["code"]),
            int(payload["timestamp"]),
        )
        self._messages.append(
            LostPush(self._last_id, partner_id, shop_id, code, timestamp, compact_json(payload).decode())
        )

    def page(self, partner_id: int, now: int) -> tuple[list[LostPush], bool]:
        recent = [
            m for m in self._messages if m.partner_id == partner_id and m.timestamp >= now - LOST_PUSH_WINDOW
        ]
        return recent[:LOST_PUSH_PAGE], len(recent) > LOST_PUSH_PAGE

    def confirm(self, partner_id: int, last_message_id: int) -> None:
        self._messages = [
            m for m in self._messages if m.partner_id != partner_id or m.message_id > last_message_id
        ]

    def __len__(self) -> int:
        return len(self._messages)
