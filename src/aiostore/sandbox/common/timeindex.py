"""Per shop, the (time, id) keys of its orders kept sorted: what every sandbox's cursor pages bisect and
scan (a page never repeats or skips an order whose key did not change)."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

S = TypeVar("S", bound=Hashable)  # a shop (or seller) id
I = TypeVar("I")  # noqa: E741 - an order id


class TimeIndex(Generic[S, I]):
    def __init__(self) -> None:
        self._keys: dict[S, list[tuple[int, I]]] = {}

    def add(self, shop: S, time: int, key: I) -> None:
        insort(self._keys.setdefault(shop, []), (time, key))

    def move(self, shop: S, old: int, new: int, key: I) -> None:
        """The order `key` changed its time from `old` to `new`."""
        keys = self._keys[shop]
        del keys[bisect_left(keys, (old, key))]
        insort(keys, (new, key))

    def bump(self, shop: S, key: I, old: int, now: int) -> int:
        """An order's time moves to `now` (never backwards); returns its new time."""
        new = max(now, old)
        self.move(shop, old, new, key)
        return new

    def of(self, shop: S) -> list[tuple[int, Any]]:
        """The sorted keys of a shop (read only)."""
        return self._keys.get(shop, [])
