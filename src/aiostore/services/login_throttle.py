"""Throttling of logins and registration probes, shared by all processes through PostgreSQL.

Attempts are counted per (account, client address) and, with a much higher threshold, per client
address across accounts. Past a threshold each further attempt must wait a delay that doubles with
every failure (capped), so an attacker slows down while the account's owner, from any other address,
or from the same one once the delay has passed, still gets in. An attempt is counted before the
password is checked (under an advisory lock per key, so parallel guesses are counted too) and
forgiven when it succeeds: a successful login clears its (account, address) counter.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import LoginFailure
from aiostore.errors import TooManyRequests
from aiostore.settings import Settings

PAIR = "pair"  # one account from one client address
ADDRESS = "address"  # one client address, any account
REGISTER = "register"  # registration attempts of one client address


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    max_failures: int = 5  # per (account, address), and registration probes per address
    address_max_failures: int = 100  # per address across accounts (an office behind one address)
    first_delay: timedelta = timedelta(seconds=10)
    max_delay: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(hours=1)  # older attempts are forgotten

    @classmethod
    def of(cls, settings: Settings) -> ThrottlePolicy:
        return cls(
            max_failures=settings.login_max_failures,
            address_max_failures=settings.login_address_max_failures,
            first_delay=timedelta(seconds=settings.login_delay_seconds),
            max_delay=timedelta(seconds=settings.login_max_delay_seconds),
            window=timedelta(minutes=settings.login_window_minutes),
        )

    def delay(self, failures: int, threshold: int) -> timedelta:
        """How long after the last failure the next attempt must wait (zero below the threshold)."""
        if failures < threshold:
            return timedelta(0)
        doublings = min(failures - threshold, 32)
        delay: timedelta = self.first_delay * (2**doublings)
        return min(self.max_delay, delay)


@dataclass(frozen=True, slots=True)
class Limit:
    scope: str
    key: str
    threshold: int


@dataclass(frozen=True, slots=True)
class Attempt:
    """The attempt rows counted before the check; forgiven (deleted) if the attempt succeeds."""

    ids: tuple[uuid.UUID, ...]
    limits: tuple[Limit, ...]


def _hash(*parts: str) -> str:
    return hashlib.sha256("\n".join(p.lower() for p in parts).encode()).hexdigest()


def login_limits(email: str, client_ip: str | None, policy: ThrottlePolicy) -> list[Limit]:
    address = client_ip or ""
    return [
        Limit(PAIR, _hash(email, address), policy.max_failures),
        Limit(ADDRESS, _hash(address), policy.address_max_failures),
    ]


def register_limits(client_ip: str | None, policy: ThrottlePolicy) -> list[Limit]:
    return [Limit(REGISTER, _hash(client_ip or ""), policy.max_failures)]


async def begin(session: AsyncSession, policy: ThrottlePolicy, limits: list[Limit]) -> Attempt:
    """Refuse (429 with Retry-After) while any limit's delay runs; else count the attempt.

    The caller commits this before checking credentials, so a crash or a failure leaves it counted.
    """
    for limit in sorted(limits, key=lambda lim: (lim.scope, lim.key)):
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(limit.key, 0))))
    now = datetime.now(UTC)
    waits = [timedelta(0)]
    for limit in limits:
        count, last = (
            await session.execute(
                select(func.count(), func.max(LoginFailure.at)).where(
                    LoginFailure.scope == limit.scope,
                    LoginFailure.key == limit.key,
                    LoginFailure.at > now - policy.window,
                )
            )
        ).one()
        if last is not None:
            waits.append(last + policy.delay(int(count), limit.threshold) - now)
    wait = max(waits)
    if wait > timedelta(0):
        raise TooManyRequests(
            "too many failed attempts from this address; try again later",
            headers={"Retry-After": str(max(1, math.ceil(wait.total_seconds())))},
        )
    rows = [LoginFailure(scope=lim.scope, key=lim.key, at=now) for lim in limits]
    session.add_all(rows)
    await session.flush()
    return Attempt(tuple(r.id for r in rows), tuple(limits))


async def forgive(session: AsyncSession, attempt: Attempt, *, clear: str | None = None) -> None:
    """The attempt succeeded: it no longer counts, and neither do earlier failures of scope `clear`."""
    await session.execute(delete(LoginFailure).where(LoginFailure.id.in_(attempt.ids)))
    for limit in attempt.limits:
        if limit.scope == clear:
            await session.execute(
                delete(LoginFailure).where(LoginFailure.scope == limit.scope, LoginFailure.key == limit.key)
            )


async def purge(session: AsyncSession, policy: ThrottlePolicy) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.at < datetime.now(UTC) - policy.window))
