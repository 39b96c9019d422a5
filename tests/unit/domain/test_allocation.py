"""The pushed quantity, step by step: the steps add up, nothing is negative, and each rule's edges."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from aiostore.domain.allocation import Rule, StockTerms, Term, derive
from aiostore.domain.inventory import available_to_sell

A, B = uuid.UUID(int=1), uuid.UUID(int=2)
counts = st.integers(min_value=0, max_value=10_000)
optional = st.none() | counts
rules = st.none() | st.builds(
    Rule,
    share_percent=st.none() | st.integers(min_value=0, max_value=100),
    cap=optional,
    keep_last=optional,
    keep_for=st.sampled_from([A, B]),
)
terms = st.builds(
    StockTerms,
    on_hand=counts,
    reserved=counts,
    safety_buffer=counts,
    promotion_reserved_elsewhere=counts,
    promotion_reserved_here=counts,
    held_by_shop_orders=counts,
)


@given(terms, rules, st.sampled_from([A, B]))
def test_steps_add_up_to_the_quantity_and_nothing_is_negative(
    t: StockTerms, rule: Rule | None, shop: uuid.UUID
) -> None:
    d = derive(t, rule, shop)
    assert sum(s.amount for s in d.steps) == d.quantity
    running = 0
    for step in d.steps:
        running += step.amount
        assert step.total == running
    assert d.quantity >= t.held_by_shop_orders >= 0
    # Once stock is made available (after the buffer and the floor), no step takes it below zero.
    after_buffer = [
        s for s in d.steps if s.term not in (Term.ON_HAND, Term.RESERVED, Term.PROMOTION_RESERVED)
    ]
    assert all(s.total >= 0 for s in after_buffer[1:])
    available = available_to_sell(t.on_hand, t.reserved + t.promotion_reserved_elsewhere, t.safety_buffer)
    assert d.quantity - t.held_by_shop_orders <= available


@given(terms, st.sampled_from([A, B]))
def test_without_a_rule_it_is_available_to_sell_plus_held(t: StockTerms, shop: uuid.UUID) -> None:
    d = derive(t, None, shop)
    available = available_to_sell(t.on_hand, t.reserved + t.promotion_reserved_elsewhere, t.safety_buffer)
    assert d.quantity == available + t.held_by_shop_orders


def _plain(on_hand: int, **kw: int) -> StockTerms:
    return StockTerms(
        on_hand=on_hand, reserved=kw.pop("reserved", 0), safety_buffer=kw.pop("buffer", 0), **kw
    )


def test_share_rounds_down_and_its_edges() -> None:
    assert derive(_plain(7), Rule(share_percent=50), A).quantity == 3
    assert derive(_plain(7), Rule(share_percent=0), A).quantity == 0
    assert derive(_plain(7), Rule(share_percent=100), A).quantity == 7
    assert derive(_plain(1), Rule(share_percent=99), A).quantity == 0
    assert derive(_plain(0), Rule(share_percent=50), A).quantity == 0


def test_cap_edges_and_share_then_cap() -> None:
    assert derive(_plain(7), Rule(cap=0), A).quantity == 0
    assert derive(_plain(7), Rule(cap=7), A).quantity == 7
    assert derive(_plain(7), Rule(cap=8), A).quantity == 7
    assert derive(_plain(7), Rule(cap=5), A).quantity == 5
    d = derive(_plain(40), Rule(share_percent=50, cap=15), A)
    assert [(s.term, s.amount) for s in d.steps][-2:] == [(Term.SHARE, -20), (Term.CAP, -5)]
    assert d.quantity == 15


def test_keep_last_at_and_around_the_threshold() -> None:
    keep = Rule(keep_last=3, keep_for=A, share_percent=50)
    # Above N: the share applies to both shops.
    assert (derive(_plain(4), keep, A).quantity, derive(_plain(4), keep, B).quantity) == (2, 2)
    # At N and below: the chosen shop gets all, every other shop 0.
    for on_hand in (3, 1, 0):
        assert derive(_plain(on_hand), keep, A).quantity == on_hand
        assert derive(_plain(on_hand), keep, B).quantity == 0
    assert derive(_plain(5, reserved=2), Rule(keep_last=3, keep_for=A), B).quantity == 0
    assert derive(_plain(0), Rule(keep_last=0, keep_for=A), B).quantity == 0
    assert derive(_plain(1), Rule(keep_last=0, keep_for=A), B).quantity == 1


def test_keep_last_counts_only_the_units_no_campaign_holds() -> None:
    # Shop B's campaign holds 2 of the 5: the free units are 3, so B keeps only its campaign's 2.
    d = derive(_plain(5, promotion_reserved_here=2), Rule(keep_last=3, keep_for=A), B)
    assert d.quantity == 2 and d.amount(Term.KEEP_LAST) == -3


def test_promotion_reserved_by_other_shops_is_taken_away_and_held_units_added_last() -> None:
    d = derive(
        _plain(10, reserved=1, buffer=2, promotion_reserved_elsewhere=4, held_by_shop_orders=1), None, A
    )
    assert [(s.term, s.amount, s.total) for s in d.steps] == [
        (Term.ON_HAND, 10, 10),
        (Term.RESERVED, -1, 9),
        (Term.PROMOTION_RESERVED, -4, 5),
        (Term.SAFETY_BUFFER, -2, 3),
        (Term.HELD_BY_SHOP_ORDERS, 1, 4),
    ]
    low = derive(_plain(2, buffer=5, held_by_shop_orders=2), Rule(share_percent=50), A)
    assert [s.term for s in low.steps][-3:] == [Term.NOT_BELOW_ZERO, Term.SHARE, Term.HELD_BY_SHOP_ORDERS]
    assert low.quantity == 2
