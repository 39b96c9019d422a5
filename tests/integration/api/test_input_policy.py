"""The input policy through the HTTP API: each reproduction of the input issue gets a 4xx naming the field.

(NUL bytes, lone surrogates, huge or non-finite numbers, deep nesting, out-of-range dates and amounts,
forged cursors.) Webhooks and the OAuth state: tests/integration/api/test_untrusted_bodies.py.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.factories import Caller


def problem(resp: httpx.Response, status: int = 422) -> dict[str, str]:
    """The problem+json body's errors, by field; asserts the status and the shape."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    return {e["field"]: e["code"] for e in body["errors"]}


def product(**variant: Any) -> dict[str, Any]:
    return {"title": "x", "variants": [{"sku": "D1", **variant}]}


@pytest.mark.parametrize("price", ["1e999999", "1e1000000", "1e30", "-1e30", "1" * 60])
async def test_absurd_prices_are_422_before_any_arithmetic(owner: Caller, price: str) -> None:
    resp = await owner.post("/api/products", json=product(prices={"ID": price}))
    assert problem(resp) == {"variants.0.prices.ID": "out_of_range"}


async def test_price_beyond_the_currency_range_is_422(owner: Caller) -> None:
    resp = await owner.post("/api/products", json=product(prices={"SG": "10000000000.01", "ID": "5000"}))
    assert problem(resp) == {"variants.0.prices.SG": "out_of_range"}
    cost = {"amount": "1e20", "currency": "MYR"}
    assert problem(await owner.post("/api/products", json=product(cost=cost))) == {
        "variants.0.cost.amount": "out_of_range"
    }


async def test_bounded_prices_still_work(owner: Caller) -> None:
    resp = await owner.post("/api/products", json=product(prices={"ID": "1e6", "SG": 12.5, "MY": "99.90"}))
    assert resp.status_code == 201, resp.text
    prices = resp.json()["variants"][0]["prices"]
    assert [prices[m]["amount_minor"] for m in ("ID", "SG", "MY")] == [1_000_000, 1250, 9990]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "a\x00b", "variants": [{"sku": "D1"}]}, "title"),
        (product(sku="D\x001"), "variants.0.sku"),
        (product(attributes={"k\x00": "v"}), "variants.0.attributes.k\x00"),
        (product(attributes={"k": "v\x00"}), "variants.0.attributes.k"),
        (product(option_values={"size": "\x00"}), "variants.0.option_values.size"),
    ],
)
async def test_nul_in_any_body_text_is_422_naming_it(owner: Caller, body: dict[str, Any], field: str) -> None:
    resp = await owner.post("/api/products", json=body)
    assert problem(resp) == {field: "nul_character"}


async def test_nul_in_token_and_org_names(owner: Caller) -> None:
    assert problem(await owner.post("/api/tokens", json={"name": "ci\x00"})) == {"name": "nul_character"}
    assert problem(await owner.patch("/api/org", json={"name": "Toko\x00"})) == {"name": "nul_character"}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/products?q=%00", "q"),
        ("/api/products?sku=A%00", "sku"),
        ("/api/jobs?kind=%00", "kind"),
        ("/api/audit?action=x%00", "action"),
        ("/api/orders?q=%00", "q"),
        ("/api/products/%00", "path"),
    ],
)
async def test_nul_in_query_and_path_is_422_naming_it(owner: Caller, url: str, field: str) -> None:
    assert problem(await owner.get(url)) == {field: "nul_character"}


async def test_lone_surrogate_in_body_is_422(owner: Caller) -> None:
    raw = b'{"title": "\\ud800", "variants": [{"sku": "D1"}]}'
    resp = await owner.post("/api/products", content=raw, headers={"content-type": "application/json"})
    assert problem(resp) == {"title": "invalid_unicode"}


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", "9" * 5000])
async def test_non_finite_or_huge_numbers_in_attributes_are_422(owner: Caller, number: str) -> None:
    raw = f'{{"title": "x", "variants": [{{"sku": "D1", "attributes": {{"w": {number}}}}}]}}'
    resp = await owner.post("/api/products", content=raw, headers={"content-type": "application/json"})
    assert problem(resp) == {"variants.0.attributes.w": "number_out_of_range"}


async def test_deeply_nested_body_is_422_not_a_recursion_error(owner: Caller) -> None:
    for depth in (40, 100_000):
        raw = '{"title": "x", "variants": [{"sku": "D1", "attributes": {"a": ' + "[" * depth + "]" * depth
        raw += "}}]}"
        resp = await owner.post("/api/products", content=raw, headers={"content-type": "application/json"})
        codes = problem(resp)
        assert set(codes.values()) == {"too_deep"}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/orders?placed_from=0001-01-01", "placed_from"),
        ("/api/orders?placed_to=9999-12-31", "placed_to"),
        ("/api/audit?since=0001-01-01T00:00:00%2B14:00", "since"),
        ("/api/audit?until=9999-12-31T23:59:59-12:00", "until"),
    ],
)
async def test_dates_out_of_range_are_422(owner: Caller, url: str, field: str) -> None:
    assert problem(await owner.get(url)) == {field: "out_of_range"}


async def test_token_expiry_out_of_range_is_422(owner: Caller) -> None:
    resp = await owner.post("/api/tokens", json={"name": "ci", "expires_at": "0001-01-01T00:00:00Z"})
    assert problem(resp) == {"expires_at": "out_of_range"}


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor([123, "8f2c3b1e-0000-4000-8000-000000000000"]),  # an int where a date belongs
        _cursor(["2026-01-01T00:00:00+00:00", 5]),  # an int where the id belongs
        _cursor({"a": 1, "b": 2}),
        _cursor(["0001-01-01T00:00:00+14:00", "8f2c3b1e-0000-4000-8000-000000000000"]),
        _cursor(["x\x00", "8f2c3b1e-0000-4000-8000-000000000000"]),
        base64.urlsafe_b64encode(b"[" * 300).decode(),
        "%%%",
    ],
)
async def test_forged_cursors_are_422(owner: Caller, cursor: str) -> None:
    assert problem(await owner.get("/api/products", params={"cursor": cursor})) == {
        "cursor": "invalid_cursor"
    }


async def test_a_cursor_of_another_sort_is_422(owner: Caller) -> None:
    cursor = _cursor([123, "8f2c3b1e-0000-4000-8000-000000000000"])
    resp = await owner.get("/api/products", params={"cursor": cursor, "sort": "title"})
    assert problem(resp) == {"cursor": "invalid_cursor"}


async def test_a_page_of_products_holds_at_most_500_variants(owner: Caller) -> None:
    for n in range(3):
        variants = [{"sku": f"P{n}-{i}"} for i in range(200)]
        resp = await owner.post("/api/products", json={"title": f"p{n}", "variants": variants})
        assert resp.status_code == 201, resp.text
    first = (await owner.get("/api/products", params={"limit": 50})).json()
    assert [len(p["variants"]) for p in first["items"]] == [200, 200]
    assert first["next_cursor"]
    rest = (await owner.get("/api/products", params={"limit": 50, "cursor": first["next_cursor"]})).json()
    assert [p["title"] for p in rest["items"]] == ["p0"] and rest["next_cursor"] is None
