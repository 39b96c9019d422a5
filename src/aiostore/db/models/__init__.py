"""All models, imported so that Base.metadata knows every table."""

from aiostore.db.models.accounts import (
    ApiToken,
    Invitation,
    LoginFailure,
    Membership,
    OAuthState,
    Organization,
    User,
    UserSession,
)
from aiostore.db.models.allocation import AllocationRule, PromotionReservation
from aiostore.db.models.catalog import Inventory, Product, Variant, VariantPrice
from aiostore.db.models.channels import ChannelAccount, ChannelRoute, Listing
from aiostore.db.models.orders import Customer, InventoryMovement, Order, OrderLine, SalesDaily
from aiostore.db.models.platform import (
    AuditLog,
    ContentRuleOverrides,
    ExchangeRate,
    IdempotencyKey,
    IgnoredWebhook,
    WebhookEvent,
)
from aiostore.db.models.sync import CatalogPreview, SyncJob, SyncJobItem

__all__ = [
    "AllocationRule",
    "ApiToken",
    "AuditLog",
    "CatalogPreview",
    "ChannelAccount",
    "ChannelRoute",
    "ContentRuleOverrides",
    "ExchangeRate",
    "Customer",
    "IdempotencyKey",
    "IgnoredWebhook",
    "Inventory",
    "InventoryMovement",
    "Invitation",
    "Listing",
    "LoginFailure",
    "Membership",
    "OAuthState",
    "Order",
    "OrderLine",
    "Organization",
    "Product",
    "PromotionReservation",
    "SalesDaily",
    "SyncJob",
    "SyncJobItem",
    "User",
    "UserSession",
    "Variant",
    "VariantPrice",
    "WebhookEvent",
]
