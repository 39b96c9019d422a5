"""Evaluating an organisation's rules: alert states raised, kept or cleared in one statement per rule,
then the newly raised ones fanned out to notifications and pending deliveries (set-based, no row loop).

An alert that stays true is raised once: it is not sent again until it has cleared and come back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import AlertRule, ChannelRoute
from aiostore.db.session import Database
from aiostore.services.alerts import conditions, triggers
from aiostore.services.alerts.rules import Kind, ensure_defaults, parse_params
from aiostore.services.sync.queue import defer
from aiostore.settings import Settings

log = structlog.get_logger(__name__)

EVALUATE_TASK = triggers.EVALUATE_TASK
DISPATCH_TASK = "alerts.dispatch"

_STATES = """
WITH cur AS ({query}),
up AS (
    INSERT INTO alert_states (id, org_id, rule_id, kind, subject_key, subject, first_seen, last_seen,
                              raised_at, cleared_at, created_at, updated_at)
    SELECT gen_random_uuid(), :org, :rule, :kind, cur.subject_key, cur.subject, :now, :now, :now, NULL,
           :now, :now
    FROM cur
    ON CONFLICT (rule_id, subject_key) DO UPDATE SET
        subject = EXCLUDED.subject, last_seen = EXCLUDED.last_seen, updated_at = EXCLUDED.updated_at,
        raised_at = CASE WHEN alert_states.cleared_at IS NULL THEN alert_states.raised_at
                         ELSE EXCLUDED.raised_at END,
        cleared_at = NULL
    RETURNING id, raised_at
),
gone AS (
    UPDATE alert_states s SET cleared_at = :now, updated_at = :now
    WHERE s.org_id = :org AND s.rule_id = :rule AND s.cleared_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM cur WHERE cur.subject_key = s.subject_key)
    RETURNING s.id
)
SELECT (SELECT array_agg(id) FROM up WHERE raised_at = :now) AS raised, (SELECT count(*) FROM gone) AS cleared
"""

_CLEAR_RULE = """
UPDATE alert_states SET cleared_at = :now, updated_at = :now
WHERE org_id = :org AND rule_id = :rule AND cleared_at IS NULL
"""

_NOTIFY = """
INSERT INTO notifications (id, org_id, user_id, alert_state_id, kind, subject, created_at, updated_at)
SELECT gen_random_uuid(), s.org_id, m.user_id, s.id, s.kind, s.subject, :now, :now
FROM alert_states s
JOIN memberships m ON m.org_id = s.org_id
LEFT JOIN alert_preferences p ON p.org_id = s.org_id AND p.user_id = m.user_id
WHERE s.org_id = :org AND m.org_id = :org AND s.id = ANY(:ids) AND coalesce(p.in_app, true)
"""

_EMAILS = """
INSERT INTO alert_deliveries (id, org_id, alert_state_id, channel, user_id, webhook_id, language, status,
                              attempts, created_at, updated_at)
SELECT gen_random_uuid(), s.org_id, s.id, 'email', m.user_id, NULL, p.language, 'pending', 0, :now, :now
FROM alert_states s
JOIN memberships m ON m.org_id = s.org_id
JOIN alert_preferences p ON p.org_id = s.org_id AND p.user_id = m.user_id
JOIN users u ON u.id = m.user_id
WHERE s.org_id = :org AND m.org_id = :org AND s.id = ANY(:ids) AND p.email AND u.is_active
"""

_HOOKS = """
INSERT INTO alert_deliveries (id, org_id, alert_state_id, channel, user_id, webhook_id, language, status,
                              attempts, created_at, updated_at)
SELECT gen_random_uuid(), s.org_id, s.id, 'webhook', NULL, w.id, w.language, 'pending', 0, :now, :now
FROM alert_states s JOIN alert_webhooks w ON w.org_id = s.org_id
WHERE s.org_id = :org AND s.id = ANY(:ids) AND w.enabled
"""


@dataclass
class Outcome:
    raised: dict[str, int] = field(default_factory=dict)
    cleared: dict[str, int] = field(default_factory=dict)
    deliveries: int = 0


async def evaluate_org(
    session: AsyncSession, org_id: uuid.UUID, settings: Settings, now: datetime | None = None
) -> Outcome:
    """Evaluate every rule of the organisation in the session's transaction (the session's org is set)."""
    now = now or datetime.now(UTC)
    # One evaluation of an organisation at a time (a trigger and the schedule may meet).
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('alerts:' || :org))"), {"org": str(org_id)}
    )
    await ensure_defaults(session, org_id)
    outcome = Outcome()
    raised: list[uuid.UUID] = []
    for rule in (await session.scalars(select(AlertRule))).all():
        try:
            kind = Kind(rule.kind)
        except ValueError:
            continue
        base = {"org": org_id, "rule": rule.id, "now": now}
        if not rule.enabled:
            cleared = await session.execute(text(_CLEAR_RULE), base)
            outcome.cleared[kind.value] = getattr(cleared, "rowcount", 0) or 0
            continue
        params = conditions.binds(kind, parse_params(kind, rule.params))
        sql = _STATES.format(query=conditions.QUERIES[kind])
        row = (await session.execute(text(sql), {**base, "kind": kind.value, **params})).one()
        ids = list(row.raised or [])
        raised.extend(ids)
        outcome.raised[kind.value] = len(ids)
        outcome.cleared[kind.value] = int(row.cleared)
    if raised:
        outcome.deliveries = await fan_out(session, org_id, raised, settings, now)
    return outcome


async def fan_out(
    session: AsyncSession, org_id: uuid.UUID, ids: list[uuid.UUID], settings: Settings, now: datetime
) -> int:
    """Notifications for every member who wants them in the app; deliveries by e-mail and webhook,
    grouped and sent by one dispatch `alert_group_seconds` later."""
    binds = {"org": org_id, "ids": ids, "now": now}
    await session.execute(text(_NOTIFY), binds)
    created = 0
    statements = [_HOOKS, _EMAILS] if settings.smtp_host else [_HOOKS]
    for statement in statements:
        result = await session.execute(text(statement), binds)
        created += getattr(result, "rowcount", 0) or 0
    if created:
        await defer(
            session,
            DISPATCH_TASK,
            queueing_lock=f"alerts-dispatch:{org_id}",
            schedule_at=now + timedelta(seconds=settings.alert_group_seconds),
            org_id=str(org_id),
        )
    return created


async def organisations(db: Database) -> list[uuid.UUID]:
    """The organisations with a shop (every rule looks at shops, their orders, listings or jobs)."""
    async with db.transaction() as session:
        return list((await session.scalars(select(ChannelRoute.org_id).distinct())).all())


async def evaluate_all(db: Database, settings: Settings) -> int:
    """Evaluate every organisation, each in its own transaction; returns how many alerts were raised."""
    total = 0
    for org_id in await organisations(db):
        try:
            async with db.transaction(org_id) as session:
                outcome = await evaluate_org(session, org_id, settings)
        except Exception:  # one organisation's failure does not keep the others' alerts back
            log.exception("alerts.evaluation_failed", org_id=str(org_id))
            continue
        total += sum(outcome.raised.values())
        if outcome.raised and any(outcome.raised.values()):
            log.info("alerts.raised", org_id=str(org_id), raised=outcome.raised)
    return total
