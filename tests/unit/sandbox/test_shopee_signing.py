"""The sandbox's Shopee signing reproduces the document's vectors S1-S4 and the push vector
(shopee-tiktokshop.md §A2, §A8)."""

from __future__ import annotations

import pytest

from aiostore.sandbox.common.push import compact_json
from aiostore.sandbox.shopee.push import build_message, order_status_payload
from aiostore.sandbox.shopee.signing import base_string, push_signature, request_sign, sign_matches

KEY = "test_partner_key_0123456789abcdef"


@pytest.mark.parametrize(
    ("path", "timestamp", "token", "entity", "base", "sign"),
    [
        (
            "/api/v2/auth/token/get",
            1655714431,
            "",
            "",
            "2001887/api/v2/auth/token/get1655714431",
            "0c212acc232b9af44093a3f982a47b546c9edf3d005ebf999580c3e5978e0336",
        ),
        (
            "/api/v2/shop/get_shop_info",
            1655714431,
            "59777174636562737266615546704c6d",
            14701711,
            "2001887/api/v2/shop/get_shop_info165571443159777174636562737266615546704c6d14701711",
            "fae2453506d0e74461bff5acf9985e736a81491c37c1c77537598bc991c034fc",
        ),
        (
            "/api/v2/product/get_item_list",
            1700000000,
            "a1b2c3d4e5f60718293a4b5c6d7e8f90",
            600000,
            "2001887/api/v2/product/get_item_list1700000000a1b2c3d4e5f60718293a4b5c6d7e8f90600000",
            "b9c345f5cc764514819ae7e4ff1c22c37493a64304e6791b13901a42a8d50e65",
        ),
        (
            "/api/v2/global_product/get_category",
            1655714431,
            "09777174636962737266615546704c6d",
            1000000,
            "2001887/api/v2/global_product/get_category165571443109777174636962737266615546704c6d1000000",
            "0c04e500e19baefae45c64a967c05b5a93cb88b106801c7412402943b0011a19",
        ),
    ],
    ids=["S1-public", "S2-shop", "S3-shop", "S4-merchant"],
)
def test_doc_vectors(path: str, timestamp: int, token: str, entity: int | str, base: str, sign: str) -> None:
    assert base_string(2001887, path, timestamp, token, entity) == base
    assert request_sign(KEY, 2001887, path, timestamp, token, entity) == sign
    assert sign_matches(sign, sign) and not sign_matches(sign, sign.upper())


def test_push_vector() -> None:
    payload = order_status_payload(727720655, "220810QSK8S7BX", "PROCESSED", 1660123127, 1660123127)
    body = compact_json(payload)
    assert body == (
        b'{"data":{"items":[],"ordersn":"220810QSK8S7BX","status":"PROCESSED","completed_scenario":"",'
        b'"update_time":1660123127},"shop_id":727720655,"code":3,"timestamp":1660123127}'
    )
    url = "https://example.com/shopee/push"
    expected = "9e950c28516bef59ec354f2a49dec9cd6f59782f016e6e9904a2f4b0d20c091e"
    assert push_signature(KEY, url, body) == expected
    message = build_message(1, KEY, url, payload)
    assert message.body == body and message.headers["Authorization"] == expected


def test_non_ascii_sign_does_not_crash() -> None:
    assert not sign_matches("ab", "é")
