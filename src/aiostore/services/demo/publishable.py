"""Demo master products that no shop sells yet, ready to publish to the demo's four shops.

Each is built as a seller would build it, through the same services as the API: the product (title,
description, brand, images, weight and package size, a price in each demo market and stock), its
categories' reference data read into the cache by the ordinary `refresh_reference` job on the demo shop
of each platform and market, then per platform a mapping (`platform_mapping.set_mapping`, checked
against the cached rules): the category, a brand of it where the platform lists brands, and a value for
every attribute the platform serves for it (the first option of a select, a number with its first unit,
a text or a date otherwise). A preview of these products on the four demo shops therefore shows creates
with no blocking finding, and a commit takes them live.

The category is the same leaf of the shared sandbox tree on every platform (each platform's own id for
it): one with a mandatory attribute and a required brand, so the demo shows what a strict category
needs; the product's brand is one of that department's brands, the one each platform's mapping names.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Sequence

from aiostore.db.models import PlatformAttribute, SyncJob
from aiostore.domain.platforms import Platform
from aiostore.sandbox.common.taxonomy import Category, PlatformTaxonomy
from aiostore.services.catalog import platform_mapping, products
from aiostore.services.catalog.schemas import AttributeValueIn, MappingIn, ProductIn
from aiostore.services.context import OrgContext
from aiostore.services.demo import waiting
from aiostore.services.demo.world import ShopPlan
from aiostore.services.reference import refresh
from aiostore.services.sync.context import SyncContext

SKU_PREFIX = "NEW"  # the SKUs of the products no shop sells yet: NEW-1-M, NEW-1-L, ...
COUNT = 3
PRICES = {"ID": ("129000", "139000"), "SG": ("12.90", "13.90"), "MY": ("39.90", "42.90")}
DESCRIPTION = (
    "{name}: produk contoh toko demo AIOStore. Bahan pilihan, jahitan rapi dan kemasan aman; dikirim "
    "dalam 1-2 hari kerja. Cocok untuk dipakai sehari-hari maupun sebagai hadiah untuk keluarga."
)


def taxonomy(platform: Platform) -> PlatformTaxonomy:
    """The platform's ids over the shared sandbox tree (its sandbox's reference routes)."""
    module = importlib.import_module(f"aiostore.sandbox.{platform.value}.routes_reference")
    found: PlatformTaxonomy = module.TAXONOMY
    return found


def leaves(count: int = COUNT) -> list[Category]:
    """Strict leaves of the shared tree, one per department: a mandatory select attribute (the kind every
    platform's create carries) and a required brand."""
    chosen: dict[int, Category] = {}
    for category in taxonomy(Platform("shopee")).tree.categories:
        if (
            category.leaf
            and category.brand_required
            and any(r.mandatory and r.attribute.selects for r in category.rules)
            and category.department not in chosen
        ):
            chosen[category.department] = category
    return list(chosen.values())[:count]


def brand_of(leaf: Category) -> str:
    """A brand of the leaf's department: one every platform that lists brands accepts in it (Lazada's
    list is one for all categories, its sandbox refuses a brand of another department)."""
    return taxonomy(Platform("shopee")).tree.brands_of(leaf)[0].name


def product_in(n: int, leaf: Category) -> ProductIn:
    name = f"{leaf.name[1]} Contoh Demo {n}"
    size = {"weight_grams": 400, "length_mm": 300, "width_mm": 200, "height_mm": 50}
    return ProductIn.model_validate(
        {
            "title": name,
            "description": DESCRIPTION.format(name=name),
            "brand": brand_of(leaf),
            "images": [
                f"https://images.demo.aiostore.invalid/{SKU_PREFIX.lower()}-{n}-{i}.jpg" for i in (1, 2)
            ],
            "variants": [
                {
                    "sku": f"{SKU_PREFIX}-{n}-{size_name}",
                    "option_values": {"Ukuran": size_name},
                    "prices": {market: prices[i] for market, prices in PRICES.items()},
                    "inventory": {"on_hand": 20 + 5 * i},
                    **size,
                }
                for i, size_name in enumerate(("M", "L"))
            ],
        }
    )


def value_of(attribute: PlatformAttribute) -> AttributeValueIn:
    """A value the platform accepts for `attribute`: its first option, else a number, date or text."""
    if attribute.input_type in platform_mapping.SELECTS:
        return AttributeValueIn(
            attribute_id=attribute.attribute_id, value_ids=[str(attribute.options[0]["value_id"])]
        )
    unit = attribute.units[0] if attribute.units else ""
    text = {"number": "1", "date": "2026-01-31"}.get(attribute.input_type, "Contoh")
    return AttributeValueIn(attribute_id=attribute.attribute_id, texts=[text], unit=unit)


async def add(sc: SyncContext, ctx: OrgContext, shops: Sequence[ShopPlan]) -> list[uuid.UUID]:
    """Create the products and their mappings on every shop's platform and market; their ids."""
    chosen = leaves()
    queued: list[uuid.UUID] = []
    async with sc.tx(ctx.org_id) as session:
        for shop in shops:
            ids = [str(taxonomy(shop.platform).id_of(leaf)) for leaf in chosen]
            job = await refresh.request(
                session, ctx.org_id, shop.platform.value, shop.market, ids, dry_run=False
            )
            if job is not None:
                queued.append(job.id)
    for job_id in queued:
        await waiting.job_done(sc, ctx.org_id, "reading the demo's categories", SyncJob.id == job_id)
    made: list[uuid.UUID] = []
    async with sc.tx(ctx.org_id) as session:
        for n, leaf in enumerate(chosen, start=1):
            product = await products.create_product(session, ctx, product_in(n, leaf))
            made.append(product.id)
            for shop in shops:
                category_id = str(taxonomy(shop.platform).id_of(leaf))
                details = await platform_mapping.category_details(
                    session, ctx, shop.platform.value, shop.market, category_id
                )
                body = MappingIn.model_validate(
                    {
                        "market": shop.market,
                        "category_id": category_id,
                        "brand_id": next(
                            (b.brand_id for b in details.brands if b.name == brand_of(leaf)), None
                        ),
                        "attributes": [value_of(a).model_dump() for a in details.attributes],
                    }
                )
                await platform_mapping.set_mapping(session, ctx, product.id, shop.platform.value, body)
    return made
