"""Per-platform targets for bench/connector_pull.py: one module a platform, each defining BENCH."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from aiostore.connectors.base import MarketplaceConnector
from aiostore.connectors.batching import group_by, min_calls
from aiostore.connectors.dtos import ConnectorLimits, ProductDTO, StockUpdate


def unthrottled(limits: ConnectorLimits) -> ConnectorLimits:
    """The platform's page and batch limits, with our rate limiter out of the way."""
    return replace(limits, rate_per_second=1_000_000.0, burst=100_000)


@dataclass
class Target:
    """One platform's sandbox and the connector pointed at it."""

    connector: MarketplaceConnector
    received: Callable[[], int]  # requests the sandbox received
    close: Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class PlatformBench:
    name: str
    open: Callable[[int, int], Awaitable[Target]]
    min_pull_calls: Callable[[ConnectorLimits, list[ProductDTO]], int]


def min_stock_calls(limits: ConnectorLimits, updates: list[StockUpdate]) -> int:
    """⌈M/batch⌉ when a call may mix products; else per product ⌈its models/batch⌉ (Shopee, TikTok)."""
    if limits.stock_items_per_call is None:
        return min_calls(len(updates), limits.stock_batch)
    per_item = group_by(updates, lambda u: u.item_id)
    return sum(min_calls(len(entries), limits.stock_batch) for entries in per_item.values())
