"""Seller authorization and tokens (shopee-tiktokshop.md §B3).

- An approval session starts when the authorize page is opened (``/oauth/authorize`` or ``/open/authorize``);
  approving gives an auth code bound to the app and the seller, single-use, dead after ``auth_code_ttl``.
- token/get turns a code into an access token (7 days) and a refresh token (365 days); both expiries are
  answered as absolute Unix times. Re-authorizing ends the earlier refresh tokens of that app and seller.
- token/refresh uses a refresh token once and returns a new pair; the previous access token stays valid
  ``old_access_token_grace`` seconds more (whether TikTok rotates the refresh token is unverified: the
  sandbox does, so a client that stores the returned one works either way).
Tokens look like TikTok's (``ROW_`` + 43 URL-safe characters) and come from a seeded generator.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from aiostore.sandbox.tiktokshop.config import TikTokShopSandboxConfig

_ALPHABET = string.ascii_letters + string.digits + "-_"


@dataclass(slots=True)
class Grant:
    """A secret bound to an app and a seller: access token, refresh token or auth code."""

    value: str
    app_key: str
    open_id: str
    expires_at: int
    used: bool = False


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    access_token_expire_in: int  # absolute Unix time
    refresh_token: str
    refresh_token_expire_in: int  # absolute Unix time
    open_id: str


@dataclass(slots=True)
class AuthSession:
    session_id: str
    app_key: str
    state: str
    expires_at: int
    used: bool = False


@dataclass(slots=True)
class Authorization:
    app_key: str
    open_id: str
    granted_at: int
    shop_ids: list[str] = field(default_factory=list)


class TokenStore:
    def __init__(self, config: TikTokShopSandboxConfig) -> None:
        self.config = config
        self._rng = random.Random(f"tiktokshop-tokens-{config.seed}")
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, Grant] = {}
        self.codes: dict[str, Grant] = {}
        self.sessions: dict[str, AuthSession] = {}
        self.authorizations: dict[tuple[str, str], Authorization] = {}

    def _secret(self, prefix: str = "ROW_") -> str:
        return prefix + "".join(self._rng.choice(_ALPHABET) for _ in range(43))

    # ------------------------------------------------------------ approval page

    def open_session(self, app_key: str, state: str, now: int) -> str:
        session_id = self._secret("")
        self.sessions[session_id] = AuthSession(
            session_id, app_key, state, now + self.config.auth_session_ttl
        )
        return session_id

    def take_session(self, session_id: str, now: int) -> AuthSession | None:
        session = self.sessions.get(session_id)
        if session is None or session.used or session.expires_at < now:
            return None
        session.used = True
        return session

    def authorize(self, app_key: str, open_id: str, shop_ids: list[str], now: int) -> str:
        """The seller approved these shops: record the authorization and return a fresh auth code."""
        self.authorizations[app_key, open_id] = Authorization(app_key, open_id, now, list(shop_ids))
        code = self._secret("")
        self.codes[code] = Grant(code, app_key, open_id, now + self.config.auth_code_ttl)
        return code

    # ------------------------------------------------------------ tokens

    def exchange_code(self, code: str, app_key: str, now: int) -> TokenPair | None:
        grant = self.codes.get(code)
        if not self._usable(grant, app_key, now):
            return None
        assert grant is not None  # noqa: S101 - _usable checked it
        grant.used = True
        for old in self.refresh.values():
            if (old.app_key, old.open_id) == (app_key, grant.open_id):
                old.used = True
        self._end_access_tokens(app_key, grant.open_id, now + self.config.old_access_token_grace)
        return self.issue(app_key, grant.open_id, now)

    def refresh_pair(self, refresh_token: str, app_key: str, now: int) -> TokenPair | None:
        grant = self.refresh.get(refresh_token)
        if not self._usable(grant, app_key, now):
            return None
        assert grant is not None  # noqa: S101
        grant.used = True
        self._end_access_tokens(app_key, grant.open_id, now + self.config.old_access_token_grace)
        return self.issue(app_key, grant.open_id, now)

    def issue(
        self,
        app_key: str,
        open_id: str,
        now: int,
        access_token: str | None = None,
        refresh_token: str | None = None,
    ) -> TokenPair:
        access = access_token or self._secret()
        refresh = refresh_token or self._secret()
        access_expires = now + self.config.access_token_ttl
        refresh_expires = now + self.config.refresh_token_ttl
        self.access[access] = Grant(access, app_key, open_id, access_expires)
        self.refresh[refresh] = Grant(refresh, app_key, open_id, refresh_expires)
        return TokenPair(access, access_expires, refresh, refresh_expires, open_id)

    def access_grant(self, token: str, app_key: str) -> Grant | None:
        """The grant behind an access token of this app, expired or not (None: unknown)."""
        grant = self.access.get(token)
        return grant if grant is not None and grant.app_key == app_key else None

    def shops_of(self, app_key: str, open_id: str) -> list[str]:
        found = self.authorizations.get((app_key, open_id))
        return list(found.shop_ids) if found else []

    def expire(self, now: int, open_id: str | None = None, *, refresh: bool = False) -> int:
        """Fault injection: end every access (or refresh) token, of one seller or all; returns how many."""
        grants = (self.refresh if refresh else self.access).values()
        ended = [g for g in grants if (open_id is None or g.open_id == open_id) and g.expires_at >= now]
        for grant in ended:
            grant.expires_at = now - 1
        return len(ended)

    def _end_access_tokens(self, app_key: str, open_id: str, deadline: int) -> None:
        for grant in self.access.values():
            if (grant.app_key, grant.open_id) == (app_key, open_id):
                grant.expires_at = min(grant.expires_at, deadline)

    @staticmethod
    def _usable(grant: Grant | None, app_key: str, now: int) -> bool:
        return grant is not None and not grant.used and grant.expires_at >= now and grant.app_key == app_key
