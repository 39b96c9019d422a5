"""Which catalog preview targets are certainly unchanged, decided in SQL so that only the others reach
Python (publish_inputs.load + domain/publish.diff): one statement over the listings, variants, prices,
stock, products and mappings of the whole set, returning the other targets and, per shop, the count and
titles of the unchanged ones (the duplicate-title rule reads those).

The decision is conservative: "unchanged" here implies the Python diff finds nothing to do (a property
test, tests/integration/publish/test_unchanged_sql.py, checks it on random data); anything the SQL
cannot decide exactly (listing overrides, a variant listed twice, option or image values that are not
strings, attributes not in their normal form, prices not written as the currency's decimals) is left to
Python. A target is certainly unchanged when
- no listing is on the platform and the product is not active (Python: nothing to create), or
- the product is not active and no listing on the platform is active (nothing to unlist), or
- the product is active, some listing is active, no listing of the target has overrides, every variant
  of the product has exactly one listing on the platform, and each of them holds what the master wants:
  options (none compared for a product of one variant: domain/publish.tiers_of), price (the
  currency's decimals), stock, and every product-level field it holds (name,
  description, images, category, brand, attributes; a field it lacks is not compared, as in Python).
  Python compares the product-level fields of the target's first listing only; checking all of them is
  stricter, hence still exact.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Integer, String

from aiostore.services.catalog.publish_inputs import PENDING, REFUSED, Shop

MAX_VARIANTS = 62  # one bit per variant of a product in a bigint; a larger product goes to Python

# A mapping's attribute values as domain/publish._attributes writes them (sorted by attribute id, stable),
# when they already hold only its four keys with string values; NULL (left to Python) otherwise.
_ATTRIBUTES = """CASE WHEN attributes IS NULL OR attributes = '[]' THEN '[]'::jsonb
  WHEN jsonb_typeof(attributes) = 'array' THEN (
    SELECT CASE WHEN bool_and((CASE WHEN jsonb_typeof(e) = 'object' THEN
                  jsonb_typeof(e->'attribute_id') = 'string' AND jsonb_typeof(e->'unit') = 'string'
                  AND jsonb_typeof(e->'value_ids') = 'array' AND jsonb_typeof(e->'texts') = 'array'
                  AND e - ARRAY['attribute_id', 'unit', 'value_ids', 'texts'] = '{}'
                  AND NOT jsonb_path_exists(e, 'strict $.value_ids[*] ? (@.type() != "string")')
                  AND NOT jsonb_path_exists(e, 'strict $.texts[*] ? (@.type() != "string")')
                ELSE false END) IS TRUE)
           THEN jsonb_agg(e ORDER BY e->>'attribute_id' COLLATE "C", k) END
      FROM jsonb_array_elements(attributes) WITH ORDINALITY AS a(e, k))
  END"""

# Each variant's wanted options (NULL: values that are not all strings), stock, bit, count and label.
_SQL = """
WITH targets AS MATERIALIZED (
  SELECT p.id, o.n - 1 AS rank, p.status, p.title,
         to_jsonb(p.title::text) AS jtitle, to_jsonb(coalesce(p.description, '')) AS jdescription,
         CASE WHEN jsonb_typeof(p.images) = 'array'
               AND NOT jsonb_path_exists(p.images, 'strict $[*] ? (@.type() != "string")')
              THEN p.images END AS jimages
    FROM unnest(CAST(:ids AS uuid[])) WITH ORDINALITY AS o(id, n)
    JOIN products p ON p.id = o.id
   WHERE p.org_id = :org
),
shops AS MATERIALIZED (
  SELECT s.id, s.n - 1 AS idx, s.platform, s.market, s.exponent
    FROM unnest(CAST(:shop_ids AS uuid[]), CAST(:platforms AS text[]), CAST(:markets AS text[]),
                CAST(:exponents AS int[])) WITH ORDINALITY AS s(id, platform, market, exponent, n)
),
per_target AS (
  SELECT w.product_id, l.channel_account_id AS shop_id, max(w.n) AS n, max(w.label) AS label,
         count(*) FILTER (WHERE l.status NOT IN (:pending, :refused)) AS live,
         bit_or(w.bit) FILTER (WHERE l.status NOT IN (:pending, :refused)) AS bits,
         bool_and(l.overrides = '{}') AS plain,
         bool_or(l.status = 'active') FILTER (WHERE l.status NOT IN (:pending, :refused)) AS active,
         min(l.platform_state->>'name' COLLATE "C") FILTER (WHERE l.status NOT IN (:pending, :refused))
           AS low_name,
         max(l.platform_state->>'name' COLLATE "C") FILTER (WHERE l.status NOT IN (:pending, :refused))
           AS high_name,
         bool_and((
             (w.n = 1 OR coalesce(nullif(l.platform_state->'options', 'null'), '[]') = w.options)
             AND coalesce(l.platform_state->>'price', '') = coalesce(pr.price, '')
             AND l.platform_stock IS NOT DISTINCT FROM w.stock
             AND coalesce(l.platform_state->'name', '""') = t.jtitle
             AND coalesce(l.platform_state->'description' = t.jdescription,
                          NOT l.platform_state ? 'description')
             AND coalesce(l.platform_state->'images' = t.jimages, NOT l.platform_state ? 'images')
             AND coalesce(l.platform_state->'category' = coalesce(m.category, 'null'),
                          NOT l.platform_state ? 'category')
             AND coalesce(l.platform_state->'brand' = coalesce(m.brand, 'null'),
                          NOT l.platform_state ? 'brand')
             AND coalesce(l.platform_state->'attributes' = coalesce(m.attributes, '[]'),
                          NOT l.platform_state ? 'attributes')
           ) IS TRUE) FILTER (WHERE l.status NOT IN (:pending, :refused)) AS same
    FROM listings l
    JOIN (SELECT v.id, v.product_id, count(*) OVER whole AS n,
                 1::bigint << least(row_number() OVER ordered - 1, 63)::int AS bit,
                 left(first_value(v.sku) OVER ordered, 100) AS label,
                 CASE WHEN jsonb_typeof(v.option_values) = 'object'
                       AND NOT jsonb_path_exists(v.option_values, 'strict $.* ? (@.type() != "string")')
                      THEN jsonb_path_query_array(v.option_values, '$.*') END AS options,
                 greatest(0, coalesce(i.on_hand, 0) - coalesce(i.reserved, 0)
                             - coalesce(i.safety_buffer, 0)) AS stock
            FROM variants v LEFT JOIN inventory i ON i.variant_id = v.id
           WHERE v.org_id = :org AND v.product_id IN (SELECT id FROM targets)
          WINDOW whole AS (PARTITION BY v.product_id),
                 ordered AS (PARTITION BY v.product_id ORDER BY v.position, v.sku)) w ON w.id = l.variant_id
    JOIN shops s ON s.id = l.channel_account_id
    JOIN targets t ON t.id = w.product_id
    LEFT JOIN (SELECT vp.variant_id, vp.market,
                      round(vp.amount / 10::numeric ^ x.exponent, x.exponent)::text AS price
                 FROM variant_prices vp JOIN (SELECT DISTINCT market, exponent FROM shops) x
                   ON x.market = vp.market
                WHERE vp.org_id = :org) pr ON pr.variant_id = w.id AND pr.market = s.market
    LEFT JOIN (SELECT product_id, platform, market, to_jsonb(category_id::text) AS category,
                      to_jsonb(brand_id::text) AS brand,
                      {attributes} AS attributes
                 FROM product_platform_mappings WHERE org_id = :org) m
      ON m.product_id = w.product_id AND m.platform = s.platform AND m.market = s.market
   WHERE l.org_id = :org
   GROUP BY w.product_id, l.channel_account_id
),
decided AS (
  SELECT t.id AS product_id, s.id AS shop_id, s.idx, t.rank,
         (CASE WHEN coalesce(a.live, 0) = 0 THEN t.status <> 'active'
               WHEN t.status <> 'active' THEN NOT a.active AND a.low_name IS NOT DISTINCT FROM a.high_name
               ELSE a.active AND a.plain AND a.same AND a.live = a.n AND a.n <= :max_variants
                    AND a.bits = (1::bigint << a.n::int) - 1
          END) IS TRUE AS unchanged,
         CASE WHEN a.live > 0 THEN coalesce(a.low_name, '') END AS title
    FROM targets t CROSS JOIN shops s
    LEFT JOIN per_target a ON a.product_id = t.id AND a.shop_id = s.id
)
SELECT false AS unchanged, product_id::text, idx, rank, NULL::bigint AS n, NULL::text[] AS titles
  FROM decided WHERE NOT unchanged
UNION ALL
SELECT true, NULL, idx, NULL, count(*), array_agg(title) FILTER (WHERE title IS NOT NULL)
  FROM decided WHERE unchanged GROUP BY idx
"""


@dataclass(slots=True)
class Decided:
    """The targets left to Python (product id, shop index) and, per shop index, how many were certainly
    unchanged and their titles as last read (for the duplicate-title rule)."""

    changed: list[tuple[str, int, int]] = field(default_factory=list)  # (product id, shop index, rank)
    unchanged: dict[int, int] = field(default_factory=dict)
    titles: dict[int, list[str]] = field(default_factory=dict)


async def decide(
    session: AsyncSession, org_id: uuid.UUID, order: Sequence[str], shops: Sequence[Shop]
) -> Decided:
    """Split the targets (each product of `order` × each shop) into certainly unchanged (counted) and the
    rest (listed with the product's rank in `order`)."""
    stmt = text(_SQL.replace("{attributes}", _ATTRIBUTES)).bindparams(
        bindparam("org", org_id, type_=UUID(as_uuid=True)),
        bindparam("ids", list(order), type_=ARRAY(String)),
        bindparam("shop_ids", [s.id for s in shops], type_=ARRAY(UUID(as_uuid=True))),
        bindparam("platforms", [s.platform for s in shops], type_=ARRAY(String)),
        bindparam("markets", [s.market for s in shops], type_=ARRAY(String)),
        bindparam("exponents", [s.exponent for s in shops], type_=ARRAY(Integer)),
        bindparam("pending", PENDING),
        bindparam("refused", REFUSED),
        bindparam("max_variants", MAX_VARIANTS),
    )
    # The statement hashes ~100,000 listing rows: enough memory to keep them off disk, and no JIT
    # (compiling costs more than it saves at this size); both for this transaction only.
    await session.execute(text("SET LOCAL work_mem = '64MB'"))
    await session.execute(text("SET LOCAL jit = off"))
    found = Decided()
    for unchanged, product_id, idx, rank, n, titles in await session.execute(stmt):
        if unchanged:
            found.unchanged[idx] = n
            found.titles[idx] = titles or []
        else:
            found.changed.append((product_id, idx, rank))
    return found
