"""The rules engine: `check(draft, platform, market, rules) -> list[Finding]`, a pure function.

It reads nothing and writes nothing: the rules come compiled (`loader.effective_rules`), the category's
attribute definitions come in the draft. `check_shop` adds what needs several listings at once (the
same title twice in one shop).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from aiostore.domain.market import Currency
from aiostore.domain.money import MAX_MAJOR, Money, MoneyError
from aiostore.domain.rules.catalog import Severity
from aiostore.domain.rules.draft import Finding, ListingDraft, VariantDraft
from aiostore.domain.rules.loader import RuleSet
from aiostore.domain.rules.schema import LengthUnit
from aiostore.domain.rules.text import CHINESE, WORDS, Folded, fold, term_key


class _Out:
    """Collects findings of one listing; a disabled rule is dropped here, in one place."""

    def __init__(self, rules: RuleSet, draft: ListingDraft) -> None:
        self.rules, self.ref, self.items = rules, draft.ref, list[Finding]()

    def add(
        self,
        rule: str,
        field: str,
        value: object = None,
        *,
        ref: str | None = None,
        span: tuple[int, int] | None = None,
        **params: str | int,
    ) -> None:
        if rule in self.rules.disabled:
            return
        self.items.append(
            Finding(
                rule=rule,
                severity=self.rules.severities[rule],
                platform=self.rules.platform,
                market=self.rules.market,
                ref=ref or self.ref,
                field=field,
                value=None if value is None else str(value),
                span=span,
                params={"platform": self.rules.name, **params},
            )
        )


def length(text: str, unit: LengthUnit) -> int:
    """The length of `text` as the platform counts it."""
    if unit is LengthUnit.CHARACTERS:
        return len(text)
    if text.isascii():
        return len(text)
    if unit is LengthUnit.UTF8_BYTES:
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le")) // 2


def _bounds(out: _Out, field: str, text: str, lo: int | None, hi: int | None, unit: LengthUnit) -> int:
    n = length(text, unit)
    if lo is not None and n < lo:
        out.add(f"{field}.too_short", field, text[:50], length=n, limit=lo)
    if hi is not None and n > hi:
        span = (hi, len(text)) if unit is LengthUnit.CHARACTERS else None
        out.add(f"{field}.too_long", field, text[:50], span=span, length=n, limit=hi)
    return n


# Between the title and the description when both are scanned as one text: a space ends any URL, e-mail
# or term, and \x1f (a control character) continues no phone number or word.
_SEPARATOR = " \x1f "
Hit = tuple[str, str, tuple[int, int]]  # rule, offending text, span


def _text_hits(rules: RuleSet, title: str, description: str) -> tuple[list[Hit], list[Hit]]:
    """Forbidden terms, other marketplaces and contact details in the title and in the description, found
    in one pass over both (one fold, one scan per matcher)."""
    joined = f"{title}{_SEPARATOR}{description}"
    folded = Folded.of(joined)
    cut = len(title) + len(_SEPARATOR)
    found = [*rules.terms.find(folded), *((f"text.{k}", s, e) for k, s, e in rules.contacts.find(folded))]
    in_title: list[Hit] = []
    in_description: list[Hit] = []
    for rule, start, end in found:
        lo, hi = folded.span(start, end)
        if lo >= cut:
            in_description.append((rule, joined[lo:hi], (lo - cut, hi - cut)))
        elif lo < len(title):
            hi = min(hi, len(title))
            in_title.append((rule, title[lo:hi], (lo, hi)))
    return in_title, in_description


def _seo_title(out: _Out, title: str, folded: str, n: int) -> None:
    seo = out.rules.rules.seo
    if seo.title_recommended_min is not None and n < seo.title_recommended_min:
        out.add("seo.short_title", "title", title, length=n, limit=seo.title_recommended_min)
    if seo.max_word_repeats is not None:
        words = WORDS.findall(folded)
        # A word used n times makes n - 1 repeats: fewer repeats in all than the limit, none is over it.
        counts = Counter(words) if len(words) - len(set(words)) >= seo.max_word_repeats else Counter()
        for word, count in counts.items():
            if count > seo.max_word_repeats:
                out.add("seo.keyword_stuffing", "title", word, count=count, limit=seo.max_word_repeats)
    if seo.max_caps_percent is not None:
        letters = sum(map(str.isalpha, title))
        if letters >= seo.caps_min_letters:
            upper = sum(map(str.isupper, title))
            if upper * 100 > seo.max_caps_percent * letters:
                out.add("seo.capitals", "title", title, limit=seo.max_caps_percent)
    if seo.title_symbols and not title.isascii():
        for match in out.rules.symbols.finditer(title):
            out.add("seo.title_symbols", "title", match.group(), span=(match.start(), match.end()))


def _images(out: _Out, draft: ListingDraft) -> None:
    spec, formats, ratios = out.rules.rules.images, out.rules.image_formats, out.rules.image_ratios
    count = len(draft.images)
    if spec.min is not None and count < spec.min:
        out.add("images.too_few", "images", count, count=count, limit=spec.min)
    if spec.max is not None and count > spec.max:
        out.add("images.too_many", "images", count, count=count, limit=spec.max)
    min_side, max_side, max_bytes = spec.min_side or 0, spec.max_side, spec.max_bytes
    for i, image in enumerate(draft.images):
        if image.format is not None and image.format not in formats and image.format.lower() not in formats:
            allowed = ", ".join(f.upper() for f in spec.formats)
            out.add("images.format", f"images[{i}].format", image.format, allowed=allowed)
        if image.bytes is not None and max_bytes is not None and image.bytes > max_bytes:
            out.add("images.too_large", f"images[{i}].bytes", image.bytes, limit=max_bytes)
        w, h = image.width, image.height
        if w is None or h is None:
            continue
        if w < min_side or h < min_side:
            out.add("images.too_small", f"images[{i}]", f"{w}×{h}", limit=min_side)
        if max_side is not None and (w > max_side or h > max_side):
            out.add("images.too_big", f"images[{i}]", f"{w}×{h}", limit=max_side)
        if ratios and not _fits(w, h, ratios):
            out.add(
                "images.aspect_ratio", f"images[{i}]", f"{w}×{h}", allowed=" or ".join(spec.aspect_ratios)
            )


def _fits(width: int, height: int, ratios: tuple[tuple[int, int], ...]) -> bool:
    """The image has one of `ratios` (width:height), within 1%."""
    for a, b in ratios:  # noqa: SIM110  (a loop: no generator object per image)
        if abs(width * b - height * a) * 100 <= width * b:
            return True
    return False


def _sku(out: _Out, field: str, sku: str | None, ref: str | None = None) -> None:
    spec = out.rules.rules.sku
    if not sku:
        if spec.required:
            out.add("sku.missing", field, ref=ref)
        return
    if spec.max_length is not None and len(sku) > spec.max_length:
        out.add("sku.too_long", field, sku, ref=ref, length=len(sku), limit=spec.max_length)
    if out.rules.sku_pattern is not None and not out.rules.sku_pattern.fullmatch(sku):
        out.add("sku.format", field, sku, ref=ref)


def _variants(out: _Out, draft: ListingDraft) -> None:
    spec = out.rules.rules.variants
    if spec.max_variants is not None and len(draft.variants) > spec.max_variants:
        out.add(
            "variants.too_many",
            "variants",
            len(draft.variants),
            count=len(draft.variants),
            limit=spec.max_variants,
        )
    if spec.max_tiers is not None and len(draft.tiers) > spec.max_tiers:
        out.add(
            "variants.too_many_tiers", "tiers", len(draft.tiers), count=len(draft.tiers), limit=spec.max_tiers
        )
    for t, tier in enumerate(draft.tiers):
        field = f"tiers[{t}]"
        if spec.tier_name_max is not None and len(tier.name) > spec.tier_name_max:
            out.add("variants.name_too_long", f"{field}.name", tier.name, limit=spec.tier_name_max)
        if spec.max_options_per_tier is not None and len(tier.options) > spec.max_options_per_tier:
            out.add(
                "variants.too_many_options",
                f"{field}.options",
                tier.name,
                count=len(tier.options),
                limit=spec.max_options_per_tier,
            )
        seen: set[str] = set()
        for o, option in enumerate(tier.options):
            if spec.option_max is not None and len(option) > spec.option_max:
                out.add("variants.option_too_long", f"{field}.options[{o}]", option, limit=spec.option_max)
            key = term_key(option)
            if key in seen:
                out.add("variants.duplicate_option", f"{field}.options[{o}]", option)
            seen.add(key)
    skus = [v.sku for v in draft.variants if v.sku]
    repeated = {k for k, n in Counter(skus).items() if n > 1} if len(set(skus)) < len(skus) else set()
    for i, variant in enumerate(draft.variants):
        field = f"variants[{i}]"
        _sku(out, f"{field}.sku", variant.sku, variant.ref)
        if variant.sku in repeated:
            out.add("sku.duplicate", f"{field}.sku", variant.sku, ref=variant.ref)
        _price(out, field, variant)
        _stock(out, field, variant)
    _price_ratio(out, draft.variants)


def _price(out: _Out, field: str, variant: VariantDraft) -> None:
    rules = out.rules
    currency = rules.currency_code
    if variant.currency is not rules.currency:
        out.add(
            "price.currency", f"{field}.currency", variant.currency.value, ref=variant.ref, currency=currency
        )
        return
    spec, decimals = rules.price, rules.price_decimals
    if not _precise(variant.price, variant.currency, decimals):
        out.add(
            "price.precision",
            f"{field}.price",
            variant.price,
            ref=variant.ref,
            limit=decimals,
            currency=currency,
        )
        return
    if spec is None:
        return
    if spec.min is not None and variant.price < spec.min:
        out.add(
            "price.below_min",
            f"{field}.price",
            variant.price,
            ref=variant.ref,
            limit=str(spec.min),
            currency=currency,
        )
    if spec.max is not None and variant.price > spec.max:
        out.add(
            "price.above_max",
            f"{field}.price",
            variant.price,
            ref=variant.ref,
            limit=str(spec.max),
            currency=currency,
        )


def _precise(price: Decimal, currency: Currency, decimals: int) -> bool:
    """`price` has at most `decimals` decimals (trailing zeros aside) and is a valid amount of money."""
    exponent = price.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -decimals and abs(price) <= MAX_MAJOR[currency]:
        return True  # the common case, without building a Money
    try:
        Money.from_major(price, currency)  # ISO precision and the amount's bounds
        exponent = price.normalize().as_tuple().exponent
    except (MoneyError, ValueError, ArithmeticError):
        return False
    return isinstance(exponent, int) and exponent >= -decimals


def _price_ratio(out: _Out, variants: Sequence[VariantDraft]) -> None:
    ratio = out.rules.rules.price.max_ratio
    prices = [v.price for v in variants if v.price.is_finite() and v.price > 0]
    if ratio is not None and len(prices) > 1 and max(prices) > min(prices) * Decimal(ratio):
        out.add("price.ratio", "variants", f"{min(prices)}–{max(prices)}", limit=ratio)


def _stock(out: _Out, field: str, variant: VariantDraft) -> None:
    spec = out.rules.rules.stock
    if spec.min is not None and variant.stock < spec.min:
        out.add("stock.below_min", f"{field}.stock", variant.stock, ref=variant.ref, limit=spec.min)
    if spec.max is not None and variant.stock > spec.max:
        out.add("stock.above_max", f"{field}.stock", variant.stock, ref=variant.ref, limit=spec.max)


def _catalogue(out: _Out, draft: ListingDraft) -> None:
    for definition in draft.category_attributes:
        value = (draft.attributes.get(definition.name) or "").strip()
        field = f"attributes.{definition.name}"
        if not value:
            if definition.mandatory:
                out.add("attributes.missing", field, definition.name)
            continue
        if definition.options and not definition.custom_allowed:
            if term_key(value) not in {term_key(o) for o in definition.options}:
                out.add("attributes.invalid_value", field, value, attribute=definition.name)
        elif definition.max_length is not None and len(value) > definition.max_length:
            out.add(
                "attributes.too_long",
                field,
                value[:50],
                attribute=definition.name,
                limit=definition.max_length,
            )
    brand = (draft.brand or "").strip()
    if not brand:
        if out.rules.rules.brand.required or draft.brand_required:
            out.add("brand.missing", "brand")
        elif out.rules.rules.seo.missing_brand:
            out.add("seo.missing_brand", "brand")


def _logistics(out: _Out, draft: ListingDraft) -> None:
    spec = out.rules.rules.logistics
    if draft.weight_g is None:
        if spec.weight_required:
            out.add("logistics.weight_missing", "weight_g")
    elif (spec.min_weight_g is not None and draft.weight_g < spec.min_weight_g) or (
        spec.max_weight_g is not None and draft.weight_g > spec.max_weight_g
    ):
        out.add(
            "logistics.weight_range",
            "weight_g",
            draft.weight_g,
            limit=f"{spec.min_weight_g or 0}–{spec.max_weight_g or '∞'}",
        )
    d = draft.dimensions
    given = [x for x in (d.length_cm, d.width_cm, d.height_cm) if x is not None and x > 0]
    if len(given) == 3:
        return
    if spec.dimensions == "required":
        out.add("logistics.dimensions_missing", "dimensions")
    elif given and spec.dimensions == "all_or_none":
        out.add("logistics.dimensions_partial", "dimensions")


def _requirements(out: _Out, draft: ListingDraft) -> None:
    """A category's size chart and certifications: a master product carries neither (it has no size chart
    image and no certificate files), so a category that requires one cannot be published to from here."""
    spec = out.rules.rules.requires
    if spec.size_chart:
        out.add("category.size_chart_required", "size_chart")
    for name in spec.certifications:
        out.add("category.certification_required", "certifications", name)


def check(draft: ListingDraft, platform: str, market: str, rules: RuleSet) -> list[Finding]:
    """Every problem of `draft` on `platform` in `market` under `rules` (errors and warnings)."""
    if (rules.platform, rules.market) != (platform, market):
        raise ValueError(f"rules are for {rules.platform} {rules.market}, not {platform} {market}")
    out = _Out(rules, draft)
    spec, unit = rules.rules, rules.rules.length_unit
    n = _bounds(out, "title", draft.title, spec.title.min, spec.title.max, unit)
    if spec.title.no_chinese and (found := CHINESE.search(draft.title)):
        out.add("title.chinese", "title", found.group(), span=(found.start(), found.end()))
    in_title, in_description = _text_hits(rules, draft.title, draft.description)
    for rule, value, span in in_title:
        out.add(rule, "title", value, span=span)
    _seo_title(out, draft.title, fold(draft.title), n)
    n = _bounds(out, "description", draft.description, spec.description.min, spec.description.max, unit)
    if spec.seo.description_recommended_min is not None and n < spec.seo.description_recommended_min:
        out.add(
            "seo.short_description", "description", None, length=n, limit=spec.seo.description_recommended_min
        )
    for rule, value, span in in_description:
        out.add(rule, "description", value, span=span)
    _images(out, draft)
    if not draft.variants:
        _sku(out, "sku", draft.sku)
    _variants(out, draft)
    _catalogue(out, draft)
    _logistics(out, draft)
    _requirements(out, draft)
    return out.items


def check_shop(
    drafts: Iterable[ListingDraft],
    platform: str,
    market: str,
    rules: RuleSet,
    existing_titles: Iterable[str] = (),
) -> dict[str, list[Finding]]:
    """`check` for each draft of one shop, plus the same title used twice (among the drafts or with
    `existing_titles`, the shop's other listings), by listing ref."""
    drafts = list(drafts)
    found = {d.ref: check(d, platform, market, rules) for d in drafts}
    if not rules.rules.seo.duplicate_titles:
        return found
    titles = Counter(term_key(d.title) for d in drafts)
    titles.update({term_key(t) for t in existing_titles})
    for draft in drafts:
        if titles[term_key(draft.title)] > 1:
            out = _Out(rules, draft)
            out.add("seo.duplicate_title", "title", draft.title)
            found[draft.ref].extend(out.items)
    return found


def blocking(findings: Iterable[Finding]) -> Iterator[Finding]:
    """The findings that stop a listing from being published."""
    return (f for f in findings if f.severity is Severity.ERROR)
