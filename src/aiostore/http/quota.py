"""The arithmetic of a shared quota: GCRA (the generic cell rate algorithm), a token bucket as one number.

A bucket of ``burst`` tokens refilled at ``rate`` per second is one "theoretical arrival time" (``tat``):
the time at which the bucket would be full again. Reserving ``n`` calls moves it by ``n / rate`` from
``max(tat, now)``, and call ``i`` of the batch may be sent at ``start + i / rate - tolerance``, not before
``now``. The whole state of a quota is that one float, so every process can share it through one row
updated by one ``UPDATE … RETURNING`` per batch (http/shared.py); this module is the pure part, the same
formula the SQL applies, so that property tests can check it.

``jitter`` is how much later than its slot the platform may count a call (a busy event loop, the send,
the network): the burst tolerance is reduced by it (the pace slowed only when it exceeds the burst), so
that calls counted up to ``jitter`` seconds late still never exceed the platform's bucket. It is a bound
the process keeps, not a hope (http/shared.py): a call that wakes more than half of it after its slot
gives the slot up and asks for a new one, and calls the platform may have counted later than that (an
answer much slower than the fastest) move the bucket on as if counted when answered.

``ClockLink`` maps the database's clock to this process's: from every reservation's round trip, the
fastest recent ones bound the offset, so a slow round trip does not make its slots late.
"""

from __future__ import annotations

from collections import deque
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


class ClockLink:
    """Where the database's clock stands against this process's loop clock (``local = db + offset``).

    Each round trip sent at local ``sent`` and answered at ``received`` with the database reading ``db``
    says ``sent - db <= offset <= received - db``; the samples of the last ``window`` seconds together
    narrow it. ``late`` is the offset's upper bound, so a slot mapped by it is never early; ``spread`` is
    how much it may be late by. Clocks that no longer agree with old samples (a stepped clock, drift
    between machines) start the samples afresh.
    """

    def __init__(self, window: float = 30.0) -> None:
        self.window = window
        # The window's bounds as monotonic queues (received, bound): the lows decreasing and the highs
        # increasing from the front, so the tightest of each is at the front and an observation costs
        # O(1) amortized, not a scan of the window's samples (a busy quota has hundreds).
        self._lows: deque[tuple[float, float]] = deque()
        self._highs: deque[tuple[float, float]] = deque()
        self.low = float("-inf")
        self.high = float("inf")

    def observe(self, sent: float, db: float, received: float) -> None:
        low, high = sent - db, received - db
        for bounds in (self._lows, self._highs):
            while bounds and bounds[0][0] < received - self.window:
                bounds.popleft()
        while self._lows and self._lows[-1][1] <= low:
            self._lows.pop()
        self._lows.append((received, low))
        while self._highs and self._highs[-1][1] >= high:
            self._highs.pop()
        self._highs.append((received, high))
        self.low, self.high = self._lows[0][1], self._highs[0][1]
        if self.low > self.high:  # the clocks moved apart: only the newest sample holds
            self._lows, self._highs = deque([(received, low)]), deque([(received, high)])
            self.low, self.high = low, high

    def local(self, db_time: float) -> float:
        """The loop time at which ``db_time`` has certainly passed."""
        return db_time + self.high

    @property
    def spread(self) -> float:
        return self.high - self.low


class Answers:
    """How fast one bucket's calls are answered: an answer slower than the fastest recent one by more than
    ``slack`` may have been counted by the platform that much later than it was sent (its gateway or the
    network held it), so it is ``overdue``."""

    def __init__(self, slack: float, keep: int = 64) -> None:
        self.slack = slack
        self._recent: deque[float] = deque(maxlen=keep)

    def overdue(self, seconds: float) -> bool:
        late = bool(self._recent) and seconds > min(self._recent) + self.slack
        self._recent.append(seconds)
        return late
