"""Per-listing overrides: what one shop's listing shows instead of the master product (issue #12).

`Listing.overrides` holds at most these keys, and the catalog's desired state (the publish branch's
preview) reads them as they are:
- `title`: text; `description`: text;
- `price`: a decimal string in the listing's currency (its shop's market), with exactly the currency's
  decimals ("12.90" SGD, "150000" IDR);
- `images`: a list of image URLs (http or https), in order.
A key that is absent is not overridden. A new set of overrides replaces the old one whole (PUT); the
empty set removes them. Each change is checked with the organisation's content rules for the listing's
platform and market where a rule looks at that field (length, forbidden terms, contact details, image
count, price bounds and precision): an error refuses it (422 naming the field), warnings are returned.
Audited as `listing.overrides_set` / `listing.overrides_cleared`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChannelAccount, Listing
from aiostore.domain.market import Currency, MarketCode, market
from aiostore.domain.money import Money, MoneyError
from aiostore.domain.platforms import Platform
from aiostore.domain.rules import ListingDraft
from aiostore.domain.rules.draft import Finding, Image, VariantDraft
from aiostore.domain.rules.engine import check
from aiostore.errors import FieldError, NotFound, ValidationFailed
from aiostore.services import audit, content_rules
from aiostore.services.context import OrgContext

FIELDS = ("title", "description", "price", "images")
MAX_IMAGES = 20
MAX_URL = 2000


@dataclass(frozen=True, slots=True)
class OverridesIn:
    title: str | None = None
    description: str | None = None
    price: str | None = None  # major units of the listing's currency
    images: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Overrides:
    listing: Listing
    currency: Currency
    values: dict[str, Any]
    warnings: list[Finding] = field(default_factory=list)


async def _listing(
    session: AsyncSession, listing_id: uuid.UUID, *, lock: bool = False
) -> tuple[Listing, ChannelAccount]:
    listing = await session.get(Listing, listing_id, with_for_update=lock, populate_existing=lock)
    if listing is None:
        raise NotFound("listing not found")
    channel = await session.get(ChannelAccount, listing.channel_account_id)
    if channel is None:  # pragma: no cover - a listing's shop is deleted with it (cascade)
        raise NotFound("listing not found")
    return listing, channel


def _currency(channel: ChannelAccount) -> Currency:
    return market(MarketCode(channel.market)).currency


async def get(session: AsyncSession, listing_id: uuid.UUID, ctx: OrgContext | None = None) -> Overrides:
    """The listing's overrides; with `ctx`, also the content-rule warnings they raise today."""
    listing, channel = await _listing(session, listing_id)
    values = dict(listing.overrides or {})
    warnings: list[Finding] = []
    if ctx is not None and values:
        found = await _findings(session, ctx, listing, channel, values)
        warnings = [f for _, f in found if f.severity.value != "error"]
    return Overrides(listing, _currency(channel), values, warnings)


def _web_url(url: str) -> bool:
    if len(url) > MAX_URL or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # e.g. "http://[" or a port that is no number
        return False


def _values(body: OverridesIn, currency: Currency) -> tuple[dict[str, Any], list[FieldError]]:
    """The overrides as stored, and every field error of their form."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for key in ("title", "description"):
        text = getattr(body, key)
        if text is not None:
            if not text.strip():
                errors.append(
                    FieldError(key, "blank", f"{key} must not be blank (leave it out to keep the master's)")
                )
            values[key] = text
    if body.price is not None:
        try:
            money = Money.from_major(body.price, currency)
        except MoneyError as exc:
            errors.append(FieldError("price", exc.code, str(exc)))
        else:
            if money.amount <= 0:
                errors.append(FieldError("price", "not_positive", "price must be greater than 0"))
            values["price"] = str(money.to_major())
    if body.images is not None:
        if not 1 <= len(body.images) <= MAX_IMAGES:
            errors.append(FieldError("images", "count", f"give between 1 and {MAX_IMAGES} image URLs"))
        for n, url in enumerate(body.images):
            if not _web_url(url):
                errors.append(FieldError(f"images.{n}", "invalid_url", "an image is an http(s) URL"))
        values["images"] = list(body.images)
    return values, errors


def _field_of(finding: Finding) -> str | None:
    """The override field a finding is about (None: a finding about something else)."""
    name = finding.field
    if name in ("title", "description"):
        return name
    if name.startswith("images"):
        return name.replace("[", ".").replace("]", "") if "[" in name else "images"
    if name.startswith("variants[0].price") or name == "price":
        return "price"
    return None


async def _findings(
    session: AsyncSession, ctx: OrgContext, listing: Listing, channel: ChannelAccount, values: dict[str, Any]
) -> list[tuple[str, Finding]]:
    """Content-rule findings about the overridden fields, each with the field it names."""
    try:
        platform = Platform(channel.platform)
    except ValueError:  # pragma: no cover - a shop of a platform no longer installed
        return []
    rules = await content_rules.rules_for(session, ctx, platform, MarketCode(channel.market))
    currency = _currency(channel)
    variants: tuple[VariantDraft, ...] = ()
    if "price" in values:
        variants = (VariantDraft(str(listing.id), None, Decimal(values["price"]), currency, 0),)
    draft = ListingDraft(
        ref=str(listing.id),
        title=values.get("title", listing.title),
        description=values.get("description", str(listing.platform_state.get("description") or "")),
        images=tuple(Image(url) for url in values.get("images", ())),
        variants=variants,
    )
    found = []
    for finding in check(draft, platform.value, channel.market, rules):
        name = _field_of(finding)
        if name is not None and name.split(".")[0] in values:
            found.append((name, finding))
    return found


async def set_overrides(
    session: AsyncSession, ctx: OrgContext, listing_id: uuid.UUID, body: OverridesIn
) -> Overrides:
    listing, channel = await _listing(session, listing_id, lock=True)
    currency = _currency(channel)
    values, errors = _values(body, currency)
    if errors:
        raise ValidationFailed("the overrides are not valid", errors=errors)
    findings = await _findings(session, ctx, listing, channel, values) if values else []
    blocking = [(name, f) for name, f in findings if f.severity.value == "error"]
    if blocking:
        raise ValidationFailed(
            "the overrides break the platform's content rules",
            errors=[FieldError(name, f.rule, f.message()) for name, f in blocking],
        )
    before = dict(listing.overrides or {})
    if before != values:
        listing.overrides = values
        action = "listing.overrides_set" if values else "listing.overrides_cleared"
        await audit.record(session, ctx, action, "listing", listing.id, before=before, after=values)
        await session.flush()
    return Overrides(listing, currency, values, [f for _, f in findings])


async def clear(session: AsyncSession, ctx: OrgContext, listing_id: uuid.UUID) -> None:
    await set_overrides(session, ctx, listing_id, OverridesIn())
