"""One product: its variants' prices per market, stock and the stock ledger ("why this number"),
paged per variant; another org's product is not found; every role may read it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

from aiostore.db.models import ChannelAccount, InventoryMovement, Listing, Order
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token, product_body
from tests.integration.pages.conftest import HTML, get_page, squash

NOW = datetime(2026, 11, 7, 3, 0, tzinfo=UTC)


async def _product(owner: Caller) -> tuple[str, str]:
    made = await owner.post("/api/products", json=product_body("KAOS-001"))
    assert made.status_code == 201, made.text
    product = made.json()
    return product["id"], product["variants"][0]["id"]


async def _sale(db: Database, owner: Caller, variant_id: str) -> uuid.UUID:
    """An order that reserved 2 of the variant, as the ledger records it."""
    async with db.transaction(owner.org_id, owner.user_id) as s:
        shop = ChannelAccount(org_id=owner.org_id, platform="shopee", market="ID", shop_id="9", shop_name="S")
        s.add(shop)
        await s.flush()
        order = Order(
            org_id=owner.org_id,
            channel_account_id=shop.id,
            platform_order_id="INV-77",
            market="ID",
            status="to_ship",
            platform_status="X",
            currency="IDR",
            total_amount=300_000,
            placed_at=NOW,
            platform_updated_at=NOW,
        )
        s.add(order)
        await s.flush()
        s.add(
            InventoryMovement(
                org_id=owner.org_id,
                variant_id=uuid.UUID(variant_id),
                cause="order",
                on_hand_delta=0,
                reserved_delta=2,
                on_hand_after=7,
                reserved_after=2,
                order_id=order.id,
                created_at=datetime.now(UTC) + timedelta(minutes=1),
            )
        )
        return order.id


async def test_product_with_prices_stock_and_ledger(
    app: FastAPI, db: Database, owner: Caller, other_org: Caller
) -> None:
    product_id, variant_id = await _product(owner)
    stock = {"on_hand": 7, "safety_buffer": 1}
    stocked = await owner.put(f"/api/variants/{variant_id}/inventory", json=stock)
    assert stocked.status_code == 200, stocked.text
    order_id = await _sale(db, owner, variant_id)

    listing = squash((await get_page(owner, "/catalog")).text)
    assert f'<a href="/catalog/{product_id}"><strong>Kaos Polos Premium</strong></a>' in listing
    page = squash((await get_page(owner, f"/catalog/{product_id}")).text)
    assert "<h1>Kaos Polos Premium</h1>" in page
    assert '<h2 id="h-' + variant_id + '"><code>KAOS-001-M</code> · M</h2>' in page
    assert '<td>ID</td><td class="num">Rp 150.000</td>' in page
    assert '<td>SG</td><td class="num">S$12.90</td>' in page
    assert '<td>MY</td><td class="num">RM39.90</td>' in page  # the L variant
    assert "<dt>On hand</dt><dd>7</dd> <dt>Reserved</dt><dd>0</dd> <dt>Safety buffer</dt><dd>1</dd>" in page
    assert "<dt>Available</dt><dd><strong>6</strong></dd>" in page
    assert (
        '<td>order</td> <td class="num">+0</td><td class="num">+2</td> <td class="num">7</td>'
        f'<td class="num">2</td> <td><a href="/orders/{order_id}">Order</a></td>'
    ) in page
    assert '<td>set by hand</td> <td class="num">-3</td><td class="num">+0</td>' in page
    assert "set through the API" in page
    # Every variant's ledger starts with its opening stock, from 0 (the L variant was never changed).
    assert page.count('<td>set by hand</td> <td class="num">+10</td><td class="num">+0</td>') == 1
    assert (
        '<td>set by hand</td> <td class="num">+5</td><td class="num">+0</td> <td class="num">5</td>' in page
    )
    assert page.count("opening stock, set when the variant was created") == 2
    assert "No stock movements yet." not in page

    indonesian = squash((await get_page(owner, f"/catalog/{product_id}", **{"Accept-Language": "id"})).text)
    assert "Harga per pasar" in indonesian and "Mengapa angka ini: buku besar stok" in indonesian
    assert "<td>diatur manual</td>" in indonesian and "<dt>Tersedia</dt>" in indonesian

    api = (await owner.get(f"/api/variants/{variant_id}/ledger")).json()  # the same service's rows
    assert [(m["cause"], m["on_hand_delta"], m["reserved_delta"], m["order_id"]) for m in api["items"]] == [
        ("order", 0, 2, str(order_id)),
        ("manual", -3, 0, None),
        ("manual", 10, 0, None),  # the opening stock
    ]
    assert (await other_org.get(f"/api/variants/{variant_id}/ledger")).status_code == 404
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    assert "KAOS-001-M" in (await viewer.get(f"/catalog/{product_id}", headers=HTML)).text
    assert (await get_page(other_org, f"/catalog/{product_id}")).status_code == 404
    assert (await get_page(owner, f"/catalog/{uuid.uuid4()}")).status_code == 404
    bad = await get_page(owner, f"/catalog/{product_id}?variant={variant_id}&cursor=nonsense")
    assert bad.status_code == 422 and 'role="alert"' in bad.text and "+2" in bad.text


async def test_each_variants_ledger_pages_by_50(db: Database, owner: Caller) -> None:
    product_id, variant_id = await _product(owner)
    async with db.transaction(owner.org_id, owner.user_id) as s:
        for i in range(55):
            s.add(
                InventoryMovement(
                    org_id=owner.org_id,
                    variant_id=uuid.UUID(variant_id),
                    cause="sync",
                    on_hand_delta=1,
                    on_hand_after=100 + i,
                    reserved_after=0,
                    note=f"move {i:02d}",
                    created_at=NOW + timedelta(minutes=i),
                )
            )
    first = squash((await get_page(owner, f"/catalog/{product_id}")).text)
    # 56 rows: the opening stock (the newest, written now) and the 55 moves back in November.
    assert "opening stock" in first and "move 54" in first and "move 06" in first and "move 05" not in first
    link = first.split(f'#v-{variant_id}">Next page</a>')[0].rsplit('<a href="', 1)[1]
    assert f"variant={variant_id}" in link
    second = squash((await get_page(owner, f"/catalog/{product_id}{link.replace('&amp;', '&')}")).text)
    assert "move 05" in second and "move 00" in second and "move 06" not in second
    assert "First page" in second and "Next page" not in second


async def test_each_shops_number_explained_step_by_step(app: FastAPI, db: Database, owner: Caller) -> None:
    """ "Why Shopee MY shows 7": per listing of the variant, what a push sends, step by step, in English
    and Indonesian, with the rule and the other shop's campaign behind their steps."""
    product_id, variant_id = await _product(owner)  # on hand 10, buffer 1
    shops = {}
    async with db.transaction(owner.org_id, owner.user_id) as s:
        for platform in ("shopee", "lazada"):
            shop = ChannelAccount(
                org_id=owner.org_id,
                platform=platform,
                market="MY",
                shop_id=platform,
                shop_name=f"Kedai {platform}",
            )
            s.add(shop)
            await s.flush()
            shops[platform] = shop.id
            s.add(
                Listing(
                    org_id=owner.org_id,
                    channel_account_id=shop.id,
                    variant_id=uuid.UUID(variant_id),
                    platform_item_id="1",
                    platform_stock=7,
                )
            )
    rule = await owner.put(
        f"/api/variants/{variant_id}/allocation-rules/{shops['shopee']}", json={"share_percent": 80}
    )
    assert rule.status_code == 200, rule.text
    promo = await owner.put(
        f"/api/variants/{variant_id}/promotions/{shops['lazada']}", json={"units": 2, "campaign": "Raya"}
    )
    assert promo.status_code == 200, promo.text

    page = squash((await get_page(owner, f"/catalog/{product_id}")).text).replace("&#39;", "'")
    assert "Why Shopee MY shows 7" in page and "Why Lazada MY shows 7" in page
    # Shopee: 10 - 2 (Lazada's campaign) - 1 = 7, 80% of it rounded down: 5.
    assert "A push sends 5. A push is due. Allocation: this SKU's rule." in page
    assert '<td>Held for other shops\' promotions</td> <td class="num">-2</td><td class="num">8</td>' in page
    assert "Lazada MY: Raya (2)" in page
    assert (
        '<td>Share rule</td> <td class="num">-2</td><td class="num">5</td> <td> 80 percent, rounded down'
        in page
    )
    assert "A push sends 9." in page  # Lazada: its own campaign stays inside its stock
    indonesian = squash((await get_page(owner, f"/catalog/{product_id}", **{"Accept-Language": "id"})).text)
    assert "Mengapa Shopee MY menampilkan 7" in indonesian and "Pengiriman stok mengirim 5." in indonesian
    assert "80 persen, dibulatkan ke bawah" in indonesian and "Aturan porsi" in indonesian
    # The Listings page offers each listing the same number, beside what its platform shows.
    listed = squash((await get_page(owner, "/listings")).text)
    offered = '<td class="num">7</td> <td class="num">{} <small>(to push)</small></td>'
    assert offered.format(5) in listed and offered.format(9) in listed
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    assert "Why Shopee MY shows 7" in squash((await viewer.get(f"/catalog/{product_id}", headers=HTML)).text)
