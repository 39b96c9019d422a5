"""The one seam between AIOStore and a marketplace: ``MarketplaceConnector``.

A connector instance acts for one shop of one platform (or, before authorization, for the app only).
It speaks the DTOs of ``connectors.dtos`` and raises the errors of ``connectors.errors``; platform field
names, envelopes, cursors and batch sizes stay inside ``connectors/<platform>/``.

Every connector also implements ``WritePlanner``: each write is first planned as the exact platform
requests it would send (reads it needs, e.g. a shipping parameter lookup, are made for real), then sent.
``RecordingConnector`` (dry-run) uses the plans and sends nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from aiostore.connectors.dtos import (
    AttributeDTO,
    BrandList,
    CancelLine,
    CancelReason,
    CategoryDTO,
    ConnectorLimits,
    ImageUploadResult,
    ItemResult,
    LogisticsChannelDTO,
    OrderDTO,
    OrderRef,
    PriceUpdate,
    ProductDraft,
    ProductDTO,
    ProductUpdate,
    ReviewDTO,
    ShipRequest,
    ShopInfo,
    StockUpdate,
    TokenSet,
    UploadedImage,
    WebhookEvent,
    WriteResult,
)
from aiostore.domain.platforms import Platform
from aiostore.domain.rules.category import CategoryLimits
from aiostore.http.client import ApiRequest, RecordedRequest


@runtime_checkable
class MarketplaceConnector(Protocol):
    platform: Platform
    limits: ConnectorLimits

    @property
    def tokens(self) -> TokenSet | None:
        """The tokens in use now (they change when the connector refreshes them)."""
        ...

    @property
    def api_calls(self) -> int:
        """Platform calls sent by this instance so far (every attempt counts)."""
        ...

    # -- authorization --------------------------------------------------------------------------

    def authorization_url(self, state: str, redirect_url: str) -> str:
        """Where to send the seller to approve this app; the platform redirects back with a code."""
        ...

    async def exchange_code(self, code: str, params: Mapping[str, str]) -> TokenSet:
        """Turn the callback's code (and its other query params, e.g. shop_id) into tokens."""
        ...

    async def refresh(self, tokens: TokenSet) -> TokenSet:
        """New tokens from the refresh token; store the returned refresh token (it may rotate)."""
        ...

    async def shop_info(self) -> ShopInfo: ...

    # -- products -------------------------------------------------------------------------------

    def list_products(self, updated_since: datetime | None = None) -> AsyncIterator[ProductDTO]:
        """Every product (with its variants) changed since ``updated_since``, each exactly once."""
        ...

    async def get_products(
        self, ids: Sequence[str], skus: Mapping[str, str] | None = None
    ) -> list[ProductDTO]:
        """These products (unknown ids left out). `skus` (item id → one seller SKU of it) lets a platform
        whose read by SKU takes more products a call (`limits.sku_read_batch`) read them that way."""
        ...

    # -- reference data --------------------------------------------------------------------------

    async def categories(self) -> list[CategoryDTO]:
        """The platform's category tree for this shop, named in every language of its market it serves
        among English and Bahasa Indonesia."""
        ...

    async def category_attributes(self, category_id: str) -> list[AttributeDTO]: ...

    async def brands(self, category_id: str) -> BrandList:
        """The brands a listing of this category may name (every page), and whether one is required."""
        ...

    async def logistics_channels(self) -> list[LogisticsChannelDTO]:
        """The shop's channels a listing picks from (Shopee); [] where the platform has no such list."""
        ...

    async def category_limits(self, category_id: str) -> CategoryLimits | None:
        """The limits the platform serves for a category (Shopee get_item_limit: lengths, images,
        variants, stock and price bounds); None where the platform publishes none."""
        ...

    async def upload_image(self, content: bytes, filename: str) -> UploadedImage:
        """Upload an image the platform's way; Refused where the platform takes URLs only."""
        ...

    async def upload_images(self, images: Sequence[tuple[bytes, str]]) -> list[ImageUploadResult]:
        """Upload (content, filename) images in one call, at most `limits.image_upload_batch`: a result
        per image, in order (an image the platform refuses carries its reason); a refusal of the whole
        call raises."""
        ...

    async def review_states(self, item_ids: Sequence[str]) -> list[ReviewDTO]:
        """Where the platform's review of each listing stands (in the platform's largest batches);
        an id the platform does not know, or a deleted listing, is left out."""
        ...

    async def create_product(self, draft: ProductDraft) -> WriteResult: ...

    async def update_product(self, update: ProductUpdate) -> WriteResult: ...

    async def update_prices(self, updates: Sequence[PriceUpdate]) -> list[ItemResult]:
        """One result per update, in order; sent in the platform's largest batches."""
        ...

    async def update_stock(self, updates: Sequence[StockUpdate]) -> list[ItemResult]:
        """One result per update, in order; sent in the platform's largest batches."""
        ...

    # -- orders ---------------------------------------------------------------------------------

    def list_orders(self, since: datetime, until: datetime | None = None) -> AsyncIterator[OrderRef]:
        """Every order updated in [since, until] (until defaults to now), each exactly once."""
        ...

    async def get_orders(self, ids: Sequence[str]) -> list[OrderDTO]: ...

    async def ship_order(self, order_id: str, request: ShipRequest) -> WriteResult: ...

    async def cancel_order(
        self, order_id: str, reason: CancelReason, lines: Sequence[CancelLine] = ()
    ) -> WriteResult: ...

    # -- webhooks -------------------------------------------------------------------------------

    def verify_webhook(self, url: str, headers: Mapping[str, str], raw_body: bytes) -> bool:
        """True when the push carries the platform's valid signature for this exact url and body."""
        ...

    def parse_webhook(self, raw_body: bytes) -> WebhookEvent: ...


VariantKey = tuple[str, str]  # (item_id, variant_id)


@dataclass(frozen=True, slots=True)
class PlannedCall:
    """One platform request of a batch write and the variants it carries."""

    request: ApiRequest
    keys: tuple[VariantKey, ...]


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """A price or stock write as calls, plus the updates refused before sending (wrong currency...)."""

    calls: tuple[PlannedCall, ...]
    rejected: tuple[ItemResult, ...] = ()


@runtime_checkable
class WritePlanner(Protocol):
    """Plans each write as the platform requests it would send, and renders one without sending it."""

    async def plan_create_product(self, draft: ProductDraft) -> list[ApiRequest]: ...

    async def plan_update_product(self, update: ProductUpdate) -> list[ApiRequest]: ...

    async def plan_update_prices(self, updates: Sequence[PriceUpdate]) -> BatchPlan: ...

    async def plan_update_stock(self, updates: Sequence[StockUpdate]) -> BatchPlan: ...

    async def plan_ship_order(self, order_id: str, request: ShipRequest) -> list[ApiRequest]: ...

    async def plan_cancel_order(
        self, order_id: str, reason: CancelReason, lines: Sequence[CancelLine] = ()
    ) -> list[ApiRequest]: ...

    def render(self, request: ApiRequest) -> RecordedRequest:
        """The exact signed request (secrets masked); nothing is sent."""
        ...


class PlanningConnector(MarketplaceConnector, WritePlanner, Protocol):
    """What the registry hands out: a connector whose writes can also be planned (dry-run)."""
