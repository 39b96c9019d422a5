"""Batch shaping shared by connectors and services: the fewest calls the platform's limits allow."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


def chunks(seq: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive runs of at most ``size`` items, in order; loses and repeats nothing."""
    if size < 1:
        raise ValueError("size must be >= 1")
    batch: list[T] = []
    for item in seq:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def group_by(seq: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    """Items grouped by ``key``, groups in first-seen order, items in input order."""
    groups: dict[K, list[T]] = {}
    for item in seq:
        groups.setdefault(key(item), []).append(item)
    return groups


def per_item_batches(seq: Iterable[T], item: Callable[[T], K], size: int) -> list[tuple[K, list[T]]]:
    """For "one item per call" APIs (Shopee price/stock): each item's entries in runs of ``size``."""
    return [(k, batch) for k, entries in group_by(seq, item).items() for batch in chunks(entries, size)]


def last_wins(seq: Iterable[T], key: Callable[[T], K]) -> list[T]:
    """Drop earlier entries for the same key (two stock values for one variant: the last is meant)."""
    latest: dict[K, T] = {}
    for entry in seq:
        latest.pop(key(entry), None)
        latest[key(entry)] = entry
    return list(latest.values())


def min_calls(count: int, batch: int) -> int:
    """⌈count / batch⌉."""
    return -(-count // batch) if count > 0 else 0


async def gather_bounded(thunks: Sequence[Callable[[], Awaitable[R]]], concurrency: int) -> list[R]:
    """Run the thunks at most ``concurrency`` at a time; results in input order.

    The first error (in time) cancels the rest and is raised as itself, not wrapped in an
    ExceptionGroup, so callers recognise a connector's rate limit or refusal by its type.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1")
    semaphore = asyncio.Semaphore(concurrency)
    results: list[R | None] = [None] * len(thunks)
    errors: list[Exception] = []

    async def run(i: int, thunk: Callable[[], Awaitable[R]]) -> None:
        async with semaphore:
            try:
                results[i] = await thunk()
            except Exception as exc:
                errors.append(exc)
                raise

    try:
        async with asyncio.TaskGroup() as group:
            for i, thunk in enumerate(thunks):
                group.create_task(run(i, thunk))
    except ExceptionGroup:
        if not errors:
            raise
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]
