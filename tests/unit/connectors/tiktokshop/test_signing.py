"""TikTok Shop signing against the documented vectors, and push verification."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiostore.connectors.tiktokshop import signing
from aiostore.sandbox.tiktokshop import signing as sandbox_signing

VECTORS: dict[str, Any] = json.loads((Path(__file__).parents[3] / "vectors" / "tiktokshop.json").read_text())
W1, W2 = VECTORS["push"]


def params_of(v: dict[str, Any]) -> list[tuple[str, str]]:
    return [(k, val) for k, val in v["params"]]


@pytest.mark.parametrize("v", VECTORS["sign"], ids=lambda v: v["id"])
def test_sign_vectors(v: dict[str, Any]) -> None:
    base = signing.base_string(v["path"], params_of(v), v["body"])
    assert signing.wrapped(v["app_secret"], base).decode() == v["wrapped"]
    sig = signing.sign(v["app_secret"], v["path"], params_of(v), v["body"])
    assert sig == v["sign"] and sig == sig.lower() and len(sig) == 64
    assert (
        signing.sign(v["app_secret"], v["path"], dict(params_of(v)), (v["body"] or "").encode()) == v["sign"]
    )


def test_order_of_the_query_does_not_matter_but_the_body_bytes_do() -> None:
    v = VECTORS["sign"][1]
    shuffled = list(reversed(params_of(v)))
    assert signing.sign(v["app_secret"], v["path"], shuffled, v["body"]) == v["sign"]
    respaced = json.dumps(json.loads(v["body"]))  # the same JSON with spaces: another signature
    assert signing.sign(v["app_secret"], v["path"], shuffled, respaced) != v["sign"]


def test_sign_access_token_and_arrays_are_not_signed() -> None:
    v = VECTORS["sign"][0]
    extra = [*params_of(v), ("access_token", "x"), ("x-tts-access-token", "y"), ("sign", "z")]
    assert signing.sign(v["app_secret"], v["path"], extra) == v["sign"]
    arrays = [*params_of(v), ("status", "A"), ("status", "B")]  # a repeated key is an array: left out
    assert signing.sign(v["app_secret"], v["path"], arrays) == v["sign"]
    assert signing.sign(v["app_secret"], v["path"], [*params_of(v), ("status", "A")]) != v["sign"]


def test_multipart_bodies_are_not_signed() -> None:
    v = VECTORS["sign"][0]
    assert (
        signing.sign(v["app_secret"], v["path"], params_of(v), b"--boundary...", multipart=True) == v["sign"]
    )


@given(
    st.lists(
        st.tuples(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12), st.text(max_size=20)),
        max_size=8,
    ),
    st.binary(max_size=200),
)
def test_the_sandbox_checks_what_the_connector_signs(params: list[tuple[str, str]], body: bytes) -> None:
    secret, path = "s3cr3t", "/product/202309/products/search"
    ours = signing.sign(secret, path, params, body)
    assert sandbox_signing.request_sign(secret, path, params, body) == ours


def test_webhook_vectors() -> None:
    for vector in VECTORS["push"]:
        body = vector["body"].encode()
        assert (
            signing.webhook_signature(vector["app_key"], vector["app_secret"], body)
            == vector["authorization"]
        )
        assert signing.verify_webhook(vector["app_key"], vector["app_secret"], body, vector["authorization"])
        upper = vector["authorization"].upper()
        assert signing.verify_webhook(vector["app_key"], vector["app_secret"], body, upper)
        assert (
            sandbox_signing.push_signature(vector["app_key"], vector["app_secret"], body)
            == vector["authorization"]
        )


@pytest.mark.parametrize(
    ("app_key", "app_secret", "body"),
    [
        (
            W1["app_key"],
            W1["app_secret"],
            W1["body"].replace("AWAITING_SHIPMENT", "CANCELLED"),
        ),  # changed body
        (
            W1["app_key"],
            W1["app_secret"],
            W1["body"].replace("1664095733", "1664095734"),
        ),  # changed timestamp
        (W1["app_key"], W1["app_secret"], W1["body"] + " "),  # re-serialised body
        (W1["app_key"], W1["app_secret"] + "x", W1["body"]),  # other secret
        (W1["app_key"] + "x", W1["app_secret"], W1["body"]),  # other app key
    ],
)
def test_webhook_refused(app_key: str, app_secret: str, body: str) -> None:
    assert not signing.verify_webhook(app_key, app_secret, body.encode(), W1["authorization"])


@pytest.mark.parametrize("header", [None, "", "Bearer " + W1["authorization"], "00" * 32, "é" * 64])
def test_webhook_refuses_missing_or_malformed_header(header: str | None) -> None:
    assert not signing.verify_webhook(W1["app_key"], W1["app_secret"], W1["body"].encode(), header)


def test_authorize_urls() -> None:
    current = signing.authorize_url(
        state="st 1",
        service_id="7310",
        app_key="k",
        services_base="https://services.tiktokshop.com/",
        legacy_base="https://auth.tiktok-shops.com",
    )
    parts = urlsplit(current)
    assert (parts.netloc, parts.path) == ("services.tiktokshop.com", "/open/authorize")
    assert parse_qs(parts.query) == {"service_id": ["7310"], "state": ["st 1"]}
    legacy = signing.authorize_url(
        state="st",
        service_id=None,
        app_key="k",
        services_base="x",
        legacy_base="https://auth.tiktok-shops.com/",
    )
    parts = urlsplit(legacy)
    assert (parts.netloc, parts.path) == ("auth.tiktok-shops.com", "/oauth/authorize")
    assert parse_qs(parts.query) == {"app_key": ["k"], "state": ["st"]}
