"""Operations, per shop: how long a sale takes to reach the shop's stock (p50/p95), push failures and their
reasons, the last successful pull, token expiry and oversold orders.

Propagation is measured per stock push of the shop that the platform took in the range and that carried a
sale from another shop: from the oldest such sale it carried (its `order` movement in the inventory ledger,
noted on the listing until a push takes its stock) to the moment the platform accepted the push. That sale
waited longest for the push that carried it, so the figures are the worst case of each burst.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.services.context import OrgContext
from aiostore.services.reports.filters import ReportFilter, rows

REASONS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Reason:
    error: str
    count: int


@dataclass(frozen=True, slots=True)
class ShopOperations:
    shop_id: uuid.UUID
    shop_name: str
    platform: str
    market: str
    status: str
    pushes: int  # stock pushes taken in the range that carried a sale from another shop
    propagation_p50_s: float | None
    propagation_p95_s: float | None
    push_failures: int  # failed items of stock and listing pushes
    failure_reasons: list[Reason]
    last_pull_at: datetime | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    oversold_orders: int


# Each stock push that carried a sale from another shop records the oldest one (its ledger movement's
# time) and when the platform took it (services/sync/push_stock.py); one index-only range scan.
_PROPAGATION = """SELECT j.channel_account_id AS shop, count(*) AS pushes,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM j.pushed_at - j.sale_at)) AS p50,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM j.pushed_at - j.sale_at)) AS p95
FROM sync_jobs j
WHERE j.org_id = :org AND j.sale_at IS NOT NULL AND j.channel_account_id = ANY(:shops)
  AND j.pushed_at >= :t_start AND j.pushed_at < :t_end
GROUP BY 1"""

# From the failed items (a partial index keeps them by time; an item is written after its job began)
_FAILURES = """SELECT j.channel_account_id AS shop, left(coalesce(i.error, j.error, ''), 200) AS error,
    count(*) AS n
FROM sync_job_items i JOIN sync_jobs j ON j.id = i.job_id
WHERE i.org_id = :org AND i.result = 'failed' AND i.created_at >= :t_start
  AND j.kind IN ('push_stock', 'push_listings') AND j.channel_account_id = ANY(:shops)
  AND j.created_at >= :t_start AND j.created_at < :t_end
GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2"""

_PULLS = """SELECT j.channel_account_id AS shop, max(j.finished_at) AS at FROM sync_jobs j
WHERE j.org_id = :org AND j.kind IN ('pull_orders', 'pull_products') AND j.status = 'succeeded'
  AND j.channel_account_id = ANY(:shops) GROUP BY 1"""


async def operations_report(session: AsyncSession, ctx: OrgContext, f: ReportFilter) -> list[ShopOperations]:
    params: dict[str, Any] = {"org": ctx.org_id}
    where = ["c.org_id = :org"]
    if f.shops:
        params["only"] = list(f.shops)
        where.append("c.id = ANY(:only)")
    if f.markets:
        params["markets"] = list(f.markets)
        where.append("c.market = ANY(:markets)")
    shops = await rows(
        session,
        "SELECT c.id, c.shop_name, c.platform, c.market, c.status, c.access_expires_at, c.refresh_expires_at "
        f"FROM channel_accounts c WHERE {' AND '.join(where)} ORDER BY c.market, c.shop_name, c.id",
        params,
    )
    ids = [s.id for s in shops]
    window = {
        "org": ctx.org_id,
        "shops": ids,
        # the range's days in the earliest and the latest market zone: UTC-0 .. UTC+8 is within a day
        "t_start": datetime.combine(f.start, time(), UTC) - timedelta(hours=8),
        "t_end": datetime.combine(f.end + timedelta(days=1), time(), UTC),
    }
    propagation = {r.shop: r for r in await rows(session, _PROPAGATION, window)}
    reasons: dict[uuid.UUID, list[Reason]] = {}
    for r in await rows(session, _FAILURES, window):
        reasons.setdefault(r.shop, []).append(Reason(r.error, int(r.n)))
    pulls = {r.shop: r.at for r in await rows(session, _PULLS, window)}
    oversold_params: dict[str, Any] = {"org": ctx.org_id, "shops": ids}
    oversold_sql = f"""SELECT o.channel_account_id AS shop, count(*) AS n FROM orders o
        WHERE {f.order_where(oversold_params)} AND o.oversold AND o.channel_account_id = ANY(:shops)
        GROUP BY 1"""
    oversold = {r.shop: int(r.n) for r in await rows(session, oversold_sql, oversold_params)}
    out = []
    for s in shops:
        p = propagation.get(s.id)
        failed = reasons.get(s.id, [])
        out.append(
            ShopOperations(
                shop_id=s.id,
                shop_name=s.shop_name,
                platform=s.platform,
                market=s.market,
                status=s.status,
                pushes=int(p.pushes) if p else 0,
                propagation_p50_s=round(float(p.p50), 3) if p else None,
                propagation_p95_s=round(float(p.p95), 3) if p else None,
                push_failures=sum(r.count for r in failed),
                failure_reasons=failed[:REASONS_SHOWN],
                last_pull_at=pulls.get(s.id),
                access_expires_at=s.access_expires_at,
                refresh_expires_at=s.refresh_expires_at,
                oversold_orders=oversold.get(s.id, 0),
            )
        )
    return out
