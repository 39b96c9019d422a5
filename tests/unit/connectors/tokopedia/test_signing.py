"""Tokopedia authentication and webhook signing against the vectors of tests/vectors/tokopedia.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aiostore.connectors.tokopedia import signing

VECTORS: dict[str, Any] = json.loads((Path(__file__).parents[3] / "vectors" / "tokopedia.json").read_text())


@pytest.mark.parametrize("v", VECTORS["basic"], ids=lambda v: v["id"])
def test_basic_authorization_vectors(v: dict[str, Any]) -> None:
    assert signing.basic_authorization(v["client_id"], v["client_secret"]) == v["authorization"]


def test_bearer() -> None:
    assert signing.bearer_authorization("LSPr7x7sRGaewzwZE6IcuA") == "Bearer LSPr7x7sRGaewzwZE6IcuA"


@pytest.mark.parametrize("v", VECTORS["webhook"], ids=lambda v: v["id"])
def test_webhook_vectors(v: dict[str, Any]) -> None:
    body = v["body"].encode()
    assert signing.webhook_signature(v["secret"], body) == v["authorization_hmac"]
    assert signing.verify_webhook(v["secret"], body, v["authorization_hmac"])
    assert signing.verify_webhook(v["secret"], body, v["authorization_hmac"].upper())  # hex in either case


T1 = VECTORS["webhook"][0]
T3 = VECTORS["webhook"][2]


@pytest.mark.parametrize(
    ("secret", "body"),
    [
        (T1["secret"], T1["body"].replace("400", "450")),  # changed body
        (T1["secret"], T1["body"] + " "),  # re-serialised body
        (T1["secret"] + "x", T1["body"]),  # other key
        ("", T1["body"]),  # no key
    ],
)
def test_webhook_refused(secret: str, body: str) -> None:
    assert not signing.verify_webhook(secret, body.encode(), T1["authorization_hmac"])


def test_a_changed_timestamp_is_refused() -> None:
    """Tokopedia signs no separate timestamp: the time travels in the body, so changing it breaks the HMAC."""
    assert signing.verify_webhook(T3["secret"], T3["body"].encode(), T3["authorization_hmac"])
    changed = T3["changed_timestamp_body"].encode()
    assert not signing.verify_webhook(T3["secret"], changed, T3["authorization_hmac"])


@pytest.mark.parametrize("header", [None, "", "Bearer " + T1["authorization_hmac"], "00" * 32, "zz"])
def test_missing_or_malformed_header(header: str | None) -> None:
    assert not signing.verify_webhook(T1["secret"], T1["body"].encode(), header)
