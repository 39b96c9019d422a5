"""Exchange rates (admins and owners write, audited, validated) and the sums every sales report keeps."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiostore.db.models import ChannelAccount, Order, OrderLine
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token

SHEET = {
    "reporting_currency": "SGD",
    "rates": [{"currency": "IDR", "valid_from": "2026-01-01", "rate": "0.000085"}],
}


async def test_rates_round_trip_audited_and_replaced(db: Database, owner: Caller) -> None:
    assert (await owner.get("/api/reports/rates")).json() == {"reporting_currency": None, "rates": []}
    put = await owner.put("/api/reports/rates", json=SHEET)
    assert put.status_code == 200, put.text
    got = (await owner.get("/api/reports/rates")).json()
    assert got["reporting_currency"] == "SGD"
    assert [(r["currency"], r["valid_from"], r["rate"]) for r in got["rates"]] == [
        ("IDR", "2026-01-01", "0.0000850000")
    ]
    audit = (await owner.get("/api/audit?action=reports.rates_changed")).json()
    assert [e["action"] for e in audit["items"]] == ["reports.rates_changed"]
    cleared = await owner.put("/api/reports/rates", json={"reporting_currency": None, "rates": []})
    assert cleared.json() == {"reporting_currency": None, "rates": []}


async def test_bad_rates_name_the_field_and_change_nothing(owner: Caller) -> None:
    cases = [
        ({"currency": "IDR", "valid_from": "2026-01-01", "rate": "0"}, "rates.0.rate", "out_of_range"),
        ({"currency": "IDR", "valid_from": "2026-01-01", "rate": "1e-12"}, "rates.0.rate", "too_precise"),
        ({"currency": "SGD", "valid_from": "2026-01-01", "rate": "1"}, "rates.0.currency", "same_currency"),
    ]
    for rate, field, code in cases:
        resp = await owner.put("/api/reports/rates", json={"reporting_currency": "SGD", "rates": [rate]})
        assert resp.status_code == 422, resp.text
        assert resp.json()["errors"][0] | {"message": ""} == {"field": field, "code": code, "message": ""}
    twice = {"currency": "IDR", "valid_from": "2026-01-01", "rate": "1"}
    resp = await owner.put("/api/reports/rates", json={"reporting_currency": "SGD", "rates": [twice, twice]})
    assert resp.json()["errors"][0]["field"] == "rates.1.valid_from"
    resp = await owner.put("/api/reports/rates", json={"reporting_currency": "USD", "rates": []})
    assert resp.json()["errors"][0]["field"] == "reporting_currency"
    bad_day = {"currency": "IDR", "valid_from": "0999-01-01", "rate": "1"}
    resp = await owner.put("/api/reports/rates", json={"reporting_currency": "SGD", "rates": [bad_day]})
    assert resp.json()["errors"][0]["field"] == "rates.0.valid_from"
    assert (await owner.get("/api/reports/rates")).json() == {"reporting_currency": None, "rates": []}


async def test_an_operator_reads_rates_but_cannot_change_them(
    app: object, db: Database, owner: Caller
) -> None:
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)  # type: ignore[arg-type]
    assert (await operator.get("/api/reports/rates")).status_code == 200
    resp = await operator.put("/api/reports/rates", json=SHEET)
    assert (resp.status_code, resp.json()["code"]) == (403, "forbidden")


async def test_a_cookie_session_without_its_csrf_token_is_refused(owner: Caller) -> None:
    resp = await owner.client.put("/api/reports/rates", json=SHEET)  # the cookie, not the CSRF header
    assert resp.status_code == 403
    assert (await owner.get("/api/reports/rates")).json()["reporting_currency"] is None


START = datetime(2026, 3, 1, tzinfo=UTC)
KEYS = ("orders", "units", "revenue", "cancelled")
orders_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=60 * 24 * 20),  # minutes after START (20 days)
        st.sampled_from(["ID", "MY", "SG"]),
        st.sampled_from(["completed", "shipped", "cancelled", "returned", "to_ship"]),
        st.lists(st.tuples(st.integers(1, 5), st.integers(0, 100_000)), min_size=1, max_size=3),
    ),
    max_size=25,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=orders_strategy)
async def test_sums_by_day_shop_and_sku_equal_the_totals(
    db: Database, owner: Caller, orders: list[tuple[int, str, str, list[tuple[int, int]]]]
) -> None:
    """Whatever the orders, the rows of any grouping add up to the totals, per currency."""
    currency = {"ID": "IDR", "MY": "MYR", "SG": "SGD"}
    tag = uuid.uuid4().hex[:8]
    async with db.transaction(owner.org_id, owner.user_id) as s:
        shops = {
            m: ChannelAccount(org_id=owner.org_id, platform="shopee", market=m, shop_id=f"{tag}{m}")
            for m in currency
        }
        s.add_all(shops.values())
        await s.flush()
        for i, (minutes, market, status, lines) in enumerate(orders):
            placed = START + timedelta(minutes=minutes)
            o = Order(
                org_id=owner.org_id,
                channel_account_id=shops[market].id,
                platform_order_id=f"{tag}-{i}",
                market=market,
                status=status,
                platform_status=status,
                currency=currency[market],
                placed_at=placed,
                platform_updated_at=placed,
            )
            s.add(o)
            await s.flush()
            s.add_all(
                OrderLine(
                    org_id=owner.org_id,
                    order_id=o.id,
                    sku=f"S{j % 2}",
                    quantity=q,
                    unit_price=price,
                    currency=o.currency,
                )
                for j, (q, price) in enumerate(lines)
            )
    shop_filter = "&".join(f"shop={s.id}" for s in shops.values())
    url = f"/api/reports/sales?from=2026-03-01&to=2026-03-31&{shop_filter}"
    totals = {t["currency"]: t for t in (await owner.get(url)).json()["totals"]}
    for query in ("period=day", "period=week&group=shop", "period=month&group=market"):
        sums: dict[str, dict[str, int]] = {}
        for r in (await owner.get(f"{url}&{query}")).json()["rows"]:
            acc = sums.setdefault(r["currency"], dict.fromkeys(KEYS, 0))
            for k in ("orders", "units", "cancelled"):
                acc[k] += r[k]
            acc["revenue"] += r["revenue"]["amount_minor"]
        assert sums == {
            cur: {k: (t[k] if k != "revenue" else t[k]["amount_minor"]) for k in KEYS}
            for cur, t in totals.items()
        }
    by_sku = (await owner.get(f"{url}&period=month&group=sku")).json()["rows"]
    for cur, t in totals.items():
        assert sum(r["units"] for r in by_sku if r["currency"] == cur) == t["units"]
        assert (
            sum(r["revenue"]["amount_minor"] for r in by_sku if r["currency"] == cur)
            == t["revenue"]["amount_minor"]
        )
