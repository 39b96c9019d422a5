"""What every sandbox's seed data shares: the plan of a seeding call (how many products, variants and
orders, from which seed, at which time) and the draws that do not depend on the platform (which statuses
the seeded orders have and when they were created, which units a buyer picks)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

DAY = 86400
P = TypeVar("P")
U = TypeVar("U")
S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class SeedPlan:
    products: int
    orders: int
    variants_per_product: int
    seed: int
    now: int
    order_days: int = 30

    def rng(self, platform: str, shop_id: object) -> random.Random:
        """The generator of one seeding of one shop: the same plan gives the same data."""
        return random.Random(f"{platform}-seed-{self.seed}-{shop_id}")

    def orders_to_make(
        self, rng: random.Random, weights: Mapping[S, int], *, any_product: bool
    ) -> Iterator[tuple[S, int]]:
        """(status, creation time) of each seeded order: statuses drawn by weight, times within
        `order_days` before now; none when the shop has no product to order."""
        statuses, shares = list(weights), list(weights.values())
        for _ in range(self.orders if any_product else 0):
            status = rng.choices(statuses, shares)[0]
            yield status, self.now - rng.randint(0, self.order_days * DAY)


def random_picks(
    rng: random.Random,
    pool: Sequence[P],
    unit: Callable[[P], U],
    free: Callable[[U], int],
    available_only: bool = True,
) -> list[tuple[U, int]]:
    """1-3 distinct (unit, quantity) picks: a product of `pool`, then `unit` of it (a variant drawn with
    the same generator), then a quantity; if `available_only`, only units with that much `free` stock."""
    picks: list[tuple[U, int]] = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        for _attempt in range(20):
            chosen = unit(rng.choice(pool))
            quantity = rng.choice((1, 1, 1, 2, 3))
            taken = any(picked == chosen for picked, _ in picks)
            if not taken and (not available_only or free(chosen) >= quantity):
                picks.append((chosen, quantity))
                break
    return picks
