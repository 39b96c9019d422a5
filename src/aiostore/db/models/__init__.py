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
from aiostore.db.models.alerts import (
    AlertDelivery,
    AlertPreference,
    AlertRule,
    AlertState,
    AlertWebhook,
    Notification,
)
from aiostore.db.models.allocation import AllocationRule, PromotionReservation
from aiostore.db.models.catalog import Inventory, Product, ProductPlatformMapping, Variant, VariantPrice
from aiostore.db.models.changes import ChangeSet, ChangeSetItem
from aiostore.db.models.channels import ChannelAccount, ChannelRoute, Listing
from aiostore.db.models.images import ImageUpload
from aiostore.db.models.orders import Customer, InventoryMovement, Order, OrderLine, SalesDaily
from aiostore.db.models.platform import (
    AuditLog,
    ContentRuleOverrides,
    ExchangeRate,
    IdempotencyKey,
    IgnoredWebhook,
    WebhookEvent,
)
from aiostore.db.models.quotas import CircuitBreakerState, QuotaBucket, WorkerLiveness
from aiostore.db.models.reconciliation import ReconciliationFinding
from aiostore.db.models.reference import PlatformAttribute, PlatformBrand, PlatformCategory
from aiostore.db.models.reports import SalesItemsDaily, SalesItemsMonthly, SalesItemsTotals, StockOut
from aiostore.db.models.sync import SyncJob, SyncJobItem

__all__ = [
    "ImageUpload",
    "AllocationRule",
    "AlertDelivery",
    "AlertPreference",
    "AlertRule",
    "AlertState",
    "AlertWebhook",
    "Notification",
    "ApiToken",
    "AuditLog",
    "ChangeSet",
    "ChangeSetItem",
    "ChannelAccount",
    "ChannelRoute",
    "CircuitBreakerState",
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
    "PlatformAttribute",
    "PlatformBrand",
    "PlatformCategory",
    "Product",
    "ProductPlatformMapping",
    "PromotionReservation",
    "SalesDaily",
    "SalesItemsDaily",
    "SalesItemsMonthly",
    "SalesItemsTotals",
    "StockOut",
    "QuotaBucket",
    "ReconciliationFinding",
    "SyncJob",
    "SyncJobItem",
    "User",
    "UserSession",
    "Variant",
    "VariantPrice",
    "WebhookEvent",
    "WorkerLiveness",
]
