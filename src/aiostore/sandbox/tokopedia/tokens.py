"""App tokens and the seller's approval (lazada-tokopedia.md §B2, §B3).

- ``POST /token?grant_type=client_credentials`` (Basic auth) gives the app's Bearer token. A new token is
  issued only once the previous one has expired; until then the same token comes back with the seconds it
  has left (news 2021-10-22). Lifetime from the config (14 days).
- There is no per-shop OAuth: a seller links the app (fs_id) to a shop. The sandbox's approval page stands
  for Seller Center's third-party app approval; approving links the shop and redirects with ``shop_id``
  and a one-time ``code`` (informational: no Tokopedia endpoint takes it).
Tokens are 22 URL-safe characters, like the documentation's examples, from a seeded generator.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass

from aiostore.sandbox.common.tokens import ApprovalSession, ApprovalSessions
from aiostore.sandbox.tokopedia.config import TokopediaSandboxConfig


@dataclass(slots=True)
class AppToken:
    value: str
    client_id: str
    expires_at: int


class TokenStore:
    def __init__(self, config: TokopediaSandboxConfig) -> None:
        self.config = config
        self._rng = random.Random(f"tokopedia-tokens-{config.seed}")
        self.tokens: dict[str, AppToken] = {}
        self.current: dict[str, str] = {}
        self.approvals: ApprovalSessions[str] = ApprovalSessions(config.auth_session_ttl)
        self.codes: dict[str, tuple[str, int, int]] = {}  # code -> (client_id, shop_id, expires_at)

    def secret(self) -> str:
        return base64.urlsafe_b64encode(self._rng.getrandbits(128).to_bytes(16, "big")).decode()[:22]

    def grant(self, client_id: str, now: int, value: str | None = None) -> AppToken:
        """A new token for the app (the previous one stops working)."""
        old = self.current.get(client_id)
        if old is not None and old in self.tokens:
            self.tokens[old].expires_at = min(self.tokens[old].expires_at, now - 1)
        token = AppToken(value or self.secret(), client_id, now + self.config.access_token_ttl)
        self.tokens[token.value] = token
        self.current[client_id] = token.value
        return token

    def current_or_new(self, client_id: str, now: int) -> AppToken:
        """What ``/token`` answers: the app's token while it lives, a new one once it has expired."""
        current = self.tokens.get(self.current.get(client_id, ""))
        if current is not None and current.expires_at > now:
            return current
        return self.grant(client_id, now)

    def valid(self, value: str, now: int) -> AppToken | None:
        token = self.tokens.get(value)
        return token if token is not None and token.expires_at > now else None

    def expire(self, now: int, client_id: str | None = None) -> int:
        """Fault injection: end every live token (of one app, or all); returns how many."""
        ended = [
            t
            for t in self.tokens.values()
            if (client_id is None or t.client_id == client_id) and t.expires_at > now
        ]
        for token in ended:
            token.expires_at = now
        return len(ended)

    # ------------------------------------------------------------ the seller's approval

    def open_session(self, client_id: str, redirect: str, state: str, now: int) -> str:
        return self.approvals.open(self.secret(), client_id, now, redirect=redirect, state=state)

    def take_session(self, session_id: str, now: int) -> ApprovalSession[str] | None:
        return self.approvals.take(session_id, now)

    def issue_code(self, client_id: str, shop_id: int, now: int) -> str:
        code = self.secret()
        self.codes[code] = (client_id, shop_id, now + 600)
        return code
