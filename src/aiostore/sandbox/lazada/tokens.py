"""Seller authorization and tokens (lazada-tokopedia.md §A3).

- Opening /oauth/authorize starts an approval session; approving a seller gives a code (``0_{app_key}_…``)
  that can be used once and dies after 30 minutes, bound to the app and the seller.
- /auth/token/create turns a code into an access token and a refresh token (lifetimes from the config).
- /auth/token/refresh uses a refresh token once: it answers a new access token and a new refresh token
  (the rotation §A3 allows); the old access token keeps working until its own expiry.
Tokens look like Lazada's (``50000…``, 60 characters) and come from a seeded generator (the shared
``GrantStore``: app = app_key, owner = seller_id).
"""

from __future__ import annotations

import random
import string

from aiostore.sandbox.common.tokens import GrantStore, SecretKind, TokenPair, token_rules
from aiostore.sandbox.lazada.config import LazadaSandboxConfig

_ALPHABET = string.ascii_letters + string.digits
SellerTokens = TokenPair[str, str]


class TokenStore(GrantStore[str, str]):
    def __init__(self, config: LazadaSandboxConfig) -> None:
        super().__init__(token_rules(config), random.Random(f"lazada-tokens-{config.seed}"))
        self.authorizations: dict[tuple[str, str], int] = {}  # (app_key, seller_id) -> authorized at

    def _random(self, size: int) -> str:
        return "".join(self.rng.choice(_ALPHABET) for _ in range(size))

    def secret(self, kind: SecretKind, app: str) -> str:
        if kind == "session":
            return self._random(32)
        if kind == "code":
            return f"0_{app}_{self._random(25)}"
        return f"5000{'06' if kind == 'access' else '16'}{self._random(54)}"

    def authorize(self, app_key: str, seller_id: str, now: int) -> str:
        """The seller approved: record the authorization and return a fresh code."""
        self.authorizations[app_key, seller_id] = now
        return self.new_code(app_key, seller_id, now)

    def authorization_ends(self, app: str, owner: str, now: int) -> int | None:
        """When the (app, seller) authorisation ends: the expiry of its live refresh token (None: none)."""
        ends = [
            g.expires_at
            for g in self.refresh.values()
            if (g.app, g.owner) == (app, owner) and not g.used and g.expires_at >= now
        ]
        return max(ends) if ends else None

    def recorded(self, app: str, owner: str, now: int) -> None:
        self.authorizations.setdefault((app, owner), now)
