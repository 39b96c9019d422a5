"""Why a platform would refuse what a catalog preview is about to send: the content rules (domain/rules)
over each created or updated listing, checked against its category's attributes as cached
(services/reference), plus what publishing itself needs (a mapped category, a price in the shop's
currency). Only targets that send something are checked: an unchanged listing sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import PlatformAttribute, PlatformCategory
from aiostore.domain import publish
from aiostore.domain.market import market
from aiostore.domain.rules import CategoryLimits, RuleSet, check_shop
from aiostore.domain.rules.draft import (
    AttributeDefinition,
    Dimensions,
    Image,
    ListingDraft,
    Tier,
    VariantDraft,
)
from aiostore.domain.rules.draft import Finding as RuleFinding
from aiostore.services.catalog.publish_images import format_of_url
from aiostore.services.catalog.publish_inputs import VariantRow
from aiostore.services.changes.schemas import Finding


class PublishFinding(Finding):
    """A finding with what the content rules add: the offending value and span, the message's msgid and
    its parameters (so that a page shows it in Indonesian too)."""

    value: str | None = None
    span: tuple[int, int] | None = None
    msgid: str | None = None
    params: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Category:
    leaf: bool
    brand_required: bool
    attributes: dict[str, AttributeDefinition] | None  # by attribute id; None: not read yet
    limits: CategoryLimits | None = None  # what the platform serves for the category (Shopee)


async def categories(
    session: AsyncSession, keys: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str, str], Category]:
    """The cached categories (platform, market, category id) and their attributes: two statements."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    found: dict[tuple[str, str, str], Category] = {}
    key = tuple_(PlatformCategory.platform, PlatformCategory.market, PlatformCategory.category_id)
    rows = await session.execute(
        select(
            PlatformCategory.platform,
            PlatformCategory.market,
            PlatformCategory.category_id,
            PlatformCategory.leaf,
            PlatformCategory.brand_required,
            PlatformCategory.attributes_expire_at,
            PlatformCategory.limits,
        ).where(key.in_(wanted))
    )
    for platform, code, category_id, leaf, brand_required, read, limits in rows:
        served = CategoryLimits.model_validate(limits) if limits else None
        found[(platform, code, category_id)] = Category(
            leaf, bool(brand_required), {} if read else None, served
        )
    akey = tuple_(PlatformAttribute.platform, PlatformAttribute.market, PlatformAttribute.category_id)
    attrs = await session.execute(
        select(
            PlatformAttribute.platform,
            PlatformAttribute.market,
            PlatformAttribute.category_id,
            PlatformAttribute.attribute_id,
            PlatformAttribute.name_en,
            PlatformAttribute.name_id,
            PlatformAttribute.mandatory,
            PlatformAttribute.options,
        ).where(akey.in_(wanted))
    )
    for platform, code, category_id, attribute_id, name_en, name_id, mandatory, options in attrs:
        category = found.get((platform, code, category_id))
        if category is None or category.attributes is None:
            continue
        values = tuple(str(o.get("value_id")) for o in options or ())
        category.attributes[attribute_id] = AttributeDefinition(
            name=name_en or name_id or attribute_id, mandatory=bool(mandatory), options=values
        )
    return found


def N_(message: str) -> str:  # noqa: N802  (marked for `make i18n`, translated when shown)
    return message


def _own(state: publish.State, category: Category | None, platform: str) -> list[PublishFinding]:
    """Publishing's own findings; each message is a msgid with its parameters, so that the API and the
    page give it in Indonesian too."""
    found: list[PublishFinding] = []

    def add(code: str, severity: str, field: str, msgid: str, **params: Any) -> None:
        message = msgid % params
        found.append(
            PublishFinding(
                code=code, severity=severity, field=field, message=message, msgid=msgid, params=params
            )
        )

    if not state["variants"]:
        add("publish.no_variants", "error", "variants", N_("the product has no variants to sell"))
    for sku, price in state["price"].items():
        if price is None:
            add(
                "publish.no_price", "error", f"price.{sku}",
                N_("%(sku)s has no price in this shop's market"), sku=sku,
            )  # fmt: skip
    if state["category"] is None:
        add(
            "publish.no_category", "error", "category",
            N_("map the product to a %(platform)s category first"), platform=platform,
        )  # fmt: skip
    elif category is None:
        add(
            "publish.category_unknown", "warning", "category",
            N_("%(platform)s category %(category)s is not in the cached tree; the platform will check it"),
            platform=platform, category=state["category"],
        )  # fmt: skip
    elif not category.leaf:
        add(
            "publish.category_not_leaf", "error", "category",
            N_("choose a category without subcategories"),
        )  # fmt: skip
    elif category.attributes is None:
        add(
            "publish.attributes_unknown", "warning", "attributes",
            N_("this category's attributes were not read yet; the platform will check them"),
        )  # fmt: skip
    return found


def _draft(
    ref: str, state: publish.State, variants: Sequence[VariantRow], currency: Any, category: Category | None
) -> ListingDraft:
    defs = category.attributes if category is not None and category.attributes else {}
    given = {
        defs[a["attribute_id"]].name: ",".join(a["value_ids"] or a["texts"])
        for a in state["attributes"]
        if a["attribute_id"] in defs
    }
    first = variants[0] if variants else None
    width = max((len(v.options) for v in variants), default=0)
    tiers = tuple(
        Tier(f"option {n + 1}", tuple(dict.fromkeys(v.options[n] for v in variants if len(v.options) > n)))
        for n in range(width)
    )
    return ListingDraft(
        ref=ref,
        title=state["title"],
        description=state["description"],
        images=tuple(Image(url, format=format_of_url(url)) for url in state["images"]),
        sku=first.sku if first is not None and len(variants) == 1 else None,
        tiers=tiers if len(variants) > 1 else (),
        variants=tuple(
            VariantDraft(
                v.sku,
                v.sku,
                Decimal(state["price"].get(v.sku) or 0),
                currency,
                state["stock"].get(v.sku, 0),
                v.options if len(variants) > 1 else (),
            )
            for v in variants
        ),
        brand=state["brand"],
        attributes=given,
        category_attributes=tuple(defs.values()),
        brand_required=category.brand_required if category is not None else False,
        weight_g=first.weight_g if first is not None else None,
        dimensions=Dimensions(*(None if d is None else -(-d // 10) for d in first.dims))
        if first
        else Dimensions(),
    )


def _plain(f: RuleFinding) -> PublishFinding:
    return PublishFinding(
        code=f.rule,
        severity=f.severity,
        field=f.field,
        message=f.message(),
        value=f.value,
        span=f.span,
        msgid=f.message_id,
        params={"platform": f.platform, "market": f.market, "value": f.value or "", **f.params},
    )


@dataclass(frozen=True, slots=True)
class Checked:
    ref: str
    state: publish.State
    variants: Sequence[VariantRow]
    category: Category | None
    not_sent: Sequence[str]  # changed fields an update cannot send
    brand: str | None = None  # the master product's brand, when the mapping names no brand id


def check(
    targets: Sequence[Checked], platform: str, market_code: str, rules: RuleSet, titles: Iterable[str]
) -> dict[str, list[PublishFinding]]:
    """Every finding of one shop's targets that send something, by ref."""
    currency = market(market_code).currency
    drafts = [
        _draft(t.ref, t.state | {"brand": t.state["brand"] or t.brand}, t.variants, currency, t.category)
        for t in targets
    ]
    ruled = check_shop(drafts, platform, market_code, rules, titles) if drafts else {}
    out: dict[str, list[PublishFinding]] = {}
    for t in targets:
        found = _own(t.state, t.category, platform)
        found += [_plain(f) for f in ruled.get(t.ref, [])]
        for name in t.not_sent:
            found.append(
                PublishFinding(
                    code="publish.not_sent",
                    severity="warning",
                    field=name,
                    message=f"{name} of a listing already on {platform} is not changed by publishing yet",
                )
            )
        out[t.ref] = found
    return out


def ref_of(product_id: str) -> str:
    return str(product_id)
