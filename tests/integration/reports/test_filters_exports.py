"""Bad filters name their field; another organisation's ids are unknown; exports read back as written."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from aiostore.db.session import Database
from tests.factories import Caller
from tests.integration.reports.seed import RANGE, seed

REPORTS = ["sales", "products", "operations"]


def _field(resp: object) -> tuple[int, str, str]:
    body = resp.json()  # type: ignore[attr-defined]
    return resp.status_code, body["errors"][0]["field"], body["errors"][0]["code"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("report", REPORTS)
async def test_bad_filters_name_the_field(owner: Caller, report: str) -> None:
    url = f"/api/reports/{report}"
    assert _field(await owner.get(f"{url}?from=2026-11-07&to=2026-11-01")) == (422, "to", "range_reversed")
    assert _field(await owner.get(f"{url}?from=2020-01-01&to=2026-11-01")) == (422, "to", "range_too_long")
    status, field, _ = _field(await owner.get(f"{url}?from=1500-01-01"))
    assert (status, field) == (422, "from")
    status, field, _ = _field(await owner.get(f"{url}?shop=not-a-uuid"))
    assert (status, field) == (422, "shop.0")
    status, field, _ = _field(await owner.get(f"{url}?market=XX"))
    assert (status, field) == (422, "market.0")
    unknown = "00000000-0000-4000-8000-000000000000"
    assert _field(await owner.get(f"{url}?shop={unknown}")) == (422, "shop", "unknown_shop")
    assert _field(await owner.get(f"{url}?product={unknown}")) == (422, "product", "unknown_product")
    status, field, _ = _field(await owner.get(f"{url}?format=pdf"))
    assert (status, field) == (422, "format")


async def test_bad_report_options_name_the_field(owner: Caller) -> None:
    assert _field(await owner.get("/api/reports/sales?period=year"))[:2] == (422, "period")
    assert _field(await owner.get("/api/reports/sales?group=buyer"))[:2] == (422, "group")
    assert _field(await owner.get("/api/reports/products?window_days=0"))[:2] == (422, "window_days")


@pytest.mark.parametrize("report", REPORTS)
async def test_another_orgs_shop_or_product_is_unknown(
    db: Database, owner: Caller, other_org: Caller, report: str
) -> None:
    theirs = await seed(db, other_org)
    url = f"/api/reports/{report}?{RANGE}"
    assert _field(await owner.get(f"{url}&shop={theirs.shop_a}")) == (422, "shop", "unknown_shop")
    assert _field(await owner.get(f"{url}&product={theirs.p1}")) == (422, "product", "unknown_product")


async def test_another_orgs_data_never_shows(db: Database, owner: Caller, other_org: Caller) -> None:
    await seed(db, other_org)
    sales = (await owner.get(f"/api/reports/sales?{RANGE}")).json()
    assert (sales["rows"], sales["totals"]) == ([], [])
    assert (await owner.get(f"/api/reports/products?{RANGE}")).json()["items"] == []
    assert (await owner.get(f"/api/reports/operations?{RANGE}")).json()["shops"] == []


async def test_csv_export_reads_back_with_formulas_neutralised(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    resp = await owner.get(f"/api/reports/sales?{RANGE}&period=month&group=product&format=csv")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert 'filename="sales-2026-11-01-2026-11-07.csv"' in resp.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    by_label = {(r["label"], r["currency"]): r for r in rows}
    assert by_label[("Kaos", "IDR")]["revenue"] == "190000"
    assert ('\'=HYPERLINK("http://x")', "IDR") in by_label  # a spreadsheet shows it as text
    products = await owner.get(f"/api/reports/products?{RANGE}&format=csv")
    skus = {r["sku"]: r for r in csv.DictReader(io.StringIO(products.content.decode("utf-8-sig")))}
    assert skus["'+CELANA-1"]["lost_days"] == "3.5"
    operations = await owner.get(f"/api/reports/operations?{RANGE}&format=csv")
    shops = csv.DictReader(io.StringIO(operations.content.decode("utf-8-sig")))
    assert "'=Toko C" in {r["shop"] for r in shops}


@pytest.mark.parametrize("report", REPORTS)
async def test_xlsx_export_reads_back(db: Database, owner: Caller, report: str) -> None:
    await seed(db, owner)
    resp = await owner.get(f"/api/reports/{report}?{RANGE}&format=xlsx")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(values) > 1
    cells = [c for row in values for c in row if isinstance(c, str)]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    if report == "sales":
        header = values[0]
        day = values[1][header.index("day")]
        assert (day.date().isoformat(), values[1][header.index("revenue")]) == ("2026-11-01", 100_000)
