"""What makes each kind of alert true: one set-based query per kind, over one organisation's rows.

Each query yields `subject_key` (what the alert is about: a variant, an order, a shop, a job, a listing)
and `subject`, the labels its message shows. Labels name SKUs, shops, platforms, order numbers and job
kinds only: never a buyer's name, phone, address or e-mail, and never a free-text error (it may quote one).
"""

from __future__ import annotations

from typing import Any

from aiostore.services.alerts.rules import Kind

_SHOP = "'shop', c.shop_name, 'platform', c.platform, 'market', c.market"

_QUERIES: dict[Kind, str] = {
    # available ÷ average daily units sold over the window (lines of orders not cancelled nor returned)
    Kind.LOW_COVER: """
        SELECT v.id::text AS subject_key,
               jsonb_build_object('sku', v.sku, 'available', greatest(i.on_hand - i.reserved, 0),
                                  'days', round(greatest(i.on_hand - i.reserved, 0) / s.daily, 1)) AS subject
        FROM (
            SELECT ol.variant_id, sum(ol.quantity)::numeric / :window_days AS daily
            FROM order_lines ol JOIN orders o ON o.id = ol.order_id
            WHERE o.org_id = :org AND ol.org_id = :org AND ol.variant_id IS NOT NULL
              AND o.placed_at >= :now - :window_days * interval '1 day'
              AND o.status NOT IN ('cancelled', 'returned')
            GROUP BY ol.variant_id
        ) s
        JOIN inventory i ON i.variant_id = s.variant_id AND i.org_id = :org
        JOIN variants v ON v.id = s.variant_id AND v.org_id = :org
        WHERE s.daily > 0 AND greatest(i.on_hand - i.reserved, 0) / s.daily < :days
    """,
    Kind.OVERSOLD: """
        SELECT o.id::text AS subject_key,
               jsonb_build_object('order', o.platform_order_id, __SHOP__) AS subject
        FROM orders o JOIN channel_accounts c ON c.id = o.channel_account_id
        WHERE o.org_id = :org AND o.oversold AND o.status IN ('unpaid', 'to_ship')
    """,
    # The shop's authorisation health (services/token_health.health_of), in SQL: re-authorisation
    # needed (refused, or ended), refreshes failing, or ending within `days`. The end is the earlier of
    # the refresh token's expiry and the end the platform announced (Lazada's expiry push).
    Kind.TOKEN_EXPIRY: """
        SELECT c.id::text AS subject_key,
               jsonb_build_object(__SHOP__,
                   'expires_at', least(c.refresh_expires_at, c.authorization_expires_at),
                   'state', CASE WHEN c.status = 'needs_reauth' THEN 'refused'
                                 WHEN least(c.refresh_expires_at, c.authorization_expires_at) <= :now
                                     THEN 'expired'
                                 WHEN c.refresh_failures > 0 THEN 'refresh_failing'
                                 ELSE 'expiring' END) AS subject
        FROM channel_accounts c
        WHERE c.org_id = :org AND c.status <> 'disconnected'
          AND (c.status = 'needs_reauth' OR c.refresh_failures > 0
               OR least(c.refresh_expires_at, c.authorization_expires_at) < :now + :days * interval '1 day')
    """,
    Kind.JOB_FAILED: """
        SELECT j.id::text AS subject_key,
               jsonb_build_object('job_kind', j.kind, 'attempts', j.attempts, __SHOP__) AS subject
        FROM sync_jobs j LEFT JOIN channel_accounts c ON c.id = j.channel_account_id
        WHERE j.org_id = :org AND j.status = 'failed' AND j.finished_at >= :now - :hours * interval '1 hour'
    """,
    Kind.LISTING_REJECTED: """
        SELECT l.id::text AS subject_key,
               jsonb_build_object('sku', coalesce(l.platform_sku, l.platform_item_id), 'state',
                   CASE WHEN l.review_state = 'rejected' THEN 'rejected'
                        WHEN l.status = 'banned' THEN 'banned'
                        WHEN l.sync_state = 'error' THEN 'refused' ELSE 'price_refused' END,
                   __SHOP__) AS subject
        FROM listings l JOIN channel_accounts c ON c.id = l.channel_account_id
        WHERE l.org_id = :org
          AND (l.sync_state = 'error' OR l.price_sync_state = 'error' OR l.status = 'banned'
               OR l.review_state = 'rejected')
    """,
    # An open stock finding of the reconciliation or of a push's read-back (drift being repaired, or a
    # write the platform accepted and kept its own stock against), else a pull that saw other stock
    # than our last live push set.
    Kind.STOCK_DRIFT: """
        SELECT DISTINCT ON (subject_key) subject_key, subject FROM (
            SELECT f.listing_id::text AS subject_key, 0 AS pick,
                   jsonb_build_object('sku', f.sku, 'platform_stock', f.theirs::bigint,
                       'pushed_stock', f.ours::bigint, 'cause', f.cause, __SHOP__) AS subject
            FROM reconciliation_findings f JOIN channel_accounts c ON c.id = f.channel_account_id
            WHERE f.org_id = :org AND f.kind = 'stock' AND f.status IN ('open', 'repairing')
            UNION ALL
            SELECT l.id::text, 1,
                   jsonb_build_object('sku', coalesce(l.platform_sku, l.platform_item_id),
                       'platform_stock', l.platform_stock, 'pushed_stock', l.pushed_stock, __SHOP__)
            FROM listings l JOIN channel_accounts c ON c.id = l.channel_account_id
            WHERE l.org_id = :org AND l.pushed_stock IS NOT NULL AND NOT l.stock_dirty
              AND l.platform_stock IS DISTINCT FROM l.pushed_stock
        ) found ORDER BY subject_key, pick
    """,
    # A shop with at least `min_orders` orders over the look-back, silent for longer than `multiplier`
    # times its longest gap between two orders in that time (and at least `min_hours`).
    Kind.QUIET_SHOP: """
        WITH placed AS (
            SELECT channel_account_id, placed_at,
                   placed_at - lag(placed_at) OVER (PARTITION BY channel_account_id ORDER BY placed_at) AS gap
            FROM orders
            WHERE org_id = :org AND placed_at >= :now - :lookback_days * interval '1 day'
        ), shops AS (
            SELECT channel_account_id, count(*) AS n, max(placed_at) AS last_at, max(gap) AS longest
            FROM placed GROUP BY channel_account_id
        )
        SELECT c.id::text AS subject_key,
               jsonb_build_object(__SHOP__, 'last_order_at', s.last_at,
                   'hours', floor(extract(epoch FROM :now - s.last_at) / 3600)::int) AS subject
        FROM shops s JOIN channel_accounts c ON c.id = s.channel_account_id
        WHERE c.status = 'connected' AND s.n >= :min_orders
          AND :now - s.last_at > greatest(s.longest * :multiplier, :min_hours * interval '1 hour')
    """,
}


QUERIES = {kind: query.replace("__SHOP__", _SHOP) for kind, query in _QUERIES.items()}


def binds(kind: Kind, params: dict[str, Any]) -> dict[str, Any]:
    """The query's parameters from the rule's (only those it names)."""
    query = QUERIES[kind]
    return {k: v for k, v in params.items() if f":{k}" in query}
