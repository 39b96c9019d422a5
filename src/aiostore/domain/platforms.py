"""The marketplaces AIOStore connects to, and the markets each serves for sellers."""

from __future__ import annotations

from enum import StrEnum

from aiostore.domain.market import MarketCode


class Platform(StrEnum):
    SHOPEE = "shopee"
    TIKTOKSHOP = "tiktokshop"
    LAZADA = "lazada"
    TOKOPEDIA = "tokopedia"


PLATFORM_MARKETS: dict[Platform, frozenset[MarketCode]] = {
    Platform.SHOPEE: frozenset({MarketCode.ID, MarketCode.SG, MarketCode.MY}),
    Platform.TIKTOKSHOP: frozenset({MarketCode.ID, MarketCode.SG, MarketCode.MY}),
    Platform.LAZADA: frozenset({MarketCode.ID, MarketCode.SG, MarketCode.MY}),
    Platform.TOKOPEDIA: frozenset({MarketCode.ID}),
}


def serves(platform: Platform, market: MarketCode) -> bool:
    return market in PLATFORM_MARKETS[platform]
