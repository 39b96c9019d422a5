"""Reading the rules files and building a platform's and market's effective rules.

`data/common.toml`, then `data/<platform>.toml`, then `data/<platform>.<MARKET>.toml` (if there is one)
are merged in that order (tables merge key by key, a later value replaces an earlier one, lists
included). Each file is validated on its own (a typo names its file and key) and the merge again.
`load_all()` runs at start, so a broken rules file stops the service with a message naming it.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aiostore.domain.market import MARKETS, Currency, MarketCode
from aiostore.domain.money import Money
from aiostore.domain.platforms import platform_names
from aiostore.domain.rules.catalog import RULES, Severity
from aiostore.domain.rules.category import CategoryLimits
from aiostore.domain.rules.overrides import LIMIT_KEYS, OrgOverrides
from aiostore.domain.rules.schema import CurrencyPrice, RulesFile
from aiostore.domain.rules.text import SYMBOLS, ContactMatcher, TermMatcher, term_key

DATA = Path(__file__).parent / "data"
DISPLAY = {"shopee": "Shopee", "tiktokshop": "TikTok Shop", "lazada": "Lazada", "tokopedia": "Tokopedia"}


class RulesFileError(ValueError):
    """A rules file that cannot be used; the message names the file and the key."""


class OverrideConflict(ValueError):
    """An organisation's override that the platform's rules do not allow; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise RulesFileError(f"{path.name}: not valid TOML: {exc}") from exc
    _validate(raw, path.name)
    return raw


def _validate(raw: Mapping[str, Any], source: str) -> RulesFile:
    try:
        return RulesFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise RulesFileError(f"{source}: {key}: {first['msg']}") from exc


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _market_files(data: Path) -> dict[str, list[str]]:
    """Per platform, the markets with a file of their own."""
    found: dict[str, list[str]] = {}
    for path in sorted(data.glob("*.*.toml")):
        platform, market = path.name.removesuffix(".toml").split(".", 1)
        found.setdefault(platform, []).append(market)
    return found


@cache
def file_rules(platform: str, market: str, data: Path = DATA) -> RulesFile:
    """The merged rules files of a platform in a market (no organisation's overrides)."""
    platform_path = data / f"{platform}.toml"
    if not platform_path.is_file():
        raise RulesFileError(f"{platform_path.name}: missing (every platform needs its rules file)")
    merged = _read(data / "common.toml") if (data / "common.toml").is_file() else {}
    merged = _merge(merged, _read(platform_path))
    market_path = data / f"{platform}.{market}.toml"
    sources = platform_path.name
    if market_path.is_file():
        merged = _merge(merged, _read(market_path))
        sources += f" + {market_path.name}"
    rules = _validate(merged, sources)
    if rules.platform != platform:
        raise RulesFileError(f"{platform_path.name}: platform: must be {platform!r}")
    for rule in rules.severity:
        if rule not in RULES:
            raise RulesFileError(f"{sources}: severity.{rule}: no such rule")
    return rules


@cache
def price_bounds(platform: str, data: Path = DATA) -> dict[MarketCode, tuple[int, int]]:
    """The platform's published price bounds per market in minor units of the market's currency, read
    from its rules files (`[price.<currency>]` with both `min` and `max`, not `published = false`):
    the one place they are written; `ConnectorLimits.price_bounds` is this."""
    bounds: dict[MarketCode, tuple[int, int]] = {}
    for code in MarketCode:
        currency = MARKETS[code].currency
        price = file_rules(platform, code.value, data).price.of(currency)
        if price is None or not price.published or price.min is None or price.max is None:
            continue
        bounds[code] = (
            Money.from_major(price.min, currency).amount,
            Money.from_major(price.max, currency).amount,
        )
    return bounds


def load_all(data: Path = DATA) -> None:
    """Validate every platform's rules in every market; RulesFileError names the first broken file."""
    markets = _market_files(data)
    for platform, own in markets.items():
        if platform not in platform_names():
            raise RulesFileError(f"{platform}.{own[0]}.toml: no platform {platform!r}")
        for market in own:
            if market not in MarketCode.__members__:
                raise RulesFileError(f"{platform}.{market}.toml: no market {market!r}")
    for platform in platform_names():
        for market in MarketCode:
            file_rules(platform, market.value, data)


@dataclass(frozen=True, slots=True, eq=False)
class RuleSet:
    """A platform's rules in one market with an organisation's overrides applied, regexes compiled."""

    platform: str
    market: str
    name: str  # the platform as sellers know it
    currency: Currency  # the market's
    currency_code: str
    price: CurrencyPrice | None  # the bounds in the market's currency
    price_decimals: int  # what the platform takes in it (at most the currency's own)
    rules: RulesFile
    severities: Mapping[str, Severity]
    disabled: frozenset[str]
    terms: TermMatcher  # forbidden terms and other marketplaces' names
    contacts: ContactMatcher
    sku_pattern: re.Pattern[str] | None
    image_formats: frozenset[str]
    image_ratios: tuple[tuple[int, int], ...]  # width:height
    symbols: re.Pattern[str]

    def enabled(self, rule: str) -> bool:
        return rule not in self.disabled


def _tightened(
    rules: RulesFile, overrides: OrgOverrides, platform: str, market: str, strict: bool
) -> RulesFile:
    """The rules with the overrides applied. A looser limit is an OverrideConflict when `strict` (saving
    overrides), else the platform's limit stays (a platform that tightened its rules after the
    organisation saved its overrides)."""
    data = rules.model_dump()
    applying = overrides.applies(platform, market)
    for index, override in enumerate(overrides.limits):
        if override not in applying:
            continue
        section, name = override.key.split(".")
        current = data[section][name]
        direction = LIMIT_KEYS[override.key]
        looser = current is not None and (
            (direction == "lower" and override.value > current)
            or (direction == "raise" and override.value < current)
        )
        if looser and not strict:
            continue
        if looser:
            raise OverrideConflict(
                f"limits.{index}.value",
                f"{DISPLAY.get(platform, platform)} {market} {override.key} is {current}; "
                f"an organisation may only make it {'lower' if direction == 'lower' else 'higher'}",
            )
        data[section][name] = override.value
    try:
        return RulesFile.model_validate(data)
    except ValidationError as exc:
        if not strict:
            return rules
        first = exc.errors()[0]
        raise OverrideConflict("limits", f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc


def _ratio(text: str) -> tuple[int, int]:
    a, b = text.split(":")
    return int(a), int(b)


@lru_cache(maxsize=256)
def _compiled(platform: str, market: str, overrides_json: str, strict: bool) -> RuleSet:
    overrides = OrgOverrides.model_validate_json(overrides_json)
    rules = _tightened(file_rules(platform, market), overrides, platform, market, strict)
    text = rules.text
    own = {term_key(platform), term_key(DISPLAY.get(platform, platform))}
    allowed = {term_key(t) for t in text.allowed_marketplaces} | own
    terms = [(t, "text.forbidden_term") for t in (*text.forbidden_terms, *text.platform_forbidden_terms)]
    terms += [(t, "text.forbidden_term") for t in overrides.forbidden_terms]
    terms += [(t, "text.other_marketplace") for t in text.other_marketplaces if term_key(t) not in allowed]
    if "whatsapp" in text.contact_kinds:
        terms += [(t, "text.whatsapp") for t in text.messenger_terms]
    currency = MARKETS[MarketCode(market)].currency
    price = rules.price.of(currency)
    severities = {rule: info.severity for rule, info in RULES.items()}
    severities.update({rule: Severity(level) for rule, level in rules.severity.items()})
    return RuleSet(
        platform=platform,
        market=market,
        name=DISPLAY.get(platform, platform),
        currency=currency,
        currency_code=currency.value,
        price=price,
        price_decimals=currency.exponent if price is None else min(price.decimals, currency.exponent),
        rules=rules,
        severities=severities,
        # A warning a rules file made an error stays on, whatever the organisation disabled.
        disabled=frozenset(r for r in overrides.disabled_rules if severities[r] is Severity.WARNING),
        terms=TermMatcher(terms),
        contacts=ContactMatcher.of(text.contact_kinds, text.url_tlds),
        sku_pattern=re.compile(rules.sku.pattern) if rules.sku.pattern else None,
        image_formats=frozenset(rules.images.formats),
        image_ratios=tuple(_ratio(r) for r in rules.images.aspect_ratios),
        symbols=SYMBOLS,
    )


@lru_cache(maxsize=4096)
def _for_category(platform: str, market: str, overrides_json: str, category_json: str) -> RuleSet:
    """The organisation's rules for listings of one category: the category's served limits in place of
    the files' defaults, then the organisation's overrides (a looser one is ignored, as at check time);
    limits that leave a minimum above a maximum are not used (the files' rules stay)."""
    base = _compiled(platform, market, overrides_json, False)
    served = CategoryLimits.model_validate_json(category_json)
    try:
        merged = RulesFile.model_validate(
            served.applied(file_rules(platform, market).model_dump(), base.currency)
        )
    except ValidationError:
        return base
    overrides = OrgOverrides.model_validate_json(overrides_json)
    rules = _tightened(merged, overrides, platform, market, strict=False)
    price = rules.price.of(base.currency)
    return dataclasses.replace(
        base,
        rules=rules,
        price=price,
        price_decimals=base.currency.exponent
        if price is None
        else min(price.decimals, base.currency.exponent),
    )


def effective_rules(
    platform: str,
    market: str,
    overrides: OrgOverrides | None = None,
    *,
    strict: bool = False,
    category: CategoryLimits | None = None,
) -> RuleSet:
    """The rules to check with; compiled once per (platform, market, overrides) and kept.

    With `strict`, OverrideConflict if an override loosens a platform limit (else that override is
    ignored). OverrideConflict too if the overrides leave a minimum above its maximum. With `category`,
    the limits the platform serves for a listing's category replace the files' defaults (kept per
    category limits; the terms and patterns are compiled once, as without)."""
    overrides_json = (overrides or OrgOverrides()).model_dump_json()
    if category is None or strict:
        return _compiled(platform, market, overrides_json, strict)
    return _for_category(platform, market, overrides_json, category.model_dump_json())
