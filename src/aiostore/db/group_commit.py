"""Group commit: concurrent callers' rows written in one transaction, each caller answered after it commits.

A request that must not answer before its row is durable (a webhook's 2xx) pays one commit; a hundred
concurrent requests paying a hundred commits spend most of their time in round trips and fsyncs. Here
each caller hands its item to `submit` and awaits; one flusher takes every item waiting, writes them
with `write(batch)` in one transaction and then resolves each caller's future with its own result. While
a batch is committing, the next callers queue up: the batch grows with the load and a lone caller waits
for one commit only (no timer). If a batch fails as a whole, each of its items is written again alone, so
one bad item fails only its own caller.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import structlog

T = TypeVar("T")
R = TypeVar("R")

log = structlog.get_logger(__name__)


class GroupCommit(Generic[T, R]):
    def __init__(
        self, write: Callable[[Sequence[T]], Awaitable[Sequence[R]]], *, max_batch: int = 500
    ) -> None:
        """`write` writes and commits the items of one batch and returns one result per item, in order."""
        self._write, self._max_batch = write, max_batch
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.batches = 0  # batches committed (what a test or a bench may look at)

    async def submit(self, item: T) -> R:
        """Write `item` with whatever else is waiting; returns once it is committed (or raises why not)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        flusher = self._flusher
        if flusher is not None and flusher.get_loop() is not loop:  # a new event loop (tests): start over
            self._pending, flusher = [], None
        self._pending.append((item, future))
        if flusher is None or flusher.done():
            self._flusher = loop.create_task(self._flush())
        return await asyncio.shield(future)  # a caller that gives up does not cancel the others' batch

    async def _flush(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            try:
                results = await self._write([item for item, _ in batch])
            except Exception as exc:  # noqa: BLE001  (each item alone then, each caller its own answer)
                if len(batch) == 1:
                    _settle(batch[0][1], exc)
                    continue
                log.warning(
                    "group_commit.batch_failed", size=len(batch), error=f"{type(exc).__name__}: {exc}"
                )
                for item, future in batch:
                    try:
                        (result,) = await self._write([item])
                    except Exception as single:  # noqa: BLE001
                        _settle(future, single)
                    else:
                        _settle(future, result)
                continue
            self.batches += 1
            for (_, future), result in zip(batch, results, strict=True):
                _settle(future, result)


def _settle(future: asyncio.Future[R], outcome: R | BaseException) -> None:
    with contextlib.suppress(asyncio.InvalidStateError):
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
