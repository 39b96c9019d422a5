"""Shopee Open Platform v2 connector (shopee-tiktokshop.md Part A)."""

from aiostore.connectors.shopee.connector import SHOPEE_LIMITS, ShopeeConnector

__all__ = ["SHOPEE_LIMITS", "ShopeeConnector"]
