"""Each periodic task is deferred at a second of its own (worker/at.py), never two at once."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

from aiostore.jobqueue import TASK_MODULES
from aiostore.worker.app import queue


def test_every_periodic_task_runs_at_a_second_of_its_own() -> None:
    for module in TASK_MODULES:
        importlib.import_module(module)
    periodic = list(queue.periodic_registry.periodic_tasks.values())
    assert len(periodic) >= 6
    start = datetime(2026, 12, 7, 10, 0, 0, 500_000, tzinfo=UTC).timestamp()
    seconds = {p.task.name: round(p.croniter.get_next(float, start)) % 60 for p in periodic}
    assert len(set(seconds.values())) == len(seconds), seconds
    assert seconds["sync.schedule"] == 0
