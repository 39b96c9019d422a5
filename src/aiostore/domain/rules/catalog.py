"""Every rule the engine knows: its id, its default severity and the message a seller reads.

Messages are gettext msgids (English) with %(name)s parameters; `N_` marks them for `make i18n`
(babel.cfg extracts this package too) and the Indonesian text is in web/locale/id/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


def N_(message: str) -> str:  # noqa: N802  (the gettext convention: marked here, translated when shown)
    return message


class Severity(StrEnum):
    ERROR = "error"  # blocks publishing
    WARNING = "warning"  # must be acknowledged


@dataclass(frozen=True, slots=True)
class RuleInfo:
    severity: Severity
    message: str


E, W = Severity.ERROR, Severity.WARNING

RULES: dict[str, RuleInfo] = {
    "title.too_short": RuleInfo(
        E, N_("The title has %(length)s characters; %(platform)s needs at least %(limit)s.")
    ),
    "title.too_long": RuleInfo(
        E, N_("The title has %(length)s characters; %(platform)s allows at most %(limit)s.")
    ),
    "title.chinese": RuleInfo(E, N_("%(platform)s does not allow Chinese characters in the title.")),
    "description.too_short": RuleInfo(
        E, N_("The description has %(length)s characters; %(platform)s needs at least %(limit)s.")
    ),
    "description.too_long": RuleInfo(
        E, N_("The description has %(length)s characters; %(platform)s allows at most %(limit)s.")
    ),
    "images.too_few": RuleInfo(
        E, N_("%(platform)s needs at least %(limit)s images; this listing has %(count)s.")
    ),
    "images.too_many": RuleInfo(
        E, N_("%(platform)s allows at most %(limit)s images; this listing has %(count)s.")
    ),
    "images.format": RuleInfo(E, N_("%(platform)s accepts only %(allowed)s images, not %(value)s.")),
    "images.too_large": RuleInfo(
        E, N_("The image is %(value)s bytes; %(platform)s accepts at most %(limit)s.")
    ),
    "images.too_small": RuleInfo(
        E, N_("The image is %(value)s pixels; %(platform)s needs at least %(limit)s pixels on each side.")
    ),
    "images.too_big": RuleInfo(
        E, N_("The image is %(value)s pixels; %(platform)s accepts at most %(limit)s pixels on each side.")
    ),
    "images.aspect_ratio": RuleInfo(
        W, N_("The image is %(value)s pixels; %(platform)s shows images in %(allowed)s and will crop it.")
    ),
    "sku.missing": RuleInfo(E, N_("%(platform)s needs a seller SKU for every variant.")),
    "sku.too_long": RuleInfo(
        E, N_("The SKU has %(length)s characters; %(platform)s allows at most %(limit)s.")
    ),
    "sku.format": RuleInfo(E, N_("The SKU %(value)s has characters %(platform)s does not accept.")),
    "sku.duplicate": RuleInfo(E, N_("The SKU %(value)s is used by more than one variant of this listing.")),
    "variants.too_many": RuleInfo(
        E, N_("%(platform)s allows at most %(limit)s variants per listing; this one has %(count)s.")
    ),
    "variants.too_many_tiers": RuleInfo(
        E,
        N_("%(platform)s allows at most %(limit)s variation types (colour, size...); this has %(count)s."),
    ),
    "variants.too_many_options": RuleInfo(
        E, N_("The variation %(value)s has %(count)s options; %(platform)s allows at most %(limit)s.")
    ),
    "variants.name_too_long": RuleInfo(
        E, N_("The variation name %(value)s is too long; %(platform)s allows at most %(limit)s characters.")
    ),
    "variants.option_too_long": RuleInfo(
        E, N_("The option %(value)s is too long; %(platform)s allows at most %(limit)s characters.")
    ),
    "variants.duplicate_option": RuleInfo(E, N_("The option %(value)s appears twice in one variation.")),
    "attributes.missing": RuleInfo(E, N_("The category needs the attribute %(value)s.")),
    "attributes.invalid_value": RuleInfo(
        E, N_("%(value)s is not one of the values %(platform)s offers for %(attribute)s.")
    ),
    "attributes.too_long": RuleInfo(
        E, N_("The value of %(attribute)s is too long; %(platform)s allows at most %(limit)s characters.")
    ),
    "brand.missing": RuleInfo(
        E, N_("%(platform)s needs a brand for this listing (use No Brand if it has none).")
    ),
    "logistics.weight_missing": RuleInfo(E, N_("%(platform)s needs the package weight.")),
    "logistics.weight_range": RuleInfo(
        E, N_("The package weight %(value)s g is outside what %(platform)s accepts (%(limit)s g).")
    ),
    "logistics.dimensions_missing": RuleInfo(
        E, N_("%(platform)s needs the package length, width and height.")
    ),
    "logistics.dimensions_partial": RuleInfo(
        E, N_("Give all three package dimensions (length, width and height) or none.")
    ),
    "category.size_chart_required": RuleInfo(
        E,
        N_(
            "%(platform)s requires a size chart for this category, and a master product cannot carry one"
            " yet: choose another category or list this product in %(platform)s Seller Center."
        ),
    ),
    "category.certification_required": RuleInfo(
        E,
        N_(
            "%(platform)s requires the certification %(value)s for this category, and a master product"
            " cannot carry certificates yet: choose another category or list it in"
            " %(platform)s Seller Center."
        ),
    ),
    "price.precision": RuleInfo(
        E, N_("The price %(value)s has too many decimals: %(platform)s takes %(limit)s in %(currency)s.")
    ),
    "price.currency": RuleInfo(E, N_("The price is in %(value)s; %(platform)s sells in %(currency)s here.")),
    "price.below_min": RuleInfo(E, N_("The price %(value)s is below the minimum of %(limit)s %(currency)s.")),
    "price.above_max": RuleInfo(E, N_("The price %(value)s is above the maximum of %(limit)s %(currency)s.")),
    "price.ratio": RuleInfo(
        E,
        N_("The most expensive variant costs over %(limit)s times the cheapest; %(platform)s refuses it."),
    ),
    "stock.below_min": RuleInfo(E, N_("The stock %(value)s is below %(limit)s.")),
    "stock.above_max": RuleInfo(E, N_("The stock %(value)s is above the %(limit)s %(platform)s accepts.")),
    "text.forbidden_term": RuleInfo(E, N_("%(value)s is a term that is not allowed on %(platform)s.")),
    "text.other_marketplace": RuleInfo(
        E, N_("%(value)s names another marketplace; %(platform)s does not allow it.")
    ),
    "text.phone": RuleInfo(
        E, N_("Remove the phone number %(value)s: %(platform)s does not allow contact details.")
    ),
    "text.email": RuleInfo(
        E, N_("Remove the e-mail %(value)s: %(platform)s does not allow contact details.")
    ),
    "text.url": RuleInfo(
        E, N_("Remove the link %(value)s: %(platform)s does not allow links to other sites.")
    ),
    "text.whatsapp": RuleInfo(
        E, N_("Remove %(value)s: %(platform)s does not allow sending buyers to chat apps.")
    ),
    "seo.keyword_stuffing": RuleInfo(
        W, N_("The word %(value)s appears %(count)s times in the title; repeated keywords are penalised.")
    ),
    "seo.capitals": RuleInfo(W, N_("The title is mostly capital letters; buyers read that as shouting.")),
    "seo.title_symbols": RuleInfo(W, N_("Remove the emoji or symbol %(value)s from the title.")),
    "seo.duplicate_title": RuleInfo(
        W, N_("Another listing in this shop has the same title; the platform may hide one as a duplicate.")
    ),
    "seo.short_title": RuleInfo(
        W, N_("The title has %(length)s characters; titles of %(limit)s or more are found more often.")
    ),
    "seo.short_description": RuleInfo(
        W, N_("The description has %(length)s characters; %(platform)s recommends at least %(limit)s.")
    ),
    "seo.missing_brand": RuleInfo(W, N_("No brand is given; listings with a brand are found more often.")),
}

WARNINGS = frozenset(rule for rule, info in RULES.items() if info.severity is Severity.WARNING)
