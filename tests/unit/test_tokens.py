"""API token shape: the org it claims is recovered exactly, whatever bytes the ids hold."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from aiostore.security.tokens import api_token_org, hash_token, new_api_token


@given(st.uuids())
def test_org_round_trips(org: uuid.UUID) -> None:
    token = new_api_token(org)
    assert api_token_org(token) == org


@given(st.text(max_size=80))
def test_garbage_is_not_a_token(text: str) -> None:
    if not text.startswith("aio_"):
        assert api_token_org(text) is None


def test_hash_is_stable_and_not_the_token() -> None:
    token = new_api_token(uuid.uuid4())
    assert hash_token(token) == hash_token(token) != token
