"""The sandbox's product catalogue and its rules (shopee-tiktokshop.md §A4 product rows, §A9 money).

Items sit in a dict plus, per shop and item status, a sorted list of ids, so a page of get_item_list costs
O(page) (O(shop) only with an update-time filter). Price and stock updates follow the documented limits:
one item per call, 1-50 entries, partial success as failure entries, IDR integer and SGD/MYR at most two
decimals, stock never below reserved, the max/min model price ratio of the region.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from collections.abc import Callable
from itertools import islice

from aiostore.sandbox.common import SandboxError, parse_major
from aiostore.sandbox.shopee.models import PRICE_RATIO_CAP, Item, Model, Shop, TierVariation

ITEM_ID_BASE = 3_000_000_000
MODEL_ID_BASE = 9_000_000_000

StockHolder = Item | Model


class Catalog:
    def __init__(self) -> None:
        self.items: dict[int, Item] = {}
        self._by_status: dict[int, dict[str, list[int]]] = {}
        self._last_item_id = ITEM_ID_BASE
        self._last_model_id = MODEL_ID_BASE

    def new_item_id(self) -> int:
        self._last_item_id += 1
        return self._last_item_id

    def new_model_id(self) -> int:
        self._last_model_id += 1
        return self._last_model_id

    # ------------------------------------------------------------ storage and lookups

    def add(self, item: Item) -> None:
        if item.item_id in self.items:
            raise SandboxError(f"item {item.item_id} exists")
        self.items[item.item_id] = item
        ids = self._by_status.setdefault(item.shop_id, {}).setdefault(item.item_status, [])
        if not ids or ids[-1] < item.item_id:
            ids.append(item.item_id)
        else:
            insort(ids, item.item_id)

    def get(self, shop_id: int, item_id: int) -> Item | None:
        item = self.items.get(item_id)
        return item if item is not None and item.shop_id == shop_id else None

    def count(self, shop_id: int) -> int:
        return sum(len(ids) for ids in self._by_status.get(shop_id, {}).values())

    def set_status(self, item: Item, status: str, now: int) -> None:
        if status != item.item_status:
            by_status = self._by_status[item.shop_id]
            old = by_status[item.item_status]
            del old[bisect_left(old, item.item_id)]
            insort(by_status.setdefault(status, []), item.item_id)
            item.item_status = status
        item.update_time = now

    def page(
        self,
        shop_id: int,
        statuses: list[str],
        offset: int,
        limit: int,
        time_from: int | None = None,
        time_to: int | None = None,
    ) -> tuple[list[Item], int]:
        """Items with one of `statuses`, by ascending item_id: (page, total_count)."""
        by_status = self._by_status.get(shop_id, {})
        lists = [by_status[s] for s in dict.fromkeys(statuses) if by_status.get(s)]
        if time_from is None and time_to is None:
            total = sum(len(ids) for ids in lists)
            merged = lists[0] if len(lists) == 1 else list(islice(heapq.merge(*lists), offset + limit))
            ids = merged[offset : offset + limit]
        else:
            low, high = time_from or 0, time_to if time_to is not None else 2**32
            matching = [i for i in heapq.merge(*lists) if low <= self.items[i].update_time <= high]
            total, ids = len(matching), matching[offset : offset + limit]
        return [self.items[i] for i in ids], total

    @staticmethod
    def holder(item: Item, model_id: int) -> StockHolder | None:
        """What carries price and stock: the model, or the item itself (model_id 0) when it has none."""
        if item.has_model:
            return item.models.get(model_id)
        return item if model_id == 0 else None

    def replace_models(
        self, item: Item, tiers: list[TierVariation], models: list[tuple[list[int], str, int, int]], now: int
    ) -> list[Model]:
        """init_tier_variation: new tiers and models (tier_index, sku, price, stock); old model ids end."""
        item.tier_variation = tiers
        item.models = {}
        for tier_index, sku, price, stock in models:
            model = Model(self.new_model_id(), sku, tier_index, price, stock)
            item.models[model.model_id] = model
        item.price = item.stock = item.reserved = 0
        item.update_time = now
        return list(item.models.values())

    # ------------------------------------------------------------ price and stock updates

    def update_prices(
        self, shop: Shop, item: Item, entries: list[tuple[int, object]], now: int
    ) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
        """(model_id, original_price) pairs -> successes (model_id, minor), failures (model_id, reason)."""
        market = shop.market
        successes: list[tuple[int, int]] = []
        failures: list[tuple[int, str]] = []
        prices = {m.model_id: m.price for m in item.models.values()}
        for model_id, raw in entries:
            target = self.holder(item, model_id)
            if target is None:
                failures.append((model_id, "model_id not found in this item"))
                continue
            try:
                minor = parse_major(raw, market.exponent)
            except ValueError:
                places = "an integer" if market.exponent == 0 else "a number with at most 2 decimal places"
                failures.append((model_id, f"original_price for {market.currency} must be {places}"))
                continue
            if minor <= 0:
                failures.append((model_id, "original_price must be greater than 0"))
                continue
            if item.has_model:
                trial = {**prices, model_id: minor}
                cap = PRICE_RATIO_CAP.get(shop.region, 5)
                if max(trial.values()) > cap * min(trial.values()):
                    failures.append((model_id, f"max/min price ratio of the models must not exceed {cap}"))
                    continue
                prices = trial
            target.price = minor
            successes.append((model_id, minor))
        if successes:
            item.update_time = now
        return successes, failures

    def update_stocks(
        self,
        shop: Shop,
        item: Item,
        entries: list[tuple[int, list[tuple[str | None, object]]]],
        now: int,
        locked: Callable[[int], bool] = lambda model_id: False,
    ) -> tuple[list[tuple[int, str, int]], list[tuple[int, str]]]:
        """(model_id, [(location_id, stock)]) -> (successes (model_id, location_id, stock), failures).
        A model whose stock a promotion locks (`locked`) is answered a success and left as it was."""
        successes: list[tuple[int, str, int]] = []
        failures: list[tuple[int, str]] = []
        for model_id, seller_stock in entries:
            target = self.holder(item, model_id)
            reason = self._stock_refusal(shop, target, seller_stock)
            if target is None or reason:
                failures.append((model_id, reason or "model_id not found in this item"))
                continue
            stock = seller_stock[0][1]
            assert isinstance(stock, int)  # noqa: S101 - checked by _stock_refusal
            if not locked(model_id):
                target.stock = stock
            successes.append((model_id, shop.location_id, stock))
        if successes:
            item.update_time = now
        return successes, failures

    @staticmethod
    def _stock_refusal(
        shop: Shop, target: StockHolder | None, seller_stock: list[tuple[str | None, object]]
    ) -> str:
        if target is None:
            return ""
        if len(seller_stock) != 1:
            return "seller_stock must hold exactly one entry for a local shop"
        location_id, stock = seller_stock[0]
        if location_id not in (None, "", shop.location_id):
            return f"location_id {location_id} is not a warehouse of this shop"
        if not isinstance(stock, int) or isinstance(stock, bool):
            return "stock must be an integer"
        if stock < 0:
            return "stock must not be negative"
        if stock < target.reserved:
            return f"stock {stock} is less than the reserved stock {target.reserved}"
        return ""
