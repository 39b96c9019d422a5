"""Tokopedia products and money: rows → DTOs, variants grouped under their parent, integer rupiah."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiostore.connectors.dtos import ListingStatus, ProductDraft, ProductUpdate, VariantDraft
from aiostore.connectors.errors import InvalidRequest, UnexpectedResponse
from aiostore.connectors.tokopedia import mapping
from aiostore.domain.market import Currency
from aiostore.domain.money import Money


def row(
    pid: int, name: str, *, children: list[int] | None = None, child: bool = False, **kw: Any
) -> dict[str, Any]:
    """A product/info row as Tokopedia writes it (capital ``Name``, CamelCase keys)."""
    return {
        "basic": {
            "productID": pid,
            "shopID": 1,
            "status": kw.get("status", 1),
            "Name": name,
            "childCategoryID": 1828,
            "shortDesc": "desc",
        },
        "price": {"value": kw.get("price", 3000), "currency": 1, "LastUpdateUnix": 1557981264, "idr": 3000},
        "weight": {"value": 250, "unit": 1},
        "stock": {"value": kw.get("stock", 10), "stockWording": ""},
        "variant": {
            "isParent": bool(children),
            "isVariant": bool(children) or child,
            "childrenID": children or [],
        },
        "other": {"sku": kw.get("sku", f"SKU-{pid}"), "url": "", "mobileURL": ""},
        "pictures": [{"OriginalURL": f"https://img/{pid}.jpg"}],
    }


PARENT = row(10, "Kaos Polos", children=[11, 12], stock=0)
KIDS = [
    row(11, "Kaos Polos - Hitam, M", child=True, stock=4),
    row(12, "Kaos Polos - Putih, L", child=True, stock=5),
]
SINGLE = row(20, "Mug", status=3)


def test_a_parent_and_its_variants() -> None:
    product = mapping.product(PARENT, KIDS)
    assert (product.item_id, product.name, product.has_variants, product.category_id) == (
        "10",
        "Kaos Polos",
        True,
        "1828",
    )
    assert [(v.item_id, v.variant_id, v.name, v.stock, v.seller_sku) for v in product.variants] == [
        ("11", "0", "Hitam, M", 4, "SKU-11"),
        ("12", "0", "Putih, L", 5, "SKU-12"),
    ]
    assert product.weight_kg == Decimal("0.25") and product.image_urls == ("https://img/10.jpg",)


def test_a_product_without_variants() -> None:
    product = mapping.product(SINGLE)
    assert (
        not product.has_variants
        and product.status is ListingStatus.INACTIVE
        and product.platform_status == "3"
    )
    (only,) = product.variants
    assert (only.item_id, only.variant_id, only.name, only.price) == (
        "20",
        "0",
        "",
        Money(3000, Currency.IDR),
    )


@pytest.mark.parametrize(
    ("status", "unified"),
    [
        (-2, ListingStatus.BANNED),
        (-1, ListingStatus.UNDER_REVIEW),
        (0, ListingStatus.DELETED),
        (1, ListingStatus.ACTIVE),
        (2, ListingStatus.ACTIVE),
        (3, ListingStatus.INACTIVE),
        (9, ListingStatus.UNKNOWN),
    ],
)
def test_status_table(status: int, unified: ListingStatus) -> None:
    assert mapping.product(row(1, "x", status=status)).status is unified


@given(
    st.permutations(
        [PARENT, *KIDS, SINGLE, row(30, "Tas", children=[31]), row(31, "Tas - Merah", child=True)]
    )
)
def test_assembler_groups_rows_in_any_order(rows: list[dict[str, Any]]) -> None:
    assembler = mapping.ProductAssembler()
    done = [p for r in rows for p in assembler.add(r)]
    assert assembler.missing() == [] and assembler.finish() == []
    by_id = {p.item_id: p for p in done}
    assert sorted(by_id) == ["10", "20", "30"] and len(done) == 3
    assert [v.item_id for v in by_id["10"].variants] == ["11", "12"]


def test_assembler_names_missing_children_and_finishes_what_it_has() -> None:
    assembler = mapping.ProductAssembler()
    assert assembler.add(PARENT) == [] and assembler.add(KIDS[0]) == []
    assert assembler.missing() == ["12"]
    (partial,) = assembler.finish()
    assert [v.item_id for v in partial.variants] == ["11"]
    assert [p.item_id for p in mapping.ProductAssembler().add(SINGLE)] == ["20"]


def test_an_orphan_variant_is_given_as_its_own_product() -> None:
    assembler = mapping.ProductAssembler()
    assert assembler.add(KIDS[1]) == []
    (orphan,) = assembler.finish()
    assert (orphan.item_id, orphan.variants[0].item_id, orphan.variants[0].variant_id) == ("12", "12", "0")


def test_a_row_without_an_id_is_unreadable() -> None:
    with pytest.raises(UnexpectedResponse):
        mapping.product({"basic": {}})


# -- money ------------------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**12))
def test_rupiah_round_trip_through_json(amount: int) -> None:
    money = Money(amount, Currency.IDR)
    wire = json.loads(json.dumps({"new_price": mapping.money_to_tokopedia(money)}))["new_price"]
    assert isinstance(wire, int) and mapping.money_from_tokopedia(wire) == money


@pytest.mark.parametrize("value", [98784, 98784.0, "98784", "98784.00"])
def test_reads_rupiah_in_every_form(value: object) -> None:
    assert mapping.money_from_tokopedia(value) == Money(98784, Currency.IDR)


@pytest.mark.parametrize("value", [98784.5, "1.5", None, True, "x"])
def test_refuses_what_is_not_whole_rupiah(value: object) -> None:
    with pytest.raises(UnexpectedResponse):
        mapping.money_from_tokopedia(value)


@pytest.mark.parametrize("currency", [Currency.SGD, Currency.MYR])
def test_only_rupiah_is_sent(currency: Currency) -> None:
    with pytest.raises(InvalidRequest):
        mapping.money_to_tokopedia(Money(1000, currency))
    assert "IDR" in mapping.price_problem(Money(1000, currency))


def test_price_bounds() -> None:
    assert mapping.price_problem(Money(100, Currency.IDR)) == ""
    assert mapping.price_problem(Money(99, Currency.IDR)) and mapping.price_problem(
        Money(100_000_001, Currency.IDR)
    )


# -- bodies -----------------------------------------------------------------------------------------


def test_create_body_with_variants() -> None:
    draft = ProductDraft(
        name="Tee", description="A tee.", category_id="1828", price=Money(99000, Currency.IDR), stock=0,
        weight_kg=Decimal("0.2"), image_ids=("https://img/a.jpg",), logistics_ids=("1",), seller_sku="TEE",
        option_names=("Warna", "Ukuran"),
        variants=(
            VariantDraft(("Hitam", "M"), "TEE-HM", Money(99000, Currency.IDR), 3),
            VariantDraft(("Putih", "M"), "TEE-PM", Money(109000, Currency.IDR), 0),
        ),
    )  # fmt: skip
    (entry,) = mapping.create_body(draft)["products"]
    assert (entry["price"], entry["weight"], entry["weight_unit"], entry["status"]) == (
        99000,
        200,
        "GR",
        "EMPTY",
    )
    assert entry["pictures"] == [{"file_path": "https://img/a.jpg"}] and entry[
        "custom_product_logistics"
    ] == [1]
    assert [o["value"] for o in entry["variant"]["selection"][0]["options"]] == ["Hitam", "Putih"]
    assert [(p["sku"], p["combination"], p["status"]) for p in entry["variant"]["products"]] == [
        ("TEE-HM", [0, 0], "LIMITED"),
        ("TEE-PM", [1, 0], "EMPTY"),
    ]


def test_edit_body() -> None:
    assert mapping.edit_body(ProductUpdate("7", active=False)) is None
    body = mapping.edit_body(ProductUpdate("7", name="New", weight_kg=Decimal("1.5")))
    assert body == {"products": [{"id": 7, "name": "New", "weight": 1500, "weight_unit": "GR"}]}
    with pytest.raises(InvalidRequest):
        mapping.edit_body(ProductUpdate("7", weight_kg=Decimal("0.0001")))
