"""The quantity pushed to one listing, derived step by step (the push sends it, the explain shows it).

Every term is one step with the amount it adds (negative: takes away) and the running total after it,
so the steps always add up to the pushed quantity:

    on hand − reserved − promotion reserved for other shops − safety buffer (never below 0)
    → the allocation rule: a share (percent, rounded down), then a cap (at most N), or "keep the last N
      for one chosen shop" (when the units no campaign holds are N or fewer, the chosen shop gets all
      of the available stock and every other shop only its own campaign's units, usually 0)
    + what this shop's own open orders hold, on platforms whose stock still counts them.

A shop's own promotion reservation is not taken from what it is pushed: the platform locks those units
for its campaign inside the stock we send; the other shops must not sell them, so theirs is smaller.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Term(StrEnum):
    ON_HAND = "on_hand"
    RESERVED = "reserved"
    PROMOTION_RESERVED = "promotion_reserved"  # other shops' campaigns
    SAFETY_BUFFER = "safety_buffer"
    NOT_BELOW_ZERO = "not_below_zero"
    SHARE = "share"
    CAP = "cap"
    KEEP_LAST = "keep_last"
    HELD_BY_SHOP_ORDERS = "held_by_shop_orders"


@dataclass(frozen=True, slots=True)
class Rule:
    """An allocation rule: any of a share (0-100 percent) and a cap (at least 0), and/or "keep the last
    `keep_last` units for shop `keep_for`". `scope` says where it came from: "variant" or "shop"."""

    share_percent: int | None = None
    cap: int | None = None
    keep_last: int | None = None
    keep_for: uuid.UUID | None = None
    scope: str = "shop"


@dataclass(frozen=True, slots=True)
class StockTerms:
    """What one listing's quantity is made of (all counts of units, none negative)."""

    on_hand: int
    reserved: int
    safety_buffer: int
    promotion_reserved_elsewhere: int = 0  # by the campaigns of the variant's other shops
    promotion_reserved_here: int = 0  # by this shop's own campaign
    held_by_shop_orders: int = 0  # units this shop's open orders hold inside its platform stock


@dataclass(frozen=True, slots=True)
class Step:
    term: Term
    amount: int  # what this step adds (negative: takes away)
    total: int  # the running quantity after it


@dataclass(frozen=True, slots=True)
class Derivation:
    steps: tuple[Step, ...]

    @property
    def quantity(self) -> int:
        return self.steps[-1].total if self.steps else 0

    def amount(self, term: Term) -> int:
        return sum(s.amount for s in self.steps if s.term is term)


class _Steps:
    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.total = 0

    def add(self, term: Term, amount: int, *, always: bool = False) -> None:
        if amount or always:
            self.total += amount
            self.steps.append(Step(term, amount, self.total))


def derive(terms: StockTerms, rule: Rule | None, shop_id: uuid.UUID) -> Derivation:
    """The quantity pushed to a listing of shop `shop_id`, with every step that made it."""
    s = _Steps()
    s.add(Term.ON_HAND, terms.on_hand, always=True)
    s.add(Term.RESERVED, -terms.reserved, always=True)
    s.add(Term.PROMOTION_RESERVED, -terms.promotion_reserved_elsewhere)
    s.add(Term.SAFETY_BUFFER, -terms.safety_buffer, always=True)
    if s.total < 0:
        s.add(Term.NOT_BELOW_ZERO, -s.total)
    if rule is not None:
        _apply_rule(s, terms, rule, shop_id)
    s.add(Term.HELD_BY_SHOP_ORDERS, terms.held_by_shop_orders)
    return Derivation(tuple(s.steps))


def _apply_rule(s: _Steps, terms: StockTerms, rule: Rule, shop_id: uuid.UUID) -> None:
    available = s.total
    if rule.keep_last is not None and rule.keep_for is not None:
        free = max(0, available - terms.promotion_reserved_here)  # the units no campaign holds
        if free <= rule.keep_last:
            # The chosen shop gets all of it (share and cap do not apply); any other shop keeps only
            # its own campaign's units.
            s.add(Term.KEEP_LAST, 0 if rule.keep_for == shop_id else -free, always=True)
            return
    quantity = available
    if rule.share_percent is not None:
        shared = quantity * rule.share_percent // 100
        s.add(Term.SHARE, shared - quantity, always=True)
        quantity = shared
    if rule.cap is not None:
        s.add(Term.CAP, min(quantity, rule.cap) - quantity, always=True)
