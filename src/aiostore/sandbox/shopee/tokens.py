"""Shop authorization and tokens (shopee-tiktokshop.md §A3).

- An approval session starts when a Public-signed auth_partner link is opened; approving a shop gives a code
  that can be used once and dies after 10 minutes, bound to the partner and the shop.
- token/get turns a code into an access token (4 h) and a refresh token (30 days); re-authorizing rotates
  both: earlier refresh tokens of that partner and shop stop working.
- access_token/get uses a refresh token once; the previous access token stays valid 5 more minutes.
All lifetimes come from the config. Tokens are 32 lowercase hex characters from a seeded generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from aiostore.sandbox.shopee.config import ShopeeSandboxConfig


@dataclass(slots=True)
class Grant:
    """A short-lived secret bound to a partner and a shop: access token, refresh token or auth code."""

    value: str
    partner_id: int
    shop_id: int
    expires_at: int
    used: bool = False


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expire_in: int
    shop_id: int
    partner_id: int


@dataclass(slots=True)
class AuthSession:
    session_id: str
    partner_id: int
    redirect: str
    expires_at: int
    used: bool = False


@dataclass(slots=True)
class Authorization:
    partner_id: int
    shop_id: int
    auth_time: int
    expire_time: int


class TokenStore:
    def __init__(self, config: ShopeeSandboxConfig) -> None:
        self.config = config
        self._rng = random.Random(f"shopee-tokens-{config.seed}")
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, Grant] = {}
        self.codes: dict[str, Grant] = {}
        self.sessions: dict[str, AuthSession] = {}
        self.authorizations: dict[tuple[int, int], Authorization] = {}

    def _secret(self) -> str:
        return f"{self._rng.getrandbits(128):032x}"

    # ------------------------------------------------------------ authorization (approval page)

    def open_session(self, partner_id: int, redirect: str, now: int) -> str:
        session_id = self._secret()
        self.sessions[session_id] = AuthSession(
            session_id, partner_id, redirect, now + self.config.auth_session_ttl
        )
        return session_id

    def take_session(self, session_id: str, now: int) -> AuthSession | None:
        session = self.sessions.get(session_id)
        if session is None or session.used or session.expires_at < now:
            return None
        session.used = True
        return session

    def authorize(self, partner_id: int, shop_id: int, now: int) -> str:
        """The seller approved: record the authorization and return a fresh code."""
        self.authorizations[partner_id, shop_id] = Authorization(
            partner_id, shop_id, now, now + self.config.authorization_ttl
        )
        code = self._secret()
        self.codes[code] = Grant(code, partner_id, shop_id, now + self.config.auth_code_ttl)
        return code

    # ------------------------------------------------------------ tokens

    def exchange_code(self, code: str, partner_id: int, shop_id: int, now: int) -> TokenPair | None:
        grant = self.codes.get(code)
        if not self._usable(grant, partner_id, shop_id, now):
            return None
        assert grant is not None  # noqa: S101 - _usable checked it
        grant.used = True
        for old in self.refresh.values():
            if (old.partner_id, old.shop_id) == (partner_id, shop_id):
                old.used = True
        self._end_access_tokens(partner_id, shop_id, now + self.config.old_access_token_grace)
        return self.issue(partner_id, shop_id, now)

    def refresh_pair(self, refresh_token: str, partner_id: int, shop_id: int, now: int) -> TokenPair | None:
        grant = self.refresh.get(refresh_token)
        if not self._usable(grant, partner_id, shop_id, now):
            return None
        assert grant is not None  # noqa: S101
        grant.used = True
        self._end_access_tokens(partner_id, shop_id, now + self.config.old_access_token_grace)
        return self.issue(partner_id, shop_id, now)

    def issue(
        self,
        partner_id: int,
        shop_id: int,
        now: int,
        access_token: str | None = None,
        refresh_token: str | None = None,
    ) -> TokenPair:
        access = access_token or self._secret()
        refresh = refresh_token or self._secret()
        ttl = self.config.access_token_ttl
        self.access[access] = Grant(access, partner_id, shop_id, now + ttl)
        self.refresh[refresh] = Grant(refresh, partner_id, shop_id, now + self.config.refresh_token_ttl)
        if (partner_id, shop_id) not in self.authorizations:
            self.authorizations[partner_id, shop_id] = Authorization(
                partner_id, shop_id, now, now + self.config.authorization_ttl
            )
        return TokenPair(access, refresh, ttl, shop_id, partner_id)

    def access_valid(self, token: str, partner_id: int, shop_id: int, now: int) -> bool:
        return self._usable(self.access.get(token), partner_id, shop_id, now)

    def expire(self, now: int, shop_id: int | None = None, *, refresh: bool = False) -> int:
        """Fault injection: end every access (or refresh) token, of one shop or all; returns how many."""
        grants = (self.refresh if refresh else self.access).values()
        ended = [g for g in grants if (shop_id is None or g.shop_id == shop_id) and g.expires_at >= now]
        for grant in ended:
            grant.expires_at = now - 1
        return len(ended)

    def _end_access_tokens(self, partner_id: int, shop_id: int, deadline: int) -> None:
        for grant in self.access.values():
            if (grant.partner_id, grant.shop_id) == (partner_id, shop_id):
                grant.expires_at = min(grant.expires_at, deadline)

    @staticmethod
    def _usable(grant: Grant | None, partner_id: int, shop_id: int, now: int) -> bool:
        return (
            grant is not None
            and not grant.used
            and grant.expires_at >= now
            and (grant.partner_id, grant.shop_id) == (partner_id, shop_id)
        )
