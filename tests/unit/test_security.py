"""Passwords, encryption of platform tokens with rotation, log redaction, cursors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from aiostore.errors import ValidationFailed
from aiostore.log import REDACTED, redact
from aiostore.security.crypto import DecryptionError, TokenCipher
from aiostore.security.passwords import hash_password, verify_password
from aiostore.services.pagination import decode_cursor, encode_cursor


def test_argon2id_hash_and_verify() -> None:
    h = hash_password("a long enough password")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "a long enough password")
    assert not verify_password(h, "another password")
    assert not verify_password(None, "a long enough password")
    assert not verify_password("not a hash", "x")


def test_cipher_rotation() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = TokenCipher([SecretStr(old)])
    stored = before.encrypt("shopee-access-token")
    after = TokenCipher([SecretStr(new), SecretStr(old)])
    assert after.decrypt(stored) == "shopee-access-token"
    rotated = after.rotate(stored)
    assert TokenCipher([SecretStr(new)]).decrypt(rotated) == "shopee-access-token"
    with pytest.raises(DecryptionError):
        TokenCipher([SecretStr(new)]).decrypt(stored)


def test_redaction_at_any_depth() -> None:
    event = {
        "event": "x",
        "password": "p",
        "access_token": "t",
        "headers": {"Authorization": "Bearer z", "ok": 1},
        "order": {"buyer_name": "Budi", "recipient_address": {"city": "Jakarta"}, "phone": "+62", "sku": "A"},
        "shop_id": 7,
    }
    out = redact(None, "info", dict(event))
    assert out["password"] == out["access_token"] == REDACTED
    assert out["headers"] == {"Authorization": REDACTED, "ok": 1}
    assert (
        out["order"]["buyer_name"] == out["order"]["recipient_address"] == out["order"]["phone"] == REDACTED
    )
    assert out["order"]["sku"] == "A" and out["shop_id"] == 7


# Sort values come from stored rows, which the input policy admitted: instants within its range, text
# without NUL or lone surrogates (a cursor holding anything else is refused: test_input_policy.py).
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31, 23), timezones=st.just(UTC)
)
texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=50)


@given(instants, st.uuids())
def test_cursor_round_trip_datetime(value: datetime, row_id: uuid.UUID) -> None:
    assert decode_cursor(encode_cursor(value, row_id), "datetime") == (value, row_id)


@given(texts, st.uuids())
def test_cursor_round_trip_text(value: str, row_id: uuid.UUID) -> None:
    assert decode_cursor(encode_cursor(value, row_id), "str") == (value, row_id)


@given(st.text(max_size=40))
def test_bad_cursor_is_a_422_on_cursor(garbage: str) -> None:
    try:
        decode_cursor(garbage, "datetime")
    except ValidationFailed as exc:
        assert exc.errors[0].field == "cursor"
