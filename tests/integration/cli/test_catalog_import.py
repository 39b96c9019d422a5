"""`aiostore catalog import-from-channel`: master products from a channel's unmatched listings."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from aiostore.db.models import AuditLog, Inventory, InventoryMovement, Listing, Product, Variant, VariantPrice
from aiostore.db.session import Database
from tests.factories import Caller
from tests.integration.cli.conftest import cli, make_channel, make_listing, make_variant


async def _seed(db: Database, org: uuid.UUID) -> tuple[uuid.UUID, dict[str, uuid.UUID]]:
    channel = await make_channel(db, org, platform="shopee", market="ID")
    existing = await make_variant(db, org, "EXIST-1", on_hand=4)
    ids = {
        "red": await make_listing(
            db,
            org,
            channel,
            "100",
            "1",
            "TEE-RED",
            name="Kaos Polos",
            variant_name="Merah",
            price="150000",
            currency="IDR",
            stock=7,
        ),
        "blue": await make_listing(
            db,
            org,
            channel,
            "100",
            "2",
            "TEE-BLUE",
            name="Kaos Polos",
            variant_name="Biru",
            price="155000",
            currency="IDR",
            stock=3,
        ),
        "mug": await make_listing(
            db, org, channel, "200", "0", "MUG-1", name="Mug Keramik", price="12.90", currency="SGD", stock=5
        ),
        "no_sku": await make_listing(db, org, channel, "300", "0", None, name="Tanpa SKU", stock=1),
        "taken": await make_listing(db, org, channel, "400", "0", "exist-1", name="Sudah Ada", stock=9),
        "repeat": await make_listing(db, org, channel, "500", "0", "TEE-RED", name="Kaos Lagi", stock=2),
        "bad": await make_listing(db, org, channel, "600", "0", "bad sku!", name="SKU Aneh", stock=2),
        "linked": await make_listing(
            db, org, channel, "700", "0", "EXIST-1", variant_id=existing, name="Terhubung", stock=4
        ),
    }
    return channel, ids


async def test_import_from_channel(cli_env: dict[str, str], db: Database, owner: Caller) -> None:
    org = owner.org_id
    channel, ids = await _seed(db, org)

    dry = await cli("catalog", "import-from-channel", "--channel", str(channel), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would create 2 product(s) with 3 variant(s), would link 3 listing(s), skipped 4" in dry.output
    async with db.transaction(org) as session:
        assert await session.scalar(select(func.count()).select_from(Product)) == 1  # only EXIST-1's

    # The channel names the org: --org may be left out.
    done = await cli("catalog", "import-from-channel", "--channel", str(channel))
    assert done.exit_code == 0, done.output
    out = done.output
    assert "created 2 product(s) with 3 variant(s), linked 3 listing(s), skipped 4" in out
    assert "no seller SKU on the platform" in out
    assert "the master catalog has this SKU already" in out
    assert f"SKU repeated on this channel; imported from listing {ids['red']}" in out
    assert "not a valid master SKU" in out
    assert "MUG-1: price left out, SGD is not the ID market's IDR" in out

    async with db.transaction(org) as session:
        products = {p.title: p for p in (await session.scalars(select(Product))).all()}
        assert set(products) == {"Produk EXIST-1", "Kaos Polos", "Mug Keramik"}
        variants = {
            v.sku: v
            for v in (
                await session.scalars(select(Variant).where(Variant.product_id == products["Kaos Polos"].id))
            ).all()
        }
        assert set(variants) == {"TEE-RED", "TEE-BLUE"}
        assert variants["TEE-RED"].option_values == {"variant": "Merah"}
        prices = {
            (p.variant_id, p.market): (p.amount, p.currency)
            for p in (await session.scalars(select(VariantPrice))).all()
        }
        assert prices[(variants["TEE-RED"].id, "ID")] == (150000, "IDR")
        assert prices[(variants["TEE-BLUE"].id, "ID")] == (155000, "IDR")
        mug = await session.scalar(select(Variant).where(Variant.sku == "MUG-1"))
        assert mug is not None and not any(vid == mug.id for vid, _ in prices)

        stock = {i.variant_id: i.on_hand for i in (await session.scalars(select(Inventory))).all()}
        assert stock[variants["TEE-RED"].id] == 7
        assert stock[variants["TEE-BLUE"].id] == 3
        assert stock[mug.id] == 5
        moves = (
            await session.scalars(select(InventoryMovement).where(InventoryMovement.cause == "import"))
        ).all()
        assert sorted(m.on_hand_delta for m in moves) == [3, 5, 7]

        listings = {x.id: x for x in (await session.scalars(select(Listing))).all()}
        assert listings[ids["red"]].variant_id == variants["TEE-RED"].id
        assert listings[ids["blue"]].variant_id == variants["TEE-BLUE"].id
        assert listings[ids["mug"]].variant_id == mug.id
        for skipped in ("no_sku", "taken", "repeat", "bad"):
            assert listings[ids[skipped]].variant_id is None

        audit = (await session.scalars(select(AuditLog).where(AuditLog.action == "product.created"))).all()
        assert len(audit) == 2
        assert {(a.actor_type, a.actor_label, a.actor_id) for a in audit} == {("system", "cli", None)}
        assert {a.entity_id for a in audit} == {
            str(products["Kaos Polos"].id),
            str(products["Mug Keramik"].id),
        }

    # Nothing left to import but what was skipped; running again changes nothing.
    again = await cli("catalog", "import-from-channel", "--channel", str(channel), "--org", str(org))
    assert again.exit_code == 0, again.output
    assert "created 0 product(s) with 0 variant(s), linked 0 listing(s), skipped 4" in again.output
    async with db.transaction(org) as session:
        assert await session.scalar(select(func.count()).select_from(Product)) == 3


async def test_import_refuses_unknown_channel(cli_env: dict[str, str], db: Database, owner: Caller) -> None:
    await make_channel(db, owner.org_id)
    stray = uuid.uuid4()
    result = await cli("catalog", "import-from-channel", "--channel", str(stray))
    assert result.exit_code == 1
    assert f"error: no such channel: {stray}" in result.output
    assert "Traceback" not in result.output
