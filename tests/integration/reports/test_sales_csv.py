"""The sales CSV written by PostgreSQL (services/reports/sales_csv.py): through the API, byte for byte what
the Python writer makes of the report recomputed from the raw rows, for every grouping and period, with
text that needs quoting or neutralising, cents, and halves in the rounding; bad filters answer
problem+json naming the field before any byte of CSV; the XLSX of the same report still reads back."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from aiostore.db.models import ChannelAccount, Order, OrderLine, Product, Variant
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from aiostore.services.context import Actor, ActorKind, OrgContext
from aiostore.services.reports.export import csv_chunks
from aiostore.services.reports.filters import ReportFilter
from aiostore.services.reports.sales import GroupBy, Period, sales_report
from aiostore.services.reports.tables import sales_table
from tests.factories import Caller
from tests.integration.reports.seed import RANGE, seed, utc

SALES = f"/api/reports/sales?{RANGE}"
TITLE = 'Kemeja\nPanjang, "slim"'
SHOP = 'Toko "Satu", SG'
ODD_SKU = '-5,"x"'


async def _singapore(db: Database, caller: Caller) -> None:
    """A shop in Singapore (cents): on 4 Nov 32 orders of one shirt, one cancelled and one returned (a
    cancel rate of 1/32 = 0.03125, an average of 3015 / 30 = 100.5 cents); on 5 Nov a line of a SKU
    matching no variant; and a product whose title starts with a tab."""
    org = caller.org_id
    async with db.transaction(org, caller.user_id) as s:
        shop = ChannelAccount(org_id=org, platform="shopee", market="SG", shop_id="sg", shop_name=SHOP)
        shirt = Product(org_id=org, title=TITLE)
        tab = Product(org_id=org, title="\tTab")
        s.add_all([shop, shirt, tab])
        await s.flush()
        v_shirt = Variant(org_id=org, product_id=shirt.id, sku="KEMEJA-1")
        v_tab = Variant(org_id=org, product_id=tab.id, sku="TAB-1")
        s.add_all([v_shirt, v_tab])
        await s.flush()

        def order(n: int, at: datetime, status: str) -> Order:
            return Order(
                org_id=org,
                channel_account_id=shop.id,
                platform_order_id=f"sg-{n}",
                market="SG",
                status=status,
                platform_status=status.upper(),
                currency="SGD",
                total_amount=0,
                placed_at=at,
                platform_updated_at=at,
            )

        statuses = ["cancelled", "returned"] + ["completed"] * 30
        orders = [order(n, utc(2026, 11, 4, 2) + timedelta(minutes=n), st) for n, st in enumerate(statuses)]
        odd = order(99, utc(2026, 11, 5, 2), "shipped")
        s.add_all([*orders, odd])
        await s.flush()

        def line(o: Order, variant: Variant | None, price: int, sku: str = "") -> OrderLine:
            return OrderLine(
                org_id=org,
                order_id=o.id,
                variant_id=variant.id if variant else None,
                sku=variant.sku if variant else sku,
                quantity=1,
                unit_price=price,
                currency="SGD",
            )

        s.add_all(line(o, v_shirt, 115 if n == 2 else 100) for n, o in enumerate(orders))
        s.add_all([line(odd, None, 1_234, sku=ODD_SKU), line(odd, v_tab, 5)])


def _ctx(caller: Caller) -> OrgContext:
    return OrgContext(caller.org_id, Role.OWNER, Actor(ActorKind.USER, caller.user_id, "t"))


def _read(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # a byte order mark: Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("group", list(GroupBy))
async def test_the_csv_is_the_raw_recomputation_written_as_before(
    db: Database, owner: Caller, group: GroupBy
) -> None:
    await seed(db, owner)
    await _singapore(db, owner)
    f = ReportFilter(date(2026, 11, 1), date(2026, 11, 7))
    for period in Period:
        resp = await owner.get(f"{SALES}&period={period.value}&group={group.value}&format=csv")
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "text/csv; charset=utf-8"
        assert 'filename="sales-2026-11-01-2026-11-07.csv"' in resp.headers["content-disposition"]
        async with db.transaction(owner.org_id, owner.user_id) as s:
            raw = await sales_report(s, _ctx(owner), f, period=period, group=group, raw=True, limit=None)
        assert resp.content == b"".join(csv_chunks(sales_table(raw))), (group, period)
        assert len(_read(resp.content)) == len(raw.rows) > 0


async def test_cells_are_quoted_neutralised_and_rounded_half_to_even(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    await _singapore(db, owner)
    by_product = _read((await owner.get(f"{SALES}&period=month&group=product&format=csv")).content)
    shirt = next(r for r in by_product if r["label"] == TITLE)  # newline, comma and quotes survive
    figures = ("currency", "orders", "units", "revenue", "average_order_value", "cancel_rate", "return_rate")
    # 1/32 cancelled: 0.03125 to 0.0312; 3015 cents over 30 kept orders: 100.5 to 100
    assert [shirt[k] for k in figures] == ["SGD", "31", "30", "30.15", "1.00", "0.0312", "0.0323"]
    assert "'\tTab" in {r["label"] for r in by_product}  # a tab first: a spreadsheet could run it
    by_sku = _read((await owner.get(f"{SALES}&period=week&group=sku&format=csv&market=SG")).content)
    odd = next(r for r in by_sku if r["sku"] == "'" + ODD_SKU)
    cells = [odd[k] for k in ("label", "revenue", "cancel_rate", "return_rate")]
    assert cells == ["'" + ODD_SKU, "12.34", "0.0", "0.0"]
    assert [r["rank"] for r in by_sku] == sorted((r["rank"] for r in by_sku), key=int)
    by_shop = _read((await owner.get(f"{SALES}&period=day&group=shop&format=csv")).content)
    assert f"{SHOP} (SG)" in {r["label"] for r in by_shop}
    assert "'=Toko C (ID)" in {r["label"] for r in by_shop}


async def test_bad_input_answers_problem_json_before_any_csv(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    csv_ = f"{SALES}&group=sku&format=csv"

    async def problem(url: str) -> tuple[int, str, str]:
        resp = await owner.get(url)
        assert resp.headers["content-type"].startswith("application/problem+json")
        body = resp.json()
        return resp.status_code, body["errors"][0]["field"], body["errors"][0]["code"]

    bad_range = "/api/reports/sales?from=2026-11-07&to=2026-11-01&group=sku&format=csv"
    assert await problem(bad_range) == (422, "to", "range_reversed")
    unknown = "00000000-0000-4000-8000-000000000000"
    assert await problem(f"{csv_}&shop={unknown}") == (422, "shop", "unknown_shop")
    assert await problem(f"{csv_}&product={unknown}") == (422, "product", "unknown_product")
    assert (await problem(f"{csv_}&market=XX"))[:2] == (422, "market.0")
    assert (await problem(f"{csv_}&period=year"))[:2] == (422, "period")
    assert (await problem(f"{csv_}&sort=price"))[:2] == (422, "sort")
    # rupiah and ringgit cannot be ranked by revenue without a reporting currency
    assert await problem(f"{csv_}&sort=revenue") == (422, "sort", "needs_reporting_currency")
    rupiah = await owner.get(f"{csv_}&sort=revenue&market=ID")
    assert rupiah.status_code == 200 and {r["currency"] for r in _read(rupiah.content)} == {"IDR"}


async def test_an_empty_range_is_the_header_alone(owner: Caller) -> None:
    resp = await owner.get(f"{SALES}&group=sku&format=csv")
    assert resp.status_code == 200
    assert resp.content.decode("utf-8-sig").split("\r\n")[:2] == [
        "day,sku,label,rank,currency,orders,units,revenue,average_order_value,cancelled,cancel_rate,"
        "returned,return_rate",
        "",
    ]


async def test_the_xlsx_of_the_same_report_holds_the_same_rows(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    await _singapore(db, owner)
    url = f"{SALES}&period=month&group=sku"
    rows = _read((await owner.get(f"{url}&format=csv")).content)
    resp = await owner.get(f"{url}&format=xlsx")
    assert resp.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    assert sheet is not None
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = values[0]
    assert header == list(rows[0])
    units = header.index("units")
    assert [(v[1], v[units]) for v in values[1:]] == [(r["sku"], int(r["units"])) for r in rows]
