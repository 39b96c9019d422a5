"""Group commit (db/group_commit.py): concurrent callers share batches, each gets its own result, and one
bad item fails only its own caller."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from aiostore.db.group_commit import GroupCommit


class Ledger:
    """A `write` that records each batch it is given; an item "bad" makes the whole batch fail."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.committed: list[str] = []

    async def write(self, batch: Sequence[str]) -> list[str]:
        self.batches.append(list(batch))
        await asyncio.sleep(0)  # a round trip: the next callers queue up meanwhile
        if "bad" in batch:
            raise ValueError("bad item")
        self.committed.extend(batch)
        return [item.upper() for item in batch]


async def test_concurrent_callers_share_batches_and_each_gets_its_result() -> None:
    ledger = Ledger()
    group = GroupCommit(ledger.write)
    items = [f"push-{n}" for n in range(50)]
    results = await asyncio.gather(*(group.submit(item) for item in items))
    assert results == [item.upper() for item in items]
    assert sorted(ledger.committed) == sorted(items)  # each once
    assert group.batches == len(ledger.batches) < len(items)


async def test_a_lone_caller_waits_for_one_write() -> None:
    ledger = Ledger()
    group = GroupCommit(ledger.write)
    assert await group.submit("only") == "ONLY"
    assert ledger.batches == [["only"]]


async def test_one_bad_item_fails_only_its_caller() -> None:
    ledger = Ledger()
    group = GroupCommit(ledger.write)
    items = ["a", "b", "bad", "c"]
    results = await asyncio.gather(*(group.submit(item) for item in items), return_exceptions=True)
    assert results[:2] == ["A", "B"] and results[3] == "C"
    assert isinstance(results[2], ValueError)
    assert sorted(ledger.committed) == ["a", "b", "c"]


async def test_the_batch_size_is_bounded() -> None:
    ledger = Ledger()
    group = GroupCommit(ledger.write, max_batch=7)
    await asyncio.gather(*(group.submit(str(n)) for n in range(30)))
    assert max(len(batch) for batch in ledger.batches) <= 7
    assert sorted(ledger.committed, key=int) == [str(n) for n in range(30)]


async def test_a_failing_write_raises_to_the_caller() -> None:
    group = GroupCommit(Ledger().write)
    with pytest.raises(ValueError, match="bad item"):
        await group.submit("bad")
