"""Content rules: what each platform accepts in a listing, as data (`data/*.toml`), and the engine that
checks a listing draft against them (`check`). Pure: no I/O beyond reading the package's own rules files."""

from aiostore.domain.rules.catalog import RULES, WARNINGS, Severity
from aiostore.domain.rules.category import CategoryLimits, PriceBounds
from aiostore.domain.rules.draft import (
    AttributeDefinition,
    Dimensions,
    Finding,
    Image,
    ListingDraft,
    Tier,
    VariantDraft,
)
from aiostore.domain.rules.engine import blocking, check, check_shop
from aiostore.domain.rules.loader import (
    OverrideConflict,
    RuleSet,
    RulesFileError,
    effective_rules,
    file_rules,
    load_all,
)
from aiostore.domain.rules.overrides import LIMIT_KEYS, LimitOverride, OrgOverrides

__all__ = [
    "LIMIT_KEYS",
    "AttributeDefinition",
    "CategoryLimits",
    "PriceBounds",
    "RULES",
    "WARNINGS",
    "Dimensions",
    "Finding",
    "Image",
    "LimitOverride",
    "ListingDraft",
    "OrgOverrides",
    "OverrideConflict",
    "RuleSet",
    "RulesFileError",
    "Severity",
    "Tier",
    "VariantDraft",
    "blocking",
    "check",
    "check_shop",
    "effective_rules",
    "file_rules",
    "load_all",
]
