"""The second of the minute at which each periodic task is deferred.

Every periodic task was deferred at second 0 of each minute, all together: a schedule tick, the sweep,
the reconciliation tick, the stalled-job check and the alerts' evaluation, each 0.07-0.18 s of the
worker's event loop under bench/propagation.py's load, so the sales in flight then waited for all of
them at once (in one run, the orders placed in that second took up to 600 ms, the others under 400;
other runs showed no such spike among the phases of Tokopedia's pace). Spread over the minute, each
is alone with the sales.
"""

from __future__ import annotations

SCHEDULE = 0  # sync.schedule: the pulls, token refreshes and reference reads due
ALERTS = 10  # alerts.evaluate_all
SWEEP = 20  # sync.sweep_dirty
RECONCILE = 30  # sync.reconcile
STALLED = 40  # sync.retry_stalled
HOUSEKEEPING = 50  # housekeeping.purge_expired (every 15 minutes)


def minutely(second: int) -> str:
    """A cron (procrastinate's, with a sixth field for the second) for every minute at `second`."""
    return f"* * * * * {second}"
