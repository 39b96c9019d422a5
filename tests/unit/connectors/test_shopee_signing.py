"""Shopee signing against the documented vectors, and push verification."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from aiostore.connectors.shopee import signing

VECTORS: dict[str, Any] = json.loads((Path(__file__).parents[2] / "vectors" / "shopee.json").read_text())
KEY: str = VECTORS["partner_key"]
PUSH = VECTORS["push"][0]


@pytest.mark.parametrize("v", VECTORS["sign"], ids=lambda v: v["id"])
def test_sign_vectors(v: dict[str, Any]) -> None:
    if v["type"] == "public":
        base = signing.public_base_string(v["partner_id"], v["path"], v["timestamp"])
        sig = signing.sign_public(KEY, v["partner_id"], v["path"], v["timestamp"])
    elif v["type"] == "shop":
        args = (v["partner_id"], v["path"], v["timestamp"], v["access_token"], v["shop_id"])
        base = signing.shop_base_string(*args)
        sig = signing.sign_shop(KEY, *args)
    else:
        args = (v["partner_id"], v["path"], v["timestamp"], v["access_token"], v["merchant_id"])
        base = signing.merchant_base_string(*args)
        sig = signing.sign_merchant(KEY, *args)
    assert base == v["base_string"]
    assert sig == v["sign"]
    assert sig == sig.lower() and len(sig) == 64


def test_ids_as_strings_sign_the_same() -> None:
    v = VECTORS["sign"][1]
    assert (
        signing.sign_shop(
            KEY, str(v["partner_id"]), v["path"], v["timestamp"], v["access_token"], str(v["shop_id"])
        )
        == v["sign"]
    )


def test_hex_looking_key_is_used_as_text() -> None:
    hexish = "0123456789abcdef0123456789abcdef"
    assert signing.sign(hexish, "x") != signing.sign(bytes.fromhex(hexish).decode("latin-1"), "x")


def test_auth_partner_url() -> None:
    url = signing.auth_partner_url(
        "https://partner.shopeemobile.com/", 2001887, KEY, 1655714431, "https://app.example/cb?state=abc"
    )
    parts = urlsplit(url)
    assert parts.path == "/api/v2/shop/auth_partner"
    query = parse_qs(parts.query)
    assert query["partner_id"] == ["2001887"]
    assert query["timestamp"] == ["1655714431"]
    assert query["redirect"] == ["https://app.example/cb?state=abc"]
    assert query["sign"] == [signing.sign_public(KEY, 2001887, "/api/v2/shop/auth_partner", 1655714431)]


def test_push_vector() -> None:
    body = PUSH["body"].encode()
    assert signing.push_signature(KEY, PUSH["url"], body) == PUSH["authorization"]
    assert signing.verify_push(KEY, PUSH["url"], body, PUSH["authorization"])
    assert signing.verify_push(KEY, PUSH["url"], body, PUSH["authorization"].upper())


@pytest.mark.parametrize(
    ("key", "url", "body"),
    [
        (KEY, PUSH["url"], PUSH["body"].replace("PROCESSED", "SHIPPED")),  # changed body
        (KEY, PUSH["url"], PUSH["body"] + " "),  # re-serialised body
        (KEY, PUSH["url"] + "/", PUSH["body"]),  # changed URL
        (KEY, "http://example.com/shopee/push", PUSH["body"]),
        (KEY + "x", PUSH["url"], PUSH["body"]),  # other key
    ],
)
def test_push_refused(key: str, url: str, body: str) -> None:
    assert not signing.verify_push(key, url, body.encode(), PUSH["authorization"])


@pytest.mark.parametrize("header", [None, "", "Bearer " + PUSH["authorization"], "00" * 32])
def test_push_refuses_missing_or_malformed_header(header: str | None) -> None:
    assert not signing.verify_push(KEY, PUSH["url"], PUSH["body"].encode(), header)
