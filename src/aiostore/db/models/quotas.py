"""Quotas and breakers shared by every worker process (http/shared.py), and the workers' liveness
(worker/liveness.py): not tenant data.

A row names a platform shop's limiter key, a platform or a queue worker, and holds a time or nothing;
no organisation's data.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Double, String, false
from sqlalchemy.orm import Mapped, mapped_column

from aiostore.db.base import Base


class QuotaBucket(Base):
    """One rate limit (a shop, or a shop's endpoint): its GCRA theoretical arrival time (http/quota.py)."""

    __tablename__ = "quota_buckets"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tat: Mapped[float] = mapped_column(Double)  # Unix seconds on the database's clock


class CircuitBreakerState(Base):
    """One platform's breaker: consecutive failures, until when it is open (None: closed), and whether its
    half-open probe is in flight."""

    __tablename__ = "circuit_breakers"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int]
    opened_until: Mapped[float | None] = mapped_column(Double)
    probing: Mapped[bool] = mapped_column(server_default=false())  # a process claimed the probe, in flight


class WorkerLiveness(Base):
    """A queue worker (procrastinate's id) whose process holds its advisory lock while it lives: a listed
    worker whose lock is free died (worker/liveness.py)."""

    __tablename__ = "worker_liveness"
    worker_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
