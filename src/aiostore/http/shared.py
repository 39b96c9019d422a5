"""Quotas and breakers shared by every process through PostgreSQL.

``SharedLimiters`` keeps one ``quota_buckets`` row per limiter key (a shop, or a shop's endpoint): its
GCRA ``tat`` (http/quota.py). The calls waiting in a process for the same key are reserved together by
one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (the row lock makes it atomic across processes); each
call then sleeps until its slot. A process with many calls waiting pays one round trip per batch, not
per call. Times come from the database's clock and are used only as differences, so machines' clocks
need not agree.

``SharedBreakers`` keeps one ``circuit_breakers`` row per platform: consecutive failures and, once they
reach the threshold, the time the circuit opens until. A process reads the row at most every
``refresh_seconds`` (a failure or a probe reads it at once), so one process's open breaker stops the
others within that time; after the recovery time exactly one process wins the probe (a conditional
UPDATE), and its success closes the circuit for all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncEngine

from aiostore.http.breaker import (
    RECOVERY_SECONDS,
    THRESHOLD,
    BreakerRegistry,
    counts_as_failure,
    open_message,
)
from aiostore.http.client import HttpPolicy
from aiostore.http.errors import CircuitOpen
from aiostore.http.quota import Answers, ClockLink, Quota


def clock_sql(statement: str) -> TextClause:
    """``statement`` with ``NOW`` read as the database's clock in Unix seconds (at each use)."""
    return text(statement.replace("NOW", "CAST(extract(epoch FROM clock_timestamp()) AS float8)"))


RESERVE = clock_sql(
    "INSERT INTO quota_buckets AS b (key, tat) "
    "VALUES (:key, GREATEST(NOW, CAST(:floor AS float8)) + CAST(:cost AS float8)) "
    "ON CONFLICT (key) DO UPDATE "
    "SET tat = GREATEST(b.tat, NOW, CAST(:floor AS float8)) + CAST(:cost AS float8) "
    "RETURNING b.tat - CAST(:cost AS float8) AS start, NOW AS now"
)
DEFAULT_JITTER = 0.05  # seconds later than its slot the platform may count a call without a 429
MAX_BATCH = 1000
MAX_FORFEITS = 3  # a call on a loop too slow to ever wake in time still goes (and may meet a 429)


def autocommit(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, each statement its own transaction: one round trip, not BEGIN, it and COMMIT."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


class SharedBucket:
    """One key's quota in this process: waiting calls are reserved in batches against the shared row.

    Half of the quota's ``jitter`` is for waking up: a call that wakes later than that after its slot
    (the event loop was busy) gives the slot up and waits for a new one, since sent now it would meet
    the calls slotted after it at the platform (at most ``MAX_FORFEITS`` times: a loop that never wakes
    in time still sends). A quota without jitter models no lateness and keeps neither rule. The other
    half is for what follows (signing, the send, the network) and for the clock link's spread. An
    answer that comes more than half the jitter slower than the fastest recent one may have been
    counted by the platform as late as it came back
    (``answered``): the process keeps where the platform's bucket would then stand (``floor``: each
    such call moves it to ``max(floor, answered) + 1/rate``) and no reservation starts before it
    (``GREATEST(tat, now, floor)``; a busy bucket is already beyond it, so nothing is lost).
    """

    def __init__(self, engine: AsyncEngine, key: str, quota: Quota, link: ClockLink) -> None:
        self.engine = autocommit(engine)
        self.key = key
        self.quota = quota
        self.link = link
        self.answers = Answers(quota.jitter / 2)
        self.round_trips = 0
        self.forfeited = 0  # slots given up by calls that woke too late
        self.overdue = 0  # answers slow enough that the platform may have counted them late
        self.floor = 0.0  # database time no slot may precede: the overdue calls, counted when answered
        self._floor_moved = False  # not yet carried into the shared row
        self._waiting: list[asyncio.Future[float]] = []
        self._leader: asyncio.Task[None] | None = None

    async def acquire(self) -> None:
        """Wait for this call's slot in the shared quota (a new one if it woke too late for its own)."""
        loop = asyncio.get_running_loop()
        wake_limit = self.quota.jitter / 2
        for tries in range(MAX_FORFEITS + 1):
            slot: asyncio.Future[float] = loop.create_future()
            self._waiting.append(slot)
            self._lead()
            at = await slot
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            late = loop.time() - at + min(self.link.spread, wake_limit / 2)
            if not self.quota.jitter or late <= wake_limit or tries == MAX_FORFEITS:
                return
            self.forfeited += 1  # left unused: the quota is under-used for an instant, never exceeded

    def answered(self, sent: float) -> None:
        """The call sent at loop time ``sent`` was answered now."""
        now = asyncio.get_running_loop().time()
        if self.quota.jitter and self.answers.overdue(now - sent) and self.link.spread < float("inf"):
            self.overdue += 1
            self.floor = max(self.floor, now - self.link.low) + self.quota.interval  # db time, at its latest
            self._floor_moved = True
            self._lead()

    def _lead(self) -> None:
        if self._leader is None or self._leader.done():
            self._leader = asyncio.create_task(self._serve())

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting or self._floor_moved:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            self._floor_moved = False
            sent = loop.time()
            try:
                start, now = await self._reserve(len(batch))
            except Exception as exc:  # the database is down: these calls fail, later ones try again
                for slot in batch:
                    if not slot.done():
                        slot.set_exception(exc)
                continue
            self.link.observe(sent, now, loop.time())
            for slot, at in zip(batch, self.quota.send_times(start, now, len(batch)), strict=True):
                if not slot.done():
                    slot.set_result(self.link.local(at))

    async def _reserve(self, n: int) -> tuple[float, float]:
        self.round_trips += 1
        params = {"key": self.key, "cost": n * self.quota.interval, "floor": self.floor}
        async with self.engine.connect() as conn:
            row = (await conn.execute(RESERVE, params)).one()
            await conn.commit()
        return float(row.start), float(row.now)


class SharedLimiters:
    """The ``Limiters`` of every process on one database (see ``LimiterRegistry`` for one process)."""

    def __init__(self, engine: AsyncEngine, *, jitter: float = DEFAULT_JITTER) -> None:
        self.engine = engine
        self.jitter = jitter
        self.link = ClockLink()  # one database clock for every bucket
        self._buckets: dict[str, SharedBucket] = {}

    def get(self, key: str, *, rate_per_second: float, burst: int) -> SharedBucket:
        quota = Quota(rate_per_second, burst, self.jitter)
        bucket = self._buckets.get(key)
        if bucket is None or bucket.quota != quota:
            bucket = self._buckets[key] = SharedBucket(self.engine, key, quota, self.link)
        return bucket

    def __contains__(self, key: str) -> bool:
        return key in self._buckets


FAIL = clock_sql(
    "INSERT INTO circuit_breakers AS c (name, failures, opened_until) "
    "VALUES (:name, 1, CASE WHEN 1 >= :threshold THEN NOW + CAST(:recovery AS float8) END) "
    "ON CONFLICT (name) DO UPDATE SET failures = c.failures + 1, probing = false, opened_until = CASE "
    "WHEN c.failures + 1 >= :threshold THEN NOW + CAST(:recovery AS float8) ELSE c.opened_until END "
    "RETURNING failures, opened_until - NOW AS remaining, probing"
)
READ = clock_sql(
    "SELECT failures, opened_until - NOW AS remaining, probing FROM circuit_breakers WHERE name = :name"
)
# The probe's claim keeps the circuit open another recovery time (no second probe meanwhile, even if the
# prober dies) and marks the probe in flight until its answer is recorded (FAIL or CLOSE).
PROBE = clock_sql(
    "UPDATE circuit_breakers SET opened_until = NOW + CAST(:recovery AS float8), probing = true "
    "WHERE name = :name AND opened_until <= NOW RETURNING failures"
)
CLOSE = text(
    "UPDATE circuit_breakers SET failures = 0, opened_until = NULL, probing = false WHERE name = :name"
)
PROBE_RECHECK = 0.1  # of the recovery time: how soon work refused while a probe is in flight looks again


@dataclass
class _View:
    failures: int
    remaining: float | None  # seconds the circuit stays open (<= 0: half-open), None when closed
    read_at: float  # our loop time when read
    probing: bool = False  # another call is the probe: its answer may close the circuit any moment


def _left(view: _View) -> float | None:
    """Seconds the circuit stays open from now (<= 0: half-open), None when closed."""
    if view.remaining is None:
        return None
    return view.remaining - (asyncio.get_running_loop().time() - view.read_at)


class SharedBreakers:
    """The ``Breakers`` of every process on one database (see ``BreakerRegistry`` for one process)."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        threshold: int = THRESHOLD,
        recovery_seconds: float = RECOVERY_SECONDS,
        refresh_seconds: float = 0.5,
    ) -> None:
        self.engine = autocommit(engine)
        self.threshold = threshold
        self.recovery_seconds = recovery_seconds
        self.refresh_seconds = refresh_seconds
        self._views: dict[str, _View] = {}

    def _params(self, name: str) -> dict[str, object]:
        return {"name": name, "threshold": self.threshold, "recovery": self.recovery_seconds}

    async def _read(self, statement: TextClause, name: str) -> _View:
        """Run ``READ`` or ``FAIL`` and keep what the row says now."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(statement, self._params(name))).one_or_none()
            await conn.commit()
        remaining = None if row is None or row.remaining is None else float(row.remaining)
        failures, probing = (0, False) if row is None else (int(row.failures), bool(row.probing))
        view = _View(failures, remaining, asyncio.get_running_loop().time(), probing)
        self._views[name] = view
        return view

    async def _view(self, name: str) -> _View:
        view = self._views.get(name)
        if view is None or asyncio.get_running_loop().time() - view.read_at >= self.refresh_seconds:
            view = await self._read(READ, name)
        return view

    async def _claim_probe(self, name: str) -> bool:
        async with self.engine.connect() as conn:
            won = (await conn.execute(PROBE, self._params(name))).first() is not None
            await conn.commit()
        await self._read(READ, name)
        return won

    @asynccontextmanager
    async def guard(self, name: str) -> AsyncIterator[None]:
        """Run the block under the shared breaker ``name``; raise ``CircuitOpen`` while it is open."""
        view = await self._view(name)
        probing = False
        left = _left(view)
        if left is not None:
            if left > 0 or not await self._claim_probe(name):
                # until it half-opens, as last read (a lost race for the probe reads the winner's claim;
                # None: the winner's success closed it meanwhile); while a probe is in flight, its
                # answer may close the circuit any moment: look again soon, not a recovery time later
                current = self._views[name]
                wait = max(_left(current) or 0.0, 0.0)
                if current.probing:
                    wait = min(wait, PROBE_RECHECK * self.recovery_seconds)
                raise CircuitOpen(open_message(name), retry_after=wait, platform=name)
            probing = True
        try:
            yield
        except BaseException as exc:
            if counts_as_failure(exc):
                await self._read(FAIL, name)
            elif probing or view.failures:
                await self._close(name)
            raise
        if probing or view.failures:
            await self._close(name)

    async def _close(self, name: str) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(CLOSE, {"name": name})
            await conn.commit()
        self._views[name] = _View(0, None, asyncio.get_running_loop().time())

    async def state(self, name: str) -> str:
        """'closed', 'opened' or 'half-opened', as the database has it now."""
        view = await self._read(READ, name)
        if view.remaining is None:
            return "closed"
        return "opened" if view.remaining > 0 else "half-opened"


class BreakerSettings(Protocol):
    """What a process's policy reads of the settings (``aiostore.settings.Settings``)."""

    @property
    def breaker_threshold(self) -> int: ...

    @property
    def breaker_recovery_seconds(self) -> float: ...


def policy_for(settings: BreakerSettings, engine: AsyncEngine | None) -> HttpPolicy:
    """The policy of a process: on a database, its quotas and breakers are every process's; without
    one (no database: connector tests, tools), its own."""
    threshold, recovery = settings.breaker_threshold, settings.breaker_recovery_seconds
    if engine is None:
        return HttpPolicy(breakers=BreakerRegistry(threshold=threshold, recovery_seconds=recovery))
    return HttpPolicy(
        limiters=SharedLimiters(engine),
        breakers=SharedBreakers(engine, threshold=threshold, recovery_seconds=recovery),
    )
