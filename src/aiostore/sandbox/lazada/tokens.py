"""Seller authorization and tokens (lazada-tokopedia.md §A3).

- Opening /oauth/authorize starts an approval session; approving a seller gives a code (``0_{app_key}_…``)
  that can be used once and dies after 30 minutes, bound to the app and the seller.
- /auth/token/create turns a code into an access token and a refresh token (lifetimes from the config).
- /auth/token/refresh uses a refresh token once: it answers a new access token and a new refresh token
  (the rotation §A3 allows); the old access token keeps working until its own expiry.
Tokens look like Lazada's (``50000…``, 60 characters) and come from a seeded generator.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from aiostore.sandbox.lazada.config import LazadaSandboxConfig

_ALPHABET = string.ascii_letters + string.digits


@dataclass(slots=True)
class Grant:
    """A secret bound to an app and a seller: access token, refresh token or auth code."""

    value: str
    app_key: str
    seller_id: str
    expires_at: int
    used: bool = False


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    seller_id: str
    app_key: str


@dataclass(slots=True)
class AuthSession:
    session_id: str
    app_key: str
    redirect_uri: str
    state: str
    countries: tuple[str, ...]
    expires_at: int
    used: bool = False


class TokenStore:
    def __init__(self, config: LazadaSandboxConfig) -> None:
        self.config = config
        self._rng = random.Random(f"lazada-tokens-{config.seed}")
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, Grant] = {}
        self.codes: dict[str, Grant] = {}
        self.sessions: dict[str, AuthSession] = {}
        self.authorizations: dict[tuple[str, str], int] = {}  # (app_key, seller_id) -> authorized at

    def _random(self, size: int) -> str:
        return "".join(self._rng.choice(_ALPHABET) for _ in range(size))

    def _token(self, kind: str) -> str:
        return f"5000{kind}{self._random(54)}"

    # ------------------------------------------------------------ authorization (approval page)

    def open_session(
        self, app_key: str, redirect_uri: str, state: str, countries: tuple[str, ...], now: int
    ) -> str:
        session_id = self._random(32)
        self.sessions[session_id] = AuthSession(
            session_id, app_key, redirect_uri, state, countries, now + self.config.auth_session_ttl
        )
        return session_id

    def take_session(self, session_id: str, now: int) -> AuthSession | None:
        session = self.sessions.get(session_id)
        if session is None or session.used or session.expires_at < now:
            return None
        session.used = True
        return session

    def authorize(self, app_key: str, seller_id: str, now: int) -> str:
        """The seller approved: record the authorization and return a fresh code."""
        self.authorizations[app_key, seller_id] = now
        code = f"0_{app_key}_{self._random(25)}"
        self.codes[code] = Grant(code, app_key, seller_id, now + self.config.auth_code_ttl)
        return code

    # ------------------------------------------------------------ tokens

    def exchange_code(self, code: str, app_key: str, now: int) -> TokenPair | None:
        grant = self.codes.get(code)
        if not self._usable(grant, app_key, now):
            return None
        assert grant is not None  # noqa: S101 - _usable checked it
        grant.used = True
        return self.issue(app_key, grant.seller_id, now)

    def refresh_pair(self, refresh_token: str, app_key: str, now: int) -> TokenPair | None:
        grant = self.refresh.get(refresh_token)
        if not self._usable(grant, app_key, now):
            return None
        assert grant is not None  # noqa: S101
        grant.used = True
        return self.issue(app_key, grant.seller_id, now)

    def issue(
        self,
        app_key: str,
        seller_id: str,
        now: int,
        access_token: str | None = None,
        refresh_token: str | None = None,
    ) -> TokenPair:
        access = access_token or self._token("06")
        refresh = refresh_token or self._token("16")
        ttl, refresh_ttl = self.config.access_token_ttl, self.config.refresh_token_ttl
        self.access[access] = Grant(access, app_key, seller_id, now + ttl)
        self.refresh[refresh] = Grant(refresh, app_key, seller_id, now + refresh_ttl)
        self.authorizations.setdefault((app_key, seller_id), now)
        return TokenPair(access, refresh, ttl, refresh_ttl, seller_id, app_key)

    def seller_of(self, token: str, app_key: str, now: int) -> str | None:
        grant = self.access.get(token)
        return grant.seller_id if self._usable(grant, app_key, now) and grant is not None else None

    def expire(self, now: int, seller_id: str | None = None, *, refresh: bool = False) -> int:
        """Fault injection: end every access (or refresh) token, of one seller or all; returns how many."""
        grants = (self.refresh if refresh else self.access).values()
        ended = [g for g in grants if (seller_id is None or g.seller_id == seller_id) and g.expires_at >= now]
        for grant in ended:
            grant.expires_at = now - 1
        return len(ended)

    @staticmethod
    def _usable(grant: Grant | None, app_key: str, now: int) -> bool:
        return grant is not None and not grant.used and grant.expires_at >= now and grant.app_key == app_key
