"""Random secrets shown once and stored only as SHA-256 hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid

API_TOKEN_PREFIX = "aio_"  # noqa: S105


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_api_token(org_id: uuid.UUID) -> str:
    """`aio_<org>_<secret>`: the org part lets authentication scope its lookup (RLS) before it knows more."""
    org_part = base64.urlsafe_b64encode(org_id.bytes).decode().rstrip("=")
    return f"{API_TOKEN_PREFIX}{org_part}_{secrets.token_urlsafe(32)}"


def api_token_org(token: str) -> uuid.UUID | None:
    """The org a token claims; None when the token is not of our shape."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    rest = token[len(API_TOKEN_PREFIX) :]
    # The org part is always 22 characters (16 bytes, unpadded base64) and may itself hold '_' or '-'.
    org_part, sep, secret = rest[:22], rest[22:23], rest[23:]
    if sep != "_" or len(secret) < 32:
        return None
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(org_part + "=="))
    except ValueError:
        return None
