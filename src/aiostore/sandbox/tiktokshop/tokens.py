"""Seller authorization and tokens (shopee-tiktokshop.md §B3).

- An approval session starts when the authorize page is opened (``/oauth/authorize`` or ``/open/authorize``);
  approving gives an auth code bound to the app and the seller, single-use, dead after ``auth_code_ttl``.
- token/get turns a code into an access token (7 days) and a refresh token (365 days); both expiries are
  answered as absolute Unix times. Re-authorizing ends the earlier refresh tokens of that app and seller.
- token/refresh uses a refresh token once and returns a new pair; the previous access token stays valid
  ``old_access_token_grace`` seconds more (whether TikTok rotates the refresh token is unverified: the
  sandbox does, so a client that stores the returned one works either way).
Tokens look like TikTok's (``ROW_`` + 43 URL-safe characters) and come from a seeded generator (the shared
``GrantStore``: app = app_key, owner = the seller's open_id).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from aiostore.sandbox.common.tokens import GrantStore, SecretKind, TokenPair, token_rules
from aiostore.sandbox.tiktokshop.config import TikTokShopSandboxConfig

_ALPHABET = string.ascii_letters + string.digits + "-_"
SellerTokens = TokenPair[str, str]


@dataclass(slots=True)
class Authorization:
    app_key: str
    open_id: str
    granted_at: int
    shop_ids: list[str] = field(default_factory=list)


class TokenStore(GrantStore[str, str]):
    def __init__(self, config: TikTokShopSandboxConfig) -> None:
        super().__init__(
            token_rules(config, old_access_grace=config.old_access_token_grace, reauth_ends_refresh=True),
            random.Random(f"tiktokshop-tokens-{config.seed}"),
        )
        self.authorizations: dict[tuple[str, str], Authorization] = {}

    def secret(self, kind: SecretKind, app: str) -> str:
        prefix = "ROW_" if kind in ("access", "refresh") else ""
        return prefix + "".join(self.rng.choice(_ALPHABET) for _ in range(43))

    def authorize(self, app_key: str, open_id: str, shop_ids: list[str], now: int) -> str:
        """The seller approved these shops: record the authorization and return a fresh auth code."""
        self.authorizations[app_key, open_id] = Authorization(app_key, open_id, now, list(shop_ids))
        return self.new_code(app_key, open_id, now)

    def shops_of(self, app_key: str, open_id: str) -> list[str]:
        found = self.authorizations.get((app_key, open_id))
        return list(found.shop_ids) if found else []
