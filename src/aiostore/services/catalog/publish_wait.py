"""A publish item whose platform call met our open circuit breaker (`CircuitOpen`: refused here, nothing
sent) is not refused: it waits. Its job item says so (result `waiting`, the phase to go on from), its
listings keep their state (a create's placeholder stays `pending`), and the job is rescheduled as every
job refused by an open circuit is (runner `_circuit_open`, `jobs.circuit_wait`: when the circuit lets a
probe through, no attempt spent). The next run sends only the items still waiting, each from its phase:
a create or an update not sent; a create accepted but not read back (only read back); an update applied
whose variants are not read back yet, or whose prices are not sent yet. Items finished in an earlier run
(accepted, or refused by the platform) are never sent again; the job's report covers them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.errors import CircuitOpen
from aiostore.db.models import SyncJob, SyncJobItem
from aiostore.services.sync.context import SyncContext

WAITING = "waiting"  # sync_job_items.result of an item waiting for the circuit
CREATE, READBACK, UPDATE, RELINK, PRICES = "create", "readback", "update", "relink", "prices"

_DONE = {
    CREATE: "nothing was sent",
    UPDATE: "nothing was sent",
    READBACK: "it was created ({item_id}); reading it back waits",
    RELINK: "the update was applied; reading its variants back waits",
    PRICES: "the update was applied; its prices were not sent",
}


def waiting(exc: CircuitOpen, phase: str, dry_run: bool, *, item_id: str | None = None) -> dict[str, Any]:
    """The outcome of an item stopped at `phase` by the open circuit `exc`."""
    platform = exc.platform or "the platform"
    done = _DONE[phase].format(item_id=item_id)
    return {
        "result": WAITING,
        "error": f"the circuit for {platform} is open after repeated failures: {done}; "
        "it goes on when the circuit lets a probe through",
        "dry_run": dry_run,
        "phase": phase,
        "item_id": item_id,
        "circuit": exc,
    }


@dataclass
class Progress:
    """What the job's earlier runs recorded: each finished item's row and each waiting item's."""

    finished: dict[int, SyncJobItem] = field(default_factory=dict)
    waiting: dict[int, SyncJobItem] = field(default_factory=dict)

    def phase(self, seq: int) -> str | None:
        """Where a waiting item goes on from (None: from the start)."""
        row = self.waiting.get(seq)
        return None if row is None else row.request.get("phase")

    def item_id(self, seq: int) -> str | None:
        row = self.waiting.get(seq)
        return None if row is None else row.request.get("item_id")

    def ok(self) -> int:
        return sum(1 for row in self.finished.values() if row.result == "ok")


async def progress(sc: SyncContext, job: SyncJob) -> Progress:
    out = Progress()
    async with sc.tx(job.org_id) as session:
        rows = await session.scalars(select(SyncJobItem).where(SyncJobItem.job_id == job.id))
        for row in rows.all():
            seq = (row.request or {}).get("seq")
            if isinstance(seq, int):
                (out.waiting if row.result == WAITING else out.finished)[seq] = row
    return out


async def clear_waiting(session: AsyncSession, job: SyncJob) -> None:
    """The earlier runs' waiting items: this run's rows replace them (it ran every one)."""
    await session.execute(
        delete(SyncJobItem).where(SyncJobItem.job_id == job.id, SyncJobItem.result == WAITING)
    )


def counters(job: SyncJob, earlier: Progress) -> dict[str, int]:
    """The counts of the job's earlier runs, kept in its result while it waited."""
    before = job.result if earlier.finished or earlier.waiting else {}
    return {k: int(before.get(k) or 0) for k in ("prices", "prices_refused", "stock_pushed")}
