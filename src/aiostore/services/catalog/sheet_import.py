"""Catalog import from a sheet: preview (each row create, update or unchanged, with its findings) and
commit (the same plan, applied in the request's one transaction through services/catalog/products.py).

There is no stored preview: the preview's token is a digest of its plan (every row's action and the
values before and after). A commit sends the file again with that token; it is planned again and
applied only when the digest is the same, so a commit applies exactly what was previewed, and a
catalog changed meanwhile (or another file) is a 409 asking for a new preview. Any error in the plan
refuses the whole commit (422 listing the rows): nothing is half applied.

Rows are matched by SKU (case-insensitive). A known SKU updates the fields its row fills (blank cells
leave a field as it is), and its product's title, brand, category and status. A new SKU joins the
product its row names: the product of a known SKU with that title in the file, else the one product
of the catalog with exactly that title, else a new product made of the file's new rows of that title.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from aiostore.db.models import Product, Variant
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from aiostore.errors import Conflict, FieldError, ValidationFailed
from aiostore.services.catalog import products
from aiostore.services.catalog.schemas import ProductIn, ProductPatch, VariantIn, VariantPatch
from aiostore.services.context import OrgContext
from aiostore.services.sheets.reading import SheetRead
from aiostore.services.sheets.table import Finding

Action = Literal["create", "update", "unchanged", "error"]
PRODUCT_COLUMNS = {"product": "title", "brand": "brand", "category": "category", "status": "status"}
VARIANT_COLUMNS = ("options", "barcode", "weight_grams", "length_mm", "width_mm", "height_mm")
_VARIANT_FIELD = {"options": "option_values"}
MAX_VARIANTS = 200
_BATCH = 1000


@dataclass
class PlannedRow:
    row: int
    sku: str
    product: str
    action: Action = "unchanged"
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def fail(self, column: str | None, code: str, message: str) -> None:
        self.action = "error"
        self.findings.append(Finding(code, "error", message, row=self.row, column=column))

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "sku": self.sku,
            "product": self.product,
            "action": self.action,
            "changes": self.changes,
            "findings": [f.as_dict() for f in self.findings],
        }


@dataclass
class CatalogPlan:
    rows: list[PlannedRow]
    file_findings: list[Finding]
    product_patches: dict[uuid.UUID, ProductPatch] = field(default_factory=dict)
    variant_patches: dict[uuid.UUID, VariantPatch] = field(default_factory=dict)
    additions: dict[uuid.UUID, list[VariantIn]] = field(default_factory=dict)
    new_products: list[ProductIn] = field(default_factory=list)

    @property
    def token(self) -> str:
        data = [[r.row, r.sku, r.action, r.changes] for r in self.rows]
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()

    @property
    def errors(self) -> list[Finding]:
        return [f for r in self.rows for f in r.findings if f.severity == "error"]

    def summary(self) -> dict[str, int]:
        counts = {"rows": len(self.rows), "create": 0, "update": 0, "unchanged": 0, "error": 0}
        for r in self.rows:
            counts[r.action] += 1
        counts["new_products"] = len(self.new_products)
        counts["warnings"] = len(self.file_findings) + sum(
            1 for r in self.rows for f in r.findings if f.severity == "warning"
        )
        return counts


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _prices_of(variant: Variant) -> dict[str, str]:
    return {p.market: str(Money(p.amount, Currency(p.currency)).to_major()) for p in variant.prices}


async def _existing(session: AsyncSession, skus: list[str]) -> dict[str, Variant]:
    found: dict[str, Variant] = {}
    for start in range(0, len(skus), _BATCH):
        batch = skus[start : start + _BATCH]
        stmt = (
            select(Variant)
            .where(func.lower(Variant.sku).in_(batch))
            .options(selectinload(Variant.prices), selectinload(Variant.product))
        )
        for variant in (await session.scalars(stmt)).all():
            found[variant.sku.casefold()] = variant
    return found


async def _products_titled(session: AsyncSession, titles: list[str]) -> dict[str, list[uuid.UUID]]:
    found: dict[str, list[uuid.UUID]] = {}
    for start in range(0, len(titles), _BATCH):
        batch = titles[start : start + _BATCH]
        rows = await session.execute(select(Product.id, Product.title).where(Product.title.in_(batch)))
        for product_id, title in rows.all():
            found.setdefault(title, []).append(product_id)
    return found


def _model(planned: PlannedRow, build: Any, **values: Any) -> Any:
    try:
        return build(**values)
    except ValidationError as exc:
        for error in exc.errors():
            planned.fail(".".join(str(p) for p in error["loc"]) or None, "invalid", error["msg"])
        return None


def _variant_changes(item: dict[str, Any], variant: Variant, planned: PlannedRow) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    for column in VARIANT_COLUMNS:
        if column not in item:
            continue
        name = _VARIANT_FIELD.get(column, column)
        before = getattr(variant, name)
        if item[column] != before:
            planned.changes[column] = {"before": before, "after": item[column]}
            patch[name] = item[column]
    current = _prices_of(variant)
    changed_prices: dict[MarketCode, Decimal] = {}
    for code, amount in item["prices"].items():
        before = current.get(code)
        if before is None or Decimal(before) != Decimal(amount):
            planned.changes[f"price_{code.lower()}"] = {"before": before, "after": amount}
            changed_prices[MarketCode(code)] = Decimal(amount)
    if changed_prices:
        patch["prices"] = changed_prices
    return patch


def _product_changes(
    item: dict[str, Any], product: Product, planned: PlannedRow, wanted: dict[uuid.UUID, dict[str, Any]]
) -> None:
    fields = wanted.setdefault(product.id, {})
    for column, name in PRODUCT_COLUMNS.items():
        if column not in item:
            continue
        value = item[column]
        if name in fields and fields[name][0] != value:
            planned.fail(column, "conflict", f"row {fields[name][1]} gives this product another {column}")
            continue
        fields.setdefault(name, (value, planned.row))
        if getattr(product, name) != value:
            planned.changes[column] = {"before": getattr(product, name), "after": value}


async def plan_catalog(session: AsyncSession, ctx: OrgContext, read: SheetRead) -> CatalogPlan:
    """What importing the rows read would do, row by row, with every row's findings."""
    plan = CatalogPlan([], [f for f in read.findings if f.row is None or f.severity == "warning"])
    broken: dict[int, list[Finding]] = {}
    for finding in read.errors:
        broken.setdefault(finding.row or 0, []).append(finding)
    existing = await _existing(session, [str(i["sku"]).casefold() for i in read.items])
    wanted: dict[uuid.UUID, dict[str, Any]] = {}
    owners: dict[uuid.UUID, Product] = {}
    title_owner: dict[str, uuid.UUID] = {}
    new_rows: list[tuple[dict[str, Any], PlannedRow]] = []
    for item in read.items:
        planned = PlannedRow(item["row"], item["sku"], item["product"])
        plan.rows.append(planned)
        variant = existing.get(item["sku"].casefold())
        if variant is None:
            planned.action = "create"
            new_rows.append((item, planned))
            continue
        _product_changes(item, variant.product, planned, wanted)
        owners[variant.product_id] = variant.product
        title_owner.setdefault(item["product"].casefold(), variant.product_id)
        patch = _variant_changes(item, variant, planned)
        if patch:
            model = _model(planned, VariantPatch, **patch)
            if model is not None:
                plan.variant_patches[variant.id] = model
        if planned.action != "error":
            planned.action = "update" if planned.changes else "unchanged"
    for product_id, fields in wanted.items():
        product = owners[product_id]
        values = {name: value for name, (value, _) in fields.items() if getattr(product, name) != value}
        if values:
            plan.product_patches[product_id] = ProductPatch.model_validate(values)
    await _plan_new(session, plan, new_rows, title_owner)
    for row, findings in broken.items():
        planned = PlannedRow(row, "", "", "error", findings=findings)
        plan.rows.append(planned)
    plan.rows.sort(key=lambda r: r.row)
    return plan


def _variant_in(item: dict[str, Any], planned: PlannedRow) -> VariantIn | None:
    values: dict[str, Any] = {"sku": item["sku"]}
    for column in VARIANT_COLUMNS:
        if column in item:
            values[_VARIANT_FIELD.get(column, column)] = item[column]
            planned.changes[column] = {"before": None, "after": item[column]}
    if item["prices"]:
        values["prices"] = {MarketCode(k): Decimal(v) for k, v in item["prices"].items()}
        for code, amount in item["prices"].items():
            planned.changes[f"price_{code.lower()}"] = {"before": None, "after": amount}
    model: VariantIn | None = _model(planned, VariantIn, **values)
    return model


async def _plan_new(
    session: AsyncSession,
    plan: CatalogPlan,
    new_rows: list[tuple[dict[str, Any], PlannedRow]],
    title_owner: dict[str, uuid.UUID],
) -> None:
    groups: dict[str, list[tuple[dict[str, Any], PlannedRow]]] = {}
    for item, planned in new_rows:
        groups.setdefault(item["product"].casefold(), []).append((item, planned))
    unknown = [rows[0][0]["product"] for key, rows in groups.items() if key not in title_owner]
    titled = await _products_titled(session, unknown)
    for key, rows in groups.items():
        title = rows[0][0]["product"]
        owner = title_owner.get(key)
        if owner is None and len(titled.get(title, [])) > 1:
            for _, planned in rows:
                planned.fail("product", "ambiguous_product", f"several products are titled {title!r}")
            continue
        owner = owner or next(iter(titled.get(title, [])), None)
        variants = [(v, planned) for item, planned in rows if (v := _variant_in(item, planned)) is not None]
        if owner is not None:
            plan.additions.setdefault(owner, []).extend(v for v, _ in variants)
            continue
        if len(rows) > MAX_VARIANTS:
            for _, planned in rows[MAX_VARIANTS:]:
                planned.fail("product", "too_many_variants", f"a product has at most {MAX_VARIANTS} variants")
            continue
        fields = _new_product_fields(rows)
        if variants and len(variants) == len(rows):
            product = _model(rows[0][1], ProductIn, title=title, variants=[v for v, _ in variants], **fields)
            if product is not None:
                plan.new_products.append(product)


def _new_product_fields(rows: list[tuple[dict[str, Any], PlannedRow]]) -> dict[str, Any]:
    fields: dict[str, tuple[Any, int]] = {}
    for item, planned in rows:
        for column in ("brand", "category", "status"):
            if column not in item:
                continue
            if column in fields and fields[column][0] != item[column]:
                planned.fail(
                    column, "conflict", f"row {fields[column][1]} gives this product another {column}"
                )
            fields.setdefault(column, (item[column], planned.row))
    return {name: value for name, (value, _) in fields.items()}


def refuse_errors(plan: CatalogPlan) -> None:
    errors = plan.errors
    if errors:
        listed = [
            FieldError(f"rows.{f.row}" + (f".{f.column}" if f.column else ""), f.code, f.text())
            for f in errors[:500]
        ]
        raise ValidationFailed(f"{len(errors)} error(s) in the file: nothing was imported", errors=listed)


async def commit_catalog(session: AsyncSession, ctx: OrgContext, read: SheetRead, token: str) -> CatalogPlan:
    """Plan again and apply, when the plan is the one previewed (`token`); in the caller's transaction."""
    plan = await plan_catalog(session, ctx, read)
    refuse_errors(plan)
    if plan.token != token:
        raise Conflict("the catalog or the file changed since the preview: preview it again")
    await apply_plan(session, ctx, plan)
    return plan


async def apply_plan(session: AsyncSession, ctx: OrgContext, plan: CatalogPlan) -> None:
    """Write a plan without errors through the products service (audited there)."""
    refuse_errors(plan)
    for product_id, product_patch in plan.product_patches.items():
        await products.update_product(session, ctx, product_id, product_patch)
    for variant_id, variant_patch in plan.variant_patches.items():
        await products.update_variant(session, ctx, variant_id, variant_patch)
    for product_id, variants in plan.additions.items():
        for variant_in in variants:
            await products.add_variant(session, ctx, product_id, variant_in)
    for product_in in plan.new_products:
        await products.create_product(session, ctx, product_in)
