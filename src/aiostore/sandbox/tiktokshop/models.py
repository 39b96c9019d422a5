"""Records held by the TikTok Shop sandbox: the app, shops, products with SKUs, orders with one line item
per unit and a package, returns (shopee-tiktokshop.md §B4 fields, §B5 statuses).

Money is integer minor units of the shop's currency; the routes send it as decimal strings of major
units (§B9). Stock: a SKU's ``quantity`` is the available quantity (what Update Inventory sets and what
Search Products shows); ``committed`` counts units held by open orders. Placing an order moves units from
available to committed; shipping takes them out of committed; cancelling gives them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiostore.sandbox.common import MARKETS, Address, Market, Person

PRODUCT_STATUSES = frozenset(
    {
        "DRAFT",
        "PENDING",
        "FAILED",
        "ACTIVATE",
        "SELLER_DEACTIVATED",
        "PLATFORM_DEACTIVATED",
        "FREEZE",
        "DELETED",
    }
)
ORDER_STATUSES = frozenset(
    {
        "UNPAID",
        "ON_HOLD",
        "AWAITING_SHIPMENT",
        "PARTIALLY_SHIPPING",
        "AWAITING_COLLECTION",
        "IN_TRANSIT",
        "DELIVERED",
        "COMPLETED",
        "CANCELLED",
    }
)
# ON_HOLD exists only in the UK market (Get Order List's doc), so ID/SG/MY orders skip it.
NORMAL_PATH = ("UNPAID", "AWAITING_SHIPMENT", "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED")
TRANSITIONS: dict[str, frozenset[str]] = {
    "UNPAID": frozenset({"ON_HOLD", "AWAITING_SHIPMENT", "CANCELLED"}),
    "ON_HOLD": frozenset({"AWAITING_SHIPMENT", "CANCELLED"}),
    "AWAITING_SHIPMENT": frozenset({"AWAITING_COLLECTION", "PARTIALLY_SHIPPING", "IN_TRANSIT", "CANCELLED"}),
    "AWAITING_COLLECTION": frozenset({"IN_TRANSIT", "CANCELLED"}),
    "PARTIALLY_SHIPPING": frozenset({"IN_TRANSIT"}),
    "IN_TRANSIT": frozenset({"DELIVERED"}),
    "DELIVERED": frozenset({"COMPLETED"}),
    "COMPLETED": frozenset(),
    "CANCELLED": frozenset(),
}
# Units held (committed) while the order is in these statuses; deducted once it leaves for shipping.
RESERVING = frozenset({"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "AWAITING_COLLECTION"})
PAID = frozenset(ORDER_STATUSES - {"UNPAID"})
PACKAGE_STATUS = {
    "AWAITING_SHIPMENT": "TO_FULFILL",
    "AWAITING_COLLECTION": "PROCESSING",
    "PARTIALLY_SHIPPING": "FULFILLING",
    "IN_TRANSIT": "FULFILLING",
    "DELIVERED": "COMPLETED",
    "COMPLETED": "COMPLETED",
    "CANCELLED": "CANCELLED",
}
CARRIERS = {
    "ID": (("6801113735958341377", "J&T Express"), ("6801113735958341378", "SiCepat")),
    "SG": (("7018150004547356417", "Ninja Van"), ("7018150004547356418", "J&T Express")),
    "MY": (("7047405431466018565", "J&T Express"), ("7047405431466018566", "Pos Laju")),
}
CANCEL_REASONS = {
    "UNPAID": {
        "seller_cancel_unpaid_reason_out_of_stock": "Out of stock",
        "seller_cancel_unpaid_reason_wrong_price": "Pricing error",
        "seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed": "Buyer did not pay on time",
        "seller_cancel_unpaid_reason_buyer_requested_cancellation": "Buyer requested cancellation",
    },
    "PAID": {
        "seller_cancel_reason_out_of_stock": "Out of stock",
        "seller_cancel_reason_wrong_price": "Pricing error",
        "seller_cancel_paid_reason_address_not_deliver": "Unable to deliver to buyer address",
        "seller_cancel_paid_reason_buyer_requested_cancellation": "Buyer requested cancellation",
    },
}


@dataclass(slots=True)
class App:
    app_key: str
    app_secret: str
    service_id: str
    redirect_url: str | None = None
    push_url: str | None = None


@dataclass(slots=True)
class Shop:
    shop_id: str
    region: str
    name: str
    cipher: str
    code: str
    warehouse_id: str
    open_id: str = ""  # the seller who owns the shop
    seller_type: str = "LOCAL"
    webhooks: dict[str, str] = field(default_factory=dict)  # event type -> address (PUT /event/…/webhooks)

    @property
    def market(self) -> Market:
        return MARKETS[self.region]


@dataclass(slots=True)
class Sku:
    sku_id: str
    seller_sku: str
    price: int  # tax-exclusive list price, minor units
    quantity: int  # available
    committed: int = 0
    attributes: list[tuple[str, str]] = field(default_factory=list)  # (name, value)

    @property
    def name(self) -> str:
        return ", ".join(value for _, value in self.attributes)


@dataclass(slots=True)
class Product:
    product_id: str
    shop_id: str
    title: str
    description: str
    category_id: str
    status: str
    create_time: int
    update_time: int
    images: list[str]
    weight_kg: str
    skus: dict[str, Sku]
    brand_id: str = ""
    product_attributes: list[dict[str, Any]] = field(default_factory=list)  # as create/edit sent them
    # a failed audit's reasons, as product detail shows them ([{position, reasons, suggestions, ...}])
    audit_failed_reasons: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class LineItem:
    line_id: str
    product_id: str
    sku_id: str
    product_name: str
    seller_sku: str
    sku_name: str
    original_price: int
    sale_price: int


@dataclass(slots=True)
class Package:
    package_id: str
    shipping_provider_id: str
    shipping_provider: str
    status: str = "TO_FULFILL"
    tracking_number: str = ""
    handover_method: str = ""


@dataclass(slots=True)
class Order:
    order_id: str
    shop_id: str
    region: str
    currency: str
    status: str
    create_time: int
    update_time: int
    line_items: list[LineItem]
    package: Package
    user_id: str
    buyer: Person
    address: Address
    is_cod: bool
    payment_method_name: str
    shipping_fee: int
    buyer_message: str = ""
    paid_time: int | None = None
    rts_time: int | None = None
    collection_time: int | None = None
    delivery_time: int | None = None
    cancel_time: int | None = None
    cancel_reason: str = ""
    cancellation_initiator: str = ""
    stock_state: str = ""  # "" (none yet) | reserved | deducted | released

    @property
    def sub_total(self) -> int:
        return sum(item.sale_price for item in self.line_items)

    @property
    def total_amount(self) -> int:
        return self.sub_total + self.shipping_fee

    def units(self) -> dict[tuple[str, str], int]:
        """(product_id, sku_id) -> units bought."""
        counts: dict[tuple[str, str], int] = {}
        for item in self.line_items:
            counts[item.product_id, item.sku_id] = counts.get((item.product_id, item.sku_id), 0) + 1
        return counts


@dataclass(slots=True)
class ReturnRecord:
    return_id: str
    order_id: str
    shop_id: str
    return_type: str  # REFUND | RETURN_AND_REFUND | REPLACEMENT
    return_status: str
    create_time: int
    update_time: int
    line_item_ids: list[str]
