"""The master catalog API: CRUD, filters, sorting, pagination, money precision, bad input."""

from __future__ import annotations

import pytest

from tests.factories import Caller, product_body


async def test_create_and_read_product(owner: Caller) -> None:
    resp = await owner.post("/api/products", json=product_body())
    assert resp.status_code == 201, resp.text
    product = resp.json()
    assert product["title"] == "Kaos Polos Premium"
    m = product["variants"][0]
    assert m["sku"] == "KAOS-001-M"
    assert m["prices"]["ID"] == {"amount": "150000", "currency": "IDR", "amount_minor": 150000}
    assert m["prices"]["SG"] == {"amount": "12.90", "currency": "SGD", "amount_minor": 1290}
    assert m["inventory"] == {"on_hand": 10, "reserved": 0, "safety_buffer": 1, "available": 9}
    got = await owner.get(f"/api/products/{product['id']}")
    assert got.status_code == 200
    assert got.json() == product


async def test_idr_with_decimals_is_422_naming_the_field(owner: Caller) -> None:
    body = product_body()
    body["variants"][0]["prices"]["ID"] = "150000.50"
    body["variants"][1]["prices"]["MY"] = "39.999"
    resp = await owner.post("/api/products", json=body)
    assert resp.status_code == 422
    problem = resp.json()
    assert resp.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"]: e for e in problem["errors"]}
    assert set(fields) == {"variants.0.prices.ID", "variants.1.prices.MY"}
    assert fields["variants.0.prices.ID"]["code"] == "invalid_precision"
    assert "IDR" in fields["variants.0.prices.ID"]["message"]
    assert (await owner.get("/api/products")).json()["items"] == []  # nothing half applied


@pytest.mark.parametrize(
    ("mutate", "field", "code"),
    [
        (lambda b: b.update(colour="red"), "colour", "unknown_field"),
        (lambda b: b["variants"][0].update(sku=""), "variants.0.sku", "string_too_short"),
        (lambda b: b["variants"][1].update(sku="KAOS-001-M"), "variants.1.sku", "duplicate"),
        (lambda b: b.update(variants=[]), "variants", "too_short"),
        (lambda b: b.pop("title"), "title", "required"),
        (
            lambda b: b["variants"][0]["inventory"].update(on_hand=-1),
            "variants.0.inventory.on_hand",
            "greater_than_equal",
        ),
        (lambda b: b["variants"][0]["prices"].update(XX="1"), "variants.0.prices.XX", "enum"),
        (lambda b: b["variants"][0]["prices"].update(SG="-1"), "variants.0.prices.SG", "negative"),
    ],
)
async def test_bad_product_input(owner: Caller, mutate, field: str, code: str) -> None:  # type: ignore[no-untyped-def]
    body = product_body()
    mutate(body)
    resp = await owner.post("/api/products", json=body)
    assert resp.status_code == 422, resp.text
    errors = resp.json()["errors"]
    assert any(e["field"] == field and e["code"] == code for e in errors), errors


async def test_sku_unique_per_org_not_across_orgs(owner: Caller, other_org: Caller) -> None:
    assert (await owner.post("/api/products", json=product_body())).status_code == 201
    again = await owner.post("/api/products", json=product_body())
    assert again.status_code == 422
    assert again.json()["errors"][0] == {
        "field": "variants.0.sku",
        "code": "taken",
        "message": "SKU 'KAOS-001-M' already exists",
    }
    assert (await other_org.post("/api/products", json=product_body())).status_code == 201


async def test_malformed_json_is_400(owner: Caller) -> None:
    resp = await owner.post(
        "/api/products", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert resp.status_code == 400
    assert resp.json()["code"] == "malformed_json"
    assert resp.json()["request_id"]


async def test_body_over_limit_is_413(owner: Caller) -> None:
    big = product_body(description="x" * (1024 * 1024 + 10))
    resp = await owner.post("/api/products", json=big)
    assert resp.status_code == 413
    assert resp.json()["code"] == "payload_too_large"


async def test_update_variant_prices_and_inventory(owner: Caller) -> None:
    product = (await owner.post("/api/products", json=product_body())).json()
    vid = product["variants"][0]["id"]
    resp = await owner.patch(f"/api/variants/{vid}", json={"prices": {"SG": "13.50", "ID": None, "MY": "40"}})
    assert resp.status_code == 200, resp.text
    prices = resp.json()["variants"][0]["prices"]
    assert set(prices) == {"SG", "MY"}
    assert prices["MY"]["amount"] == "40.00"
    inv = await owner.put(f"/api/variants/{vid}/inventory", json={"on_hand": 3, "safety_buffer": 5})
    assert inv.json() == {"on_hand": 3, "reserved": 0, "safety_buffer": 5, "available": 0}
    bad = await owner.patch(f"/api/variants/{vid}", json={"prices": {"SG": "13.555"}})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "prices.SG"


async def test_product_update_delete_and_404(owner: Caller) -> None:
    product = (await owner.post("/api/products", json=product_body())).json()
    resp = await owner.patch(f"/api/products/{product['id']}", json={"title": "Kaos Baru", "brand": None})
    assert resp.status_code == 200
    assert resp.json()["title"] == "Kaos Baru" and resp.json()["brand"] is None
    assert (await owner.delete(f"/api/products/{product['id']}")).status_code == 204
    missing = await owner.get(f"/api/products/{product['id']}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


async def test_filters_sort_and_cursor_pagination(owner: Caller) -> None:
    ids = []
    for i in range(7):
        body = product_body(sku=f"P{i:02d}", title=f"Produk {chr(ord('G') - i)}", brand="A" if i % 2 else "B")
        ids.append((await owner.post("/api/products", json=body)).json()["id"])
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, "sort": "title"} | ({"cursor": cursor} if cursor else {})
        page = (await owner.get("/api/products", params=params)).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
    titles = [(await owner.get(f"/api/products/{i}")).json()["title"] for i in seen]
    assert titles == sorted(titles)
    brand_a = (await owner.get("/api/products", params={"brand": "A"})).json()["items"]
    assert len(brand_a) == 3
    by_sku = (await owner.get("/api/products", params={"sku": "p03-m"})).json()["items"]
    assert [p["id"] for p in by_sku] == [ids[3]]
    by_text = (await owner.get("/api/products", params={"q": "P05"})).json()["items"]
    assert [p["id"] for p in by_text] == [ids[5]]
    newest = (await owner.get("/api/products", params={"limit": 1})).json()["items"][0]
    assert newest["id"] == ids[-1]
    bad = await owner.get("/api/products", params={"sort": "price"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "sort"
    bad_cursor = await owner.get("/api/products", params={"cursor": "garbage"})
    assert bad_cursor.status_code == 422 and bad_cursor.json()["errors"][0]["field"] == "cursor"


async def test_other_orgs_product_is_404_never_403(owner: Caller, other_org: Caller) -> None:
    product = (await owner.post("/api/products", json=product_body())).json()
    for method, url, body in [
        ("GET", f"/api/products/{product['id']}", None),
        ("PATCH", f"/api/products/{product['id']}", {"title": "stolen"}),
        ("DELETE", f"/api/products/{product['id']}", None),
        ("PATCH", f"/api/variants/{product['variants'][0]['id']}", {"barcode": "1"}),
        ("PUT", f"/api/variants/{product['variants'][0]['id']}/inventory", {"on_hand": 0}),
    ]:
        resp = await other_org.request(method, url, json=body)
        assert resp.status_code == 404, (method, url, resp.text)
    assert (await other_org.get("/api/products")).json()["items"] == []
    assert (await owner.get(f"/api/products/{product['id']}")).json()["title"] == "Kaos Polos Premium"


async def test_opening_stock_is_the_first_ledger_row(owner: Caller, other_org: Caller) -> None:
    product = (await owner.post("/api/products", json=product_body())).json()
    m, large = product["variants"][0], product["variants"][1]
    assert m["inventory"]["on_hand"] == 10 and large["inventory"]["on_hand"] == 5
    ledger = (await owner.get(f"/api/variants/{m['id']}/ledger")).json()["items"]
    assert [(r["cause"], r["on_hand_delta"], r["on_hand_after"], r["reserved_after"]) for r in ledger] == [
        ("manual", 10, 10, 0)
    ]
    assert ledger[0]["note"].startswith("opening stock")

    added = await owner.post(
        f"/api/products/{product['id']}/variants",
        json={"sku": "KAOS-001-XL", "option_values": {"size": "XL"}, "inventory": {"on_hand": 4}},
    )
    assert added.status_code == 201, added.text
    xl = next(v for v in added.json()["variants"] if v["sku"] == "KAOS-001-XL")
    rows = (await owner.get(f"/api/variants/{xl['id']}/ledger")).json()["items"]
    assert [(r["on_hand_delta"], r["on_hand_after"]) for r in rows] == [(4, 4)]

    empty = await owner.post(
        f"/api/products/{product['id']}/variants", json={"sku": "KAOS-001-S", "option_values": {"size": "S"}}
    )
    s = next(v for v in empty.json()["variants"] if v["sku"] == "KAOS-001-S")
    assert (await owner.get(f"/api/variants/{s['id']}/ledger")).json()["items"] == []  # nothing moved

    # A variant refused (its SKU taken) writes nothing, ledger included; another org sees no ledger.
    taken = await owner.post(
        f"/api/products/{product['id']}/variants", json={"sku": "KAOS-001-XL", "inventory": {"on_hand": 9}}
    )
    assert taken.status_code == 422 and taken.json()["errors"][0]["field"] == "sku"
    assert len((await owner.get(f"/api/variants/{xl['id']}/ledger")).json()["items"]) == 1
    assert (await other_org.get(f"/api/variants/{m['id']}/ledger")).status_code == 404
