"""A Tokopedia shop served through TikTok Shop's Partner API (lazada-tokopedia.md §B0; MARKETPLACES.md
"Tokopedia: what we build"; docs/marketplaces/tokopedia.md).

Since 2024-2025 Tokopedia shops are moved onto the "Tokopedia & TikTok Shop" platform; third-party apps reach
them through TikTok Shop's Partner API: the same hosts, request signing, OAuth (auth code → access and
refresh tokens, ``shop_cipher`` from Get Authorized Shops), versioned endpoints and webhooks. So this is
TikTok Shop's connector, imported, not copied: ``connectors.tiktokshop``'s signing, client, paths, mappings
and writes do all the work. It differs only where the platform does:

- the channel is Tokopedia: ``platform`` is ``tokopedia``, and TikTok Shop's connector labels with it its
  errors, rate limiter and circuit breaker (``TikTokShopClient(platform=...)``), its token keeper and its
  webhook events (``webhooks.parse_push(platform=...)``);
- Indonesia only: a market other than ID is refused when the connector is made, an authorization acts only
  for its Indonesian shops (Get Authorized Shops' ``region``), and money is IDR.

It is chosen by the platform's ``PLUGIN`` when ``AppCredentials.extra["api"] == "tiktokshop"``; the app
credentials are then TikTok Shop's (app key and secret, hosts, ``service_id``).
"""

from __future__ import annotations

from collections.abc import Mapping

from aiostore.connectors.dtos import TokenSet
from aiostore.connectors.errors import NotFound, Refused
from aiostore.connectors.tiktokshop.connector import TikTokShopConnector
from aiostore.connectors.tiktokshop.mapping import JSON
from aiostore.connectors.tokopedia.connector import check_market
from aiostore.connectors.tokopedia.errors import PLATFORM
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform

MARKET = MarketCode.ID


def _indonesian(shop: JSON) -> bool:
    return str(shop.get("region") or "").upper() == MARKET.value


class TokopediaViaTikTokConnector(TikTokShopConnector):
    platform = Platform("tokopedia")

    def _setup(self, tokens: TokenSet | None, market: MarketCode | None) -> MarketCode | None:
        check_market(market)
        super()._setup(tokens, market)
        return MARKET

    async def _authorized_shops(self) -> list[JSON]:
        """Only the authorization's Indonesian shops can be Tokopedia shops."""
        return [shop for shop in await super()._authorized_shops() if _indonesian(shop)]

    async def exchange_code(self, code: str, params: Mapping[str, str]) -> TokenSet:
        tokens = await super().exchange_code(code, params)
        try:
            await self.shop_info()  # the shop chosen must be one of the authorization's Indonesian shops
        except NotFound as exc:
            raise Refused(
                f"shop {tokens.shop_id} is not an Indonesian shop: Tokopedia serves sellers in ID only",
                platform=PLATFORM,
            ) from exc
        return tokens


__all__ = ["TokopediaViaTikTokConnector"]
