"""Shop authorization and tokens (shopee-tiktokshop.md §A3).

- An approval session starts when a Public-signed auth_partner link is opened; approving a shop gives a code
  that can be used once and dies after 10 minutes, bound to the partner and the shop.
- token/get turns a code into an access token (4 h) and a refresh token (30 days); re-authorizing rotates
  both: earlier refresh tokens of that partner and shop stop working.
- access_token/get uses a refresh token once; the previous access token stays valid 5 more minutes.
All lifetimes come from the config. Tokens are 32 lowercase hex characters from a seeded generator (the
shared `GrantStore`: app = partner_id, owner = shop_id).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from aiostore.sandbox.common.tokens import GrantStore, TokenPair, token_rules
from aiostore.sandbox.shopee.config import ShopeeSandboxConfig

ShopTokens = TokenPair[int, int]


@dataclass(slots=True)
class Authorization:
    partner_id: int
    shop_id: int
    auth_time: int
    expire_time: int


class TokenStore(GrantStore[int, int]):
    def __init__(self, config: ShopeeSandboxConfig) -> None:
        super().__init__(
            token_rules(config, old_access_grace=config.old_access_token_grace, reauth_ends_refresh=True),
            random.Random(f"shopee-tokens-{config.seed}"),
        )
        self.authorization_ttl = config.authorization_ttl
        self.authorizations: dict[tuple[int, int], Authorization] = {}

    def authorize(self, partner_id: int, shop_id: int, now: int) -> str:
        """The seller approved: record the authorization and return a fresh code."""
        self.authorizations[partner_id, shop_id] = Authorization(
            partner_id, shop_id, now, now + self.authorization_ttl
        )
        return self.new_code(partner_id, shop_id, now)

    def recorded(self, app: int, owner: int, now: int) -> None:
        if (app, owner) not in self.authorizations:
            self.authorizations[app, owner] = Authorization(app, owner, now, now + self.authorization_ttl)

    def access_valid(self, token: str, partner_id: int, shop_id: int, now: int) -> bool:
        return self.usable(self.access.get(token), partner_id, now, shop_id) is not None
