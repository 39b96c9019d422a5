"""The arithmetic of a shared quota: GCRA (the generic cell rate algorithm), a token bucket as one number.

A bucket of ``burst`` tokens refilled at ``rate`` per second is one "theoretical arrival time" (``tat``):
the time at which the bucket would be full again. Reserving ``n`` calls moves it by ``n / rate`` from
``max(tat, now)``, and call ``i`` of the batch may be sent at ``start + i / rate - tolerance``, not before
``now``. The whole state of a quota is that one float, so every process can share it through one row
updated by one ``UPDATE … RETURNING`` per batch (http/shared.py); this module is the pure part, the same
formula the SQL applies, so that property tests can check it.

``jitter`` is the lateness a send may have after its slot (the database round trip, a busy event loop):
the burst tolerance is reduced by it (the pace slowed only when it exceeds the burst), so that sends up
to ``jitter`` seconds late still never exceed the platform's bucket.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quota:
    rate: float  # calls per second
    burst: int  # the platform's bucket size
    jitter: float = 0.0  # seconds a send may be late after its slot

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1 or self.jitter < 0:
            raise ValueError("rate must be > 0, burst >= 1 and jitter >= 0")

    @property
    def interval(self) -> float:
        """Seconds between calls at the steady pace: the platform's, longer only when the allowed lateness
        exceeds the whole burst (a burst of 1 leaves no room for a late call but a longer gap)."""
        return 1.0 / self.rate + max(0.0, self.jitter - self._burst_span)

    @property
    def tolerance(self) -> float:
        """How far ahead of the steady pace a call may go: the burst, less the allowed lateness."""
        return max(0.0, self._burst_span - self.jitter)

    @property
    def _burst_span(self) -> float:
        return (self.burst - 1) / self.rate

    def reserve(self, tat: float, now: float, n: int) -> tuple[float, list[float]]:
        """The bucket's new ``tat`` and, for each of ``n`` calls, the earliest time it may be sent."""
        start = max(tat, now)
        return start + n * self.interval, self.send_times(start, now, n)

    def send_times(self, start: float, now: float, n: int) -> list[float]:
        """The slots of ``n`` calls reserved from ``start`` (the old ``tat``, at least ``now``)."""
        return [max(now, start + i * self.interval - self.tolerance) for i in range(n)]
