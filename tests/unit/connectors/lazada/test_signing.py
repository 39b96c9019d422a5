"""Lazada signing against the documented vectors (tests/vectors/lazada.json), on both sides, and push
verification."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from aiostore.connectors.lazada import signing
from aiostore.sandbox.lazada import signing as sandbox_signing

VECTORS: dict[str, Any] = json.loads((Path(__file__).parents[3] / "vectors" / "lazada.json").read_text())
PUSH = VECTORS["push"][0]


@pytest.mark.parametrize("v", VECTORS["sign"], ids=lambda v: v["id"])
def test_sign_vectors(v: dict[str, Any]) -> None:
    assert signing.string_to_sign(v["path"], v["params"]) == v["string_to_sign"]
    sig = signing.sign(v["secret"], v["path"], v["params"])
    assert sig == v["sign"] and sig == sig.upper() and len(sig) == 64
    assert signing.sign(v["secret"], v["path"], list(reversed(list(v["params"].items())))) == v["sign"]


@pytest.mark.parametrize("v", VECTORS["sign"], ids=lambda v: v["id"])
def test_the_sandbox_checks_the_same_vectors(v: dict[str, Any]) -> None:
    params = {**v["params"], "sign": v["sign"]}
    assert sandbox_signing.sign_matches(v["secret"], v["path"], params, "sha256", v["sign"])
    assert not sandbox_signing.sign_matches(v["secret"], v["path"], params, "sha256", v["sign"].lower())
    assert not sandbox_signing.sign_matches(v["secret"] + "x", v["path"], params, "sha256", v["sign"])
    assert not sandbox_signing.sign_matches(v["secret"], "/rest" + v["path"], params, "sha256", v["sign"])


def test_sign_ignores_the_sign_parameter_and_empty_values() -> None:
    v = VECTORS["sign"][0]
    assert signing.sign(v["secret"], v["path"], {**v["params"], "sign": "X", "note": ""}) == v["sign"]


def test_the_legacy_hmac_method_is_md5() -> None:
    v = VECTORS["sign"][0]
    md5 = signing.sign(v["secret"], v["path"], v["params"], "hmac")
    assert len(md5) == 32 and md5 == md5.upper() and md5 != v["sign"][:32]
    assert sandbox_signing.sign_matches(v["secret"], v["path"], v["params"], "hmac", md5)


def test_push_vector() -> None:
    body = PUSH["body"].encode()
    assert signing.push_signature(PUSH["app_key"], PUSH["app_secret"], body) == PUSH["authorization"]
    assert sandbox_signing.push_signature(PUSH["app_key"], PUSH["app_secret"], body) == PUSH["authorization"]


def test_push_verification() -> None:
    key, secret, body, good = (
        PUSH["app_key"],
        PUSH["app_secret"],
        PUSH["body"].encode(),
        PUSH["authorization"],
    )
    assert signing.verify_push(key, secret, body, good)
    assert signing.verify_push(key, secret, body, f" {good.upper()} ")  # hex case does not matter
    assert not signing.verify_push(key, secret, body.replace(b"pending", b"canceled"), good)  # changed body
    assert not signing.verify_push(
        key, secret, body.replace(b"1603766859530", b"1603766859531"), good
    )  # timestamp
    assert not signing.verify_push(key, "other-secret", body, good)  # another key
    assert not signing.verify_push("100002", secret, body, good)  # another app
    assert not signing.verify_push(key, secret, body, None) and not signing.verify_push(key, secret, body, "")


def test_authorize_url() -> None:
    url = signing.authorize_url(
        "https://auth.lazada.com/", "100001", "https://app.example/cb?x=1", "st", "my"
    )
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("auth.lazada.com", "/oauth/authorize")
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "force_auth": ["true"],
        "redirect_uri": ["https://app.example/cb?x=1"],
        "client_id": ["100001"],
        "state": ["st"],
        "country": ["my"],
    }
    assert "country" not in signing.authorize_url("https://auth.lazada.com", "1", "https://a/cb", "s")
