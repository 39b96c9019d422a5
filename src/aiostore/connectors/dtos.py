"""What connectors speak above themselves: frozen dataclasses in the domain's terms.

Ids are strings on every platform (TikTok's exceed float precision). Times are aware UTC datetimes.
Money is ``aiostore.domain.money.Money``. No platform field name appears here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from aiostore.domain.market import MarketCode
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus
from aiostore.domain.platforms import Platform

# -- limits ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConnectorLimits:
    """A platform's page, batch and rate limits (MARKETPLACES.md), in one place per connector.

    ``*_items_per_call`` is how many distinct products one price/stock call may touch (Shopee: 1),
    None when a call may mix any products; ``*_batch`` is how many variants one call may carry.
    """

    product_page: int
    product_detail_batch: int
    variant_batch: int | None  # variants readable per call (None: inline with the product)
    stock_batch: int
    stock_items_per_call: int | None
    price_batch: int
    price_items_per_call: int | None
    order_page: int
    order_detail_batch: int
    order_window: timedelta | None
    rate_per_second: float  # per shop
    burst: int
    concurrency: int = 8  # calls in flight at once per connector (the limiter still rules the rate)
    access_token_ttl: timedelta | None = None
    refresh_margin: timedelta = timedelta(minutes=10)
    # True when the stock a seller sets still counts units the platform holds for its own open orders
    # (Shopee: seller stock >= reserved stock). Then what we push for a variant is our available
    # quantity plus what that channel's open orders hold, so the platform's sellable quantity equals
    # ours; False when the platform deducts sold units from the stock we set.
    stock_counts_reserved: bool = False
    # Products readable per call by their sellers' SKUs (Lazada's /products/get `sku_seller_list`), when
    # that is larger than reading them by id (`product_detail_batch`); 0: no such read.
    sku_read_batch: int = 0
    # With stock_counts_reserved: the platform order statuses (lower case) whose units the platform still
    # holds inside the stock we set. Once an order leaves them (packed and handed over...), the platform
    # has taken its units out of the stock itself, and we must not add them back.
    stock_held_statuses: frozenset[str] = frozenset()
    # The lowest and highest price the platform accepts per market, in the market currency's minor
    # units (shared/marketplaces); a market left out has no published bounds.
    price_bounds: Mapping[MarketCode, tuple[int, int]] = field(default_factory=dict)
    # Images one upload call may carry (Shopee media_space/upload_image: 8, docs/marketplaces/shopee.md;
    # the others take one a call).
    image_upload_batch: int = 1


# -- credentials and tokens -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppCredentials:
    """The partner/app identity our installation holds for one platform."""

    app_key: str  # Shopee partner_id, TikTok/Lazada app_key, Tokopedia client_id
    app_secret: str = field(repr=False)
    base_url: str
    auth_base_url: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)  # e.g. Tokopedia fs_id, TikTok service_id


@dataclass(frozen=True, slots=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_at: datetime
    refresh_expires_at: datetime | None
    shop_id: str | None = None  # the shop these tokens act for
    shop_ids: tuple[str, ...] = ()  # every shop an authorization covered (Shopee main accounts)
    merchant_ids: tuple[str, ...] = ()
    external_ids: Mapping[str, str] = field(default_factory=dict)  # e.g. TikTok shop_cipher, open_id

    def access_expires_within(self, margin: timedelta, now: datetime) -> bool:
        return self.access_expires_at - margin <= now


@dataclass(frozen=True, slots=True)
class ShopAccount:
    """The shop a connector acts for: its platform id, market and current tokens (None before OAuth)."""

    shop_id: str | None = None
    market: MarketCode | None = None
    tokens: TokenSet | None = None


@dataclass(frozen=True, slots=True)
class ShopInfo:
    shop_id: str
    name: str
    market: MarketCode | None
    status: str  # the platform's own shop status word, for display
    active: bool
    authorization_expires_at: datetime | None = None


# -- products -------------------------------------------------------------------------------------


class ListingStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"  # unlisted / deactivated by the seller
    UNDER_REVIEW = "under_review"
    BANNED = "banned"
    DELETED = "deleted"
    UNKNOWN = "unknown"


class ReviewState(StrEnum):
    """Where the platform's review of a created or edited listing stands (TikTok Shop audit, Lazada QC,
    Shopee review, Tokopedia pending)."""

    UNDER_REVIEW = "under_review"
    LIVE = "live"  # approved: on sale, or unlisted by the seller
    REJECTED = "rejected"  # refused or banned: the platform's reason says why


@dataclass(frozen=True, slots=True)
class ReviewDTO:
    """One listing's review as the platform reports it, with its own reason text and code."""

    item_id: str
    state: ReviewState
    status: ListingStatus
    platform_status: str
    reason: str = ""
    code: str = ""


@dataclass(frozen=True, slots=True)
class VariantDTO:
    """One sellable unit of a listing. A product without variants has one, with ``variant_id`` "0"."""

    item_id: str
    variant_id: str
    seller_sku: str
    name: str
    option_values: tuple[str, ...]
    price: Money | None
    stock: int | None
    status: ListingStatus
    platform_status: str = ""


@dataclass(frozen=True, slots=True)
class ProductDTO:
    item_id: str
    name: str
    seller_sku: str
    status: ListingStatus
    platform_status: str
    variants: tuple[VariantDTO, ...]
    has_variants: bool
    description: str = ""
    category_id: str = ""
    image_urls: tuple[str, ...] = ()
    weight_kg: Decimal | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class VariantDraft:
    option_values: tuple[str, ...]
    seller_sku: str
    price: Money
    stock: int


@dataclass(frozen=True, slots=True)
class AttributeValue:
    """A listing's value of a category attribute: chosen value ids, or free texts (with a unit)."""

    attribute_id: str
    value_ids: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    unit: str = ""
    key: str = ""  # the payload key where the platform names attributes by key (Lazada)


@dataclass(frozen=True, slots=True)
class ProductDraft:
    """A new listing. Platform-side references (category, images, logistics) are platform ids."""

    name: str
    description: str
    category_id: str
    price: Money
    stock: int
    weight_kg: Decimal
    image_ids: tuple[str, ...]
    logistics_ids: tuple[str, ...] = ()
    seller_sku: str = ""
    active: bool = True
    brand_id: str | None = None
    option_names: tuple[str, ...] = ()  # e.g. ("Colour", "Size") when ``variants`` are given
    variants: tuple[VariantDraft, ...] = ()
    attributes: tuple[AttributeValue, ...] = ()
    dimensions_cm: tuple[int, int, int] | None = None  # the package's length, width, height


@dataclass(frozen=True, slots=True)
class VariantEdit:
    """One variant a listing should have after an update: ``variant_id`` names the platform's existing
    variant ("" for one to add); price and stock are what a new variant starts with."""

    variant_id: str
    option_values: tuple[str, ...]
    seller_sku: str
    price: Money
    stock: int


@dataclass(frozen=True, slots=True)
class ProductUpdate:
    """Fields to change on an existing listing; None leaves a field as it is (price/stock of existing
    variants excluded: those go through the price and stock calls).

    ``variants``, when given, is every variant the listing should have: an existing one keeps its id
    (its options or SKU may change), one without an id is added, and an existing variant left out is
    removed where the platform allows it (``removed_variant_ids``: the ones to remove)."""

    item_id: str
    name: str | None = None
    description: str | None = None
    seller_sku: str | None = None
    active: bool | None = None
    weight_kg: Decimal | None = None
    category_id: str | None = None
    attributes: tuple[AttributeValue, ...] | None = None
    brand_id: str | None = None
    image_ids: tuple[str, ...] | None = None
    dimensions_cm: tuple[int, int, int] | None = None  # length, width, height
    option_names: tuple[str, ...] = ()
    variants: tuple[VariantEdit, ...] | None = None
    removed_variant_ids: tuple[str, ...] = ()

    def changes_content(self) -> bool:
        """True when the update changes more than the status (a platform may review it again)."""
        return any(
            v is not None
            for v in (
                self.name,
                self.description,
                self.seller_sku,
                self.weight_kg,
                self.category_id,
                self.attributes,
                self.brand_id,
                self.image_ids,
                self.dimensions_cm,
                self.variants,
            )
        )


@dataclass(frozen=True, slots=True)
class PriceUpdate:
    item_id: str
    variant_id: str  # "0" for a product without variants
    price: Money


@dataclass(frozen=True, slots=True)
class StockUpdate:
    item_id: str
    variant_id: str
    stock: int


# -- orders ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Address:
    """Buyer PII: never logged, masked for roles that do not need it."""

    name: str = ""
    phone: str = ""
    full_address: str = ""
    district: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class Buyer:
    """Buyer PII: never logged, masked for roles that do not need it."""

    user_id: str = ""
    username: str = ""
    email: str = ""
    address: Address = field(default_factory=Address)


@dataclass(frozen=True, slots=True)
class OrderLine:
    line_id: str
    item_id: str
    variant_id: str
    seller_sku: str
    name: str
    variant_name: str
    quantity: int
    unit_price: Money  # what the buyer pays per unit, after the seller's discounts
    original_unit_price: Money | None = None


@dataclass(frozen=True, slots=True)
class Package:
    package_id: str
    logistics_status: str
    carrier: str = ""
    tracking_number: str = ""


@dataclass(frozen=True, slots=True)
class OrderDTO:
    order_id: str
    status: OrderStatus | None  # None: a platform status we do not know yet (``platform_status`` has it)
    platform_status: str
    currency: str
    total: Money | None
    created_at: datetime
    updated_at: datetime
    lines: tuple[OrderLine, ...]
    buyer: Buyer
    paid_at: datetime | None = None
    ship_by: datetime | None = None
    cod: bool = False
    packages: tuple[Package, ...] = ()
    cancel_reason: str = ""
    cancelled_by: str = ""
    buyer_note: str = ""
    carrier: str = ""


@dataclass(frozen=True, slots=True)
class OrderRef:
    """One order changed in a window. ``order`` is filled when the list call already returns it whole."""

    order_id: str
    status: OrderStatus | None = None
    platform_status: str = ""
    updated_at: datetime | None = None
    order: OrderDTO | None = None


class ShipMethod(StrEnum):
    AUTO = "auto"  # the first method the platform offers for this order
    PICKUP = "pickup"
    DROPOFF = "dropoff"
    SELF = "self"  # seller's own courier: tracking number required


@dataclass(frozen=True, slots=True)
class ShipRequest:
    method: ShipMethod = ShipMethod.AUTO
    package_id: str | None = None
    tracking_number: str | None = None
    pickup_address_id: str | None = None
    pickup_slot_id: str | None = None
    dropoff_branch_id: str | None = None
    sender_name: str | None = None


class CancelReason(StrEnum):
    OUT_OF_STOCK = "out_of_stock"
    CUSTOMER_REQUEST = "customer_request"
    UNDELIVERABLE_AREA = "undeliverable_area"
    COD_NOT_SUPPORTED = "cod_not_supported"


@dataclass(frozen=True, slots=True)
class CancelLine:
    item_id: str
    variant_id: str


# -- results --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemError:
    kind: str  # the ConnectorError class name, e.g. "InvalidRequest"
    message: str
    platform_code: str = ""
    retryable: bool = False
    retry_after: float | None = None  # CircuitOpen's: seconds until the circuit lets a probe through


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The outcome for one variant of a batch write. A failure here is data, not an exception."""

    item_id: str
    variant_id: str
    ok: bool
    error: ItemError | None = None
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class WriteResult:
    ok: bool
    external_id: str | None = None  # the created/changed item id, order id, package id...
    dry_run: bool = False
    detail: str = ""


# -- webhooks -------------------------------------------------------------------------------------


class WebhookKind(StrEnum):
    ORDER_STATUS = "order_status"
    CATEGORIES_CHANGED = "categories_changed"  # the platform's category tree changed (Lazada type 12)
    ORDER_TRACKING = "order_tracking"
    PRODUCT = "product"
    STOCK = "stock"
    SHOP_AUTHORIZED = "shop_authorized"
    SHOP_DEAUTHORIZED = "shop_deauthorized"
    AUTHORIZATION_EXPIRING = "authorization_expiring"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    event_id: str  # the dedup key: the same push delivered twice has the same id
    platform: Platform
    shop_id: str | None
    kind: WebhookKind
    platform_code: str
    occurred_at: datetime
    order_id: str | None = None
    status: OrderStatus | None = None
    platform_status: str = ""
    item_id: str | None = None  # a product push's listing (a review's end, a ban)
    expires_at: datetime | None = None  # AUTHORIZATION_EXPIRING: when the shop's authorisation ends


# -- reference data (listings-and-categories.md §B, §C) ------------------------------------------------

Names = Mapping[str, str]  # language ("en", "id") -> name


class AttributeInput(StrEnum):
    SINGLE_SELECT = "single_select"
    MULTI_SELECT = "multi_select"
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class CategoryDTO:
    category_id: str
    parent_id: str | None
    names: Names
    leaf: bool  # only a leaf takes listings


@dataclass(frozen=True, slots=True)
class AttributeOption:
    value_id: str
    names: Names


@dataclass(frozen=True, slots=True)
class AttributeDTO:
    attribute_id: str
    names: Names
    mandatory: bool | None  # None: the platform publishes no such flag
    input_type: AttributeInput
    options: tuple[AttributeOption, ...] = ()
    units: tuple[str, ...] = ()
    key: str = ""  # the payload key where the platform names attributes by key (Lazada)


@dataclass(frozen=True, slots=True)
class BrandDTO:
    brand_id: str
    name: str


@dataclass(frozen=True, slots=True)
class BrandList:
    brands: tuple[BrandDTO, ...]
    required: bool | None  # None: the platform does not say


@dataclass(frozen=True, slots=True)
class LogisticsChannelDTO:
    channel_id: str
    name: str
    enabled: bool
    cod_enabled: bool
    fee_type: str
    max_weight_kg: Decimal | None = None


@dataclass(frozen=True, slots=True)
class UploadedImage:
    image_id: str  # what a create names the image by (Shopee image_id, TikTok uri, Lazada URL)
    url: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class ImageUploadResult:
    """One image of a batch upload: the platform's image, or its reason for refusing that image."""

    image: UploadedImage | None
    error: str = ""
