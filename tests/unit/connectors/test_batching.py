"""Batch shaping: nothing lost, nothing repeated, the fewest calls."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiostore.connectors import batching


@given(st.lists(st.integers()), st.integers(min_value=1, max_value=120))
def test_chunks_lose_and_repeat_nothing(items: list[int], size: int) -> None:
    out = list(batching.chunks(items, size))
    assert [x for chunk in out for x in chunk] == items
    assert all(1 <= len(chunk) <= size for chunk in out)
    assert all(len(chunk) == size for chunk in out[:-1])
    assert len(out) == batching.min_calls(len(items), size)


def test_chunks_refuse_bad_size() -> None:
    with pytest.raises(ValueError, match="size"):
        list(batching.chunks([1], 0))


@given(
    st.lists(st.tuples(st.integers(0, 20), st.integers(0, 200)), unique=True),
    st.integers(min_value=1, max_value=60),
)
def test_per_item_batches(entries: list[tuple[int, int]], size: int) -> None:
    """Shopee stock/price: one item per call, ≤ size models per call, every entry exactly once."""
    batches = batching.per_item_batches(entries, lambda e: e[0], size)
    flat = [e for _, batch in batches for e in batch]
    assert sorted(flat) == sorted(entries)
    assert all(all(e[0] == item for e in batch) and 1 <= len(batch) <= size for item, batch in batches)
    per_item: dict[int, int] = {}
    for item, _ in entries:
        per_item[item] = per_item.get(item, 0) + 1
    assert len(batches) == sum(batching.min_calls(n, size) for n in per_item.values())


def test_last_wins_keeps_the_last_value() -> None:
    entries = [("a", 1), ("b", 2), ("a", 3)]
    assert batching.last_wins(entries, lambda e: e[0]) == [("b", 2), ("a", 3)]


def test_group_by_keeps_order() -> None:
    assert batching.group_by([3, 1, 4, 1, 5, 9, 2, 6], lambda n: n % 2) == {1: [3, 1, 1, 5, 9], 0: [4, 2, 6]}


@given(st.integers(0, 10_000), st.integers(1, 200))
def test_min_calls_is_ceiling(count: int, batch: int) -> None:
    calls = batching.min_calls(count, batch)
    assert calls * batch >= count
    assert (calls - 1) * batch < count or count == 0


async def test_gather_bounded_keeps_order_and_bound() -> None:
    running = 0
    peak = 0

    async def work(n: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0)
        running -= 1
        return n * n

    thunks = [lambda n=n: work(n) for n in range(20)]
    assert await batching.gather_bounded(thunks, 3) == [n * n for n in range(20)]
    assert peak == 3


class _Refused(Exception):
    pass


async def test_gather_bounded_raises_the_first_error_itself_and_cancels_the_rest() -> None:
    started: list[int] = []
    cancelled: list[int] = []
    finished: list[int] = []

    async def fail() -> int:
        started.append(0)
        await asyncio.sleep(0)
        raise _Refused("rate limited")

    async def later_failure() -> int:
        started.append(1)
        await asyncio.sleep(0.05)
        raise ValueError("second")

    async def slow(n: int) -> int:
        started.append(n)
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(n)
            raise
        finished.append(n)
        return n

    thunks = [fail, later_failure, *[lambda n=n: slow(n) for n in range(2, 6)]]
    with pytest.raises(_Refused, match="rate limited") as caught:
        await batching.gather_bounded(thunks, 3)
    assert not isinstance(caught.value, BaseExceptionGroup)
    assert 4 not in started and 5 not in started  # the queued thunks were cancelled before starting
    assert sorted(cancelled) == [n for n in started if n >= 2] and finished == []


async def test_gather_bounded_rejects_a_zero_bound() -> None:
    with pytest.raises(ValueError, match="concurrency"):
        await batching.gather_bounded([], 0)
