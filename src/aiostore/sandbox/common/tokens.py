"""The OAuth bookkeeping every sandbox shares (DESIGN.md "Marketplace sandboxes"): approval-page sessions
and, for the platforms with per-seller OAuth (Shopee, TikTok Shop, Lazada), single-use codes, access and
refresh tokens bound to an app and an owner (a shop, a seller or a seller's open_id).

A platform subclasses `GrantStore` with its own token look (`secret`), its lifetimes (`TokenRules`) and
its own record of who authorized what; the answers' field names stay in its routes.
"""

from __future__ import annotations

import random
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

A = TypeVar("A", bound=Hashable)  # the app: Shopee partner_id, TikTok/Lazada app_key, Tokopedia client_id
W = TypeVar("W", bound=Hashable)  # who granted: Shopee shop_id, Lazada seller_id, TikTok open_id
SecretKind = Literal["session", "code", "access", "refresh"]


@dataclass(slots=True)
class ApprovalSession(Generic[A]):
    """The approval page opened for an app: one use, short-lived, remembers where to send the browser."""

    session_id: str
    app: A
    expires_at: int
    redirect: str = ""
    state: str = ""
    countries: tuple[str, ...] = ()
    used: bool = False


class ApprovalSessions(Generic[A]):
    def __init__(self, ttl: int) -> None:
        self.ttl = ttl
        self.sessions: dict[str, ApprovalSession[A]] = {}

    def open(
        self,
        session_id: str,
        app: A,
        now: int,
        *,
        redirect: str = "",
        state: str = "",
        countries: tuple[str, ...] = (),
    ) -> str:
        self.sessions[session_id] = ApprovalSession(
            session_id, app, now + self.ttl, redirect, state, countries
        )
        return session_id

    def take(self, session_id: str, now: int) -> ApprovalSession[A] | None:
        session = self.sessions.get(session_id)
        if session is None or session.used or session.expires_at < now:
            return None
        session.used = True
        return session


@dataclass(slots=True)
class Grant(Generic[A, W]):
    """A secret bound to an app and an owner: an access token, a refresh token or an auth code."""

    value: str
    app: A
    owner: W
    expires_at: int
    used: bool = False


@dataclass(frozen=True, slots=True)
class TokenPair(Generic[A, W]):
    access_token: str
    refresh_token: str
    issued_at: int
    access_expires_at: int
    refresh_expires_at: int
    app: A
    owner: W

    @property
    def expires_in(self) -> int:
        return self.access_expires_at - self.issued_at

    @property
    def refresh_expires_in(self) -> int:
        return self.refresh_expires_at - self.issued_at


@dataclass(frozen=True, slots=True)
class TokenRules:
    access_ttl: int
    refresh_ttl: int
    code_ttl: int
    session_ttl: int
    # After a refresh (or a new authorization) the previous access token lives this much longer; None: it
    # keeps its own expiry.
    old_access_grace: int | None = None
    # A new authorization ends the refresh tokens issued before it for the same app and owner.
    reauth_ends_refresh: bool = False


class TokenTimes(Protocol):
    """The lifetimes a platform's config names the same way."""

    access_token_ttl: int
    refresh_token_ttl: int
    auth_code_ttl: int
    auth_session_ttl: int


def token_rules(
    config: TokenTimes, *, old_access_grace: int | None = None, reauth_ends_refresh: bool = False
) -> TokenRules:
    return TokenRules(
        access_ttl=config.access_token_ttl,
        refresh_ttl=config.refresh_token_ttl,
        code_ttl=config.auth_code_ttl,
        session_ttl=config.auth_session_ttl,
        old_access_grace=old_access_grace,
        reauth_ends_refresh=reauth_ends_refresh,
    )


class GrantStore(Generic[A, W]):
    """Codes, access and refresh tokens of one sandbox; `secret` draws from a seeded generator."""

    def __init__(self, rules: TokenRules, rng: random.Random) -> None:
        self.rules = rules
        self.rng = rng
        self.access: dict[str, Grant[A, W]] = {}
        self.refresh: dict[str, Grant[A, W]] = {}
        self.codes: dict[str, Grant[A, W]] = {}
        self.approvals: ApprovalSessions[A] = ApprovalSessions(rules.session_ttl)

    def secret(self, kind: SecretKind, app: A) -> str:
        """A new secret of this kind, as the platform's look (32 lowercase hex characters by default)."""
        return f"{self.rng.getrandbits(128):032x}"

    def recorded(self, app: A, owner: W, now: int) -> None:
        """Hook: tokens were issued for (app, owner) (a platform records the authorization if it must)."""

    # ------------------------------------------------------------ approval page

    def open_session(
        self, app: A, now: int, *, redirect: str = "", state: str = "", countries: tuple[str, ...] = ()
    ) -> str:
        return self.approvals.open(
            self.secret("session", app), app, now, redirect=redirect, state=state, countries=countries
        )

    def take_session(self, session_id: str, now: int) -> ApprovalSession[A] | None:
        return self.approvals.take(session_id, now)

    def new_code(self, app: A, owner: W, now: int) -> str:
        code = self.secret("code", app)
        self.codes[code] = Grant(code, app, owner, now + self.rules.code_ttl)
        return code

    # ------------------------------------------------------------ tokens

    def exchange_code(self, code: str, app: A, now: int, owner: W | None = None) -> TokenPair[A, W] | None:
        """A code (of this app, and owner when given) for a new pair; None when unusable."""
        grant = self.usable(self.codes.get(code), app, now, owner)
        if grant is None:
            return None
        grant.used = True
        if self.rules.reauth_ends_refresh:
            for old in self.refresh.values():
                if (old.app, old.owner) == (app, grant.owner):
                    old.used = True
        self._end_access_tokens(app, grant.owner, now)
        return self.issue(app, grant.owner, now)

    def refresh_pair(
        self, refresh_token: str, app: A, now: int, owner: W | None = None
    ) -> TokenPair[A, W] | None:
        """A refresh token (used once) for a new pair; None when unusable."""
        grant = self.usable(self.refresh.get(refresh_token), app, now, owner)
        if grant is None:
            return None
        grant.used = True
        self._end_access_tokens(app, grant.owner, now)
        return self.issue(app, grant.owner, now)

    def issue(
        self, app: A, owner: W, now: int, access_token: str | None = None, refresh_token: str | None = None
    ) -> TokenPair[A, W]:
        access = access_token or self.secret("access", app)
        refresh = refresh_token or self.secret("refresh", app)
        access_expires, refresh_expires = now + self.rules.access_ttl, now + self.rules.refresh_ttl
        self.access[access] = Grant(access, app, owner, access_expires)
        self.refresh[refresh] = Grant(refresh, app, owner, refresh_expires)
        self.recorded(app, owner, now)
        return TokenPair(access, refresh, now, access_expires, refresh_expires, app, owner)

    def refresh_expired(self, refresh_token: str, now: int) -> bool:
        """A known, unused refresh token past its expiry (platforms answer it with its own error)."""
        grant = self.refresh.get(refresh_token)
        return grant is not None and not grant.used and grant.expires_at < now

    def access_grant(self, token: str, app: A) -> Grant[A, W] | None:
        """The grant behind an access token of this app, expired or not (None: unknown)."""
        grant = self.access.get(token)
        return grant if grant is not None and grant.app == app else None

    def owner_of(self, token: str, app: A, now: int) -> W | None:
        """Who a live access token of this app acts for (None: unknown, expired or another app's)."""
        grant = self.usable(self.access.get(token), app, now)
        return grant.owner if grant is not None else None

    def expire(self, now: int, owner: W | None = None, *, refresh: bool = False) -> int:
        """Fault injection: end every access (or refresh) token, of one owner or all; returns how many."""
        grants = (self.refresh if refresh else self.access).values()
        ended = [g for g in grants if (owner is None or g.owner == owner) and g.expires_at >= now]
        for grant in ended:
            grant.expires_at = now - 1
        return len(ended)

    def _end_access_tokens(self, app: A, owner: W, now: int) -> None:
        if self.rules.old_access_grace is None:
            return
        deadline = now + self.rules.old_access_grace
        for grant in self.access.values():
            if (grant.app, grant.owner) == (app, owner):
                grant.expires_at = min(grant.expires_at, deadline)

    @staticmethod
    def usable(grant: Grant[A, W] | None, app: A, now: int, owner: W | None = None) -> Grant[A, W] | None:
        if grant is None or grant.used or grant.expires_at < now or grant.app != app:
            return None
        return grant if owner is None or grant.owner == owner else None
