"""Dry-run (``AIOSTORE_WRITE_MODE=dry``): a connector that reads for real and records every write.

Each write is planned by the wrapped connector (reads a plan needs, such as Shopee's shipping
parameters, are made), every request of the plan is rendered exactly as it would be sent (signed; the
access token and signature masked) and recorded, and a result marked ``dry_run=True`` is returned.
Nothing is sent. Updates the plan itself refuses (wrong currency, negative stock) fail as they would live.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from aiostore.connectors.base import BatchPlan, PlanningConnector, VariantKey
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


@dataclass(frozen=True, slots=True)
class DryRunRecord:
    """One write the connector would have made: the operation and the requests it would have sent."""

    platform: Platform
    operation: str  # the protocol method, e.g. "update_stock"
    requests: tuple[RecordedRequest, ...]


OnRecord = Callable[[DryRunRecord], Awaitable[None]]


class RecordingConnector:
    def __init__(self, inner: PlanningConnector, *, on_record: OnRecord | None = None) -> None:
        self.inner = inner
        self.platform: Platform = inner.platform
        self.limits: ConnectorLimits = inner.limits
        self.records: list[DryRunRecord] = []
        self._on_record = on_record

    @property
    def tokens(self) -> TokenSet | None:
        return self.inner.tokens

    @property
    def api_calls(self) -> int:
        return self.inner.api_calls

    @property
    def recorded_requests(self) -> list[RecordedRequest]:
        return [r for record in self.records for r in record.requests]

    async def _record(self, operation: str, requests: Sequence[ApiRequest]) -> None:
        record = DryRunRecord(self.platform, operation, tuple(self.inner.render(r) for r in requests))
        self.records.append(record)
        if self._on_record is not None:
            await self._on_record(record)

    async def _record_batch(
        self, operation: str, plan: BatchPlan, keys: Sequence[VariantKey]
    ) -> list[ItemResult]:
        await self._record(operation, [call.request for call in plan.calls])
        rejected = {(r.item_id, r.variant_id): replace(r, dry_run=True) for r in plan.rejected}
        return [rejected.get(key) or ItemResult(key[0], key[1], ok=True, dry_run=True) for key in keys]

    # -- reads pass through -----------------------------------------------------------------------

    def authorization_url(self, state: str, redirect_url: str) -> str:
        return self.inner.authorization_url(state, redirect_url)

    async def exchange_code(self, code: str, params: Mapping[str, str]) -> TokenSet:
        return await self.inner.exchange_code(code, params)

    async def refresh(self, tokens: TokenSet) -> TokenSet:
        return await self.inner.refresh(tokens)

    async def shop_info(self) -> ShopInfo:
        return await self.inner.shop_info()

    def list_products(self, updated_since: datetime | None = None) -> AsyncIterator[ProductDTO]:
        return self.inner.list_products(updated_since)

    async def get_products(
        self, ids: Sequence[str], skus: Mapping[str, str] | None = None
    ) -> list[ProductDTO]:
        return await self.inner.get_products(ids, skus)

    def list_orders(self, since: datetime, until: datetime | None = None) -> AsyncIterator[OrderRef]:
        return self.inner.list_orders(since, until)

    async def get_orders(self, ids: Sequence[str]) -> list[OrderDTO]:
        return await self.inner.get_orders(ids)

    def verify_webhook(self, url: str, headers: Mapping[str, str], raw_body: bytes) -> bool:
        return self.inner.verify_webhook(url, headers, raw_body)

    def parse_webhook(self, raw_body: bytes) -> WebhookEvent:
        return self.inner.parse_webhook(raw_body)

    # -- writes are recorded ----------------------------------------------------------------------

    # Reference data is read for real; an image upload is sent too: it changes no listing, and what a
    # dry run shows (a create naming the image) needs the platform's id for it.

    async def categories(self) -> list[CategoryDTO]:
        return await self.inner.categories()

    async def review_states(self, item_ids: Sequence[str]) -> list[ReviewDTO]:
        return await self.inner.review_states(item_ids)

    async def category_attributes(self, category_id: str) -> list[AttributeDTO]:
        return await self.inner.category_attributes(category_id)

    async def brands(self, category_id: str) -> BrandList:
        return await self.inner.brands(category_id)

    async def logistics_channels(self) -> list[LogisticsChannelDTO]:
        return await self.inner.logistics_channels()

    async def category_limits(self, category_id: str) -> CategoryLimits | None:
        return await self.inner.category_limits(category_id)

    async def upload_image(self, content: bytes, filename: str) -> UploadedImage:
        return await self.inner.upload_image(content, filename)

    async def upload_images(self, images: Sequence[tuple[bytes, str]]) -> list[ImageUploadResult]:
        return await self.inner.upload_images(images)

    async def create_product(self, draft: ProductDraft) -> WriteResult:
        await self._record("create_product", await self.inner.plan_create_product(draft))
        return WriteResult(ok=True, external_id=None, dry_run=True)

    async def update_product(self, update: ProductUpdate) -> WriteResult:
        await self._record("update_product", await self.inner.plan_update_product(update))
        return WriteResult(ok=True, external_id=update.item_id, dry_run=True)

    async def update_prices(self, updates: Sequence[PriceUpdate]) -> list[ItemResult]:
        plan = await self.inner.plan_update_prices(updates)
        return await self._record_batch("update_prices", plan, [(u.item_id, u.variant_id) for u in updates])

    async def update_stock(self, updates: Sequence[StockUpdate]) -> list[ItemResult]:
        plan = await self.inner.plan_update_stock(updates)
        return await self._record_batch("update_stock", plan, [(u.item_id, u.variant_id) for u in updates])

    async def ship_order(self, order_id: str, request: ShipRequest) -> WriteResult:
        await self._record("ship_order", await self.inner.plan_ship_order(order_id, request))
        return WriteResult(ok=True, external_id=order_id, dry_run=True)

    async def cancel_order(
        self, order_id: str, reason: CancelReason, lines: Sequence[CancelLine] = ()
    ) -> WriteResult:
        await self._record("cancel_order", await self.inner.plan_cancel_order(order_id, reason, lines))
        return WriteResult(ok=True, external_id=order_id, dry_run=True)

    # -- planning passes through (a recorder is itself plannable) --------------------------------

    async def plan_create_product(self, draft: ProductDraft) -> list[ApiRequest]:
        return await self.inner.plan_create_product(draft)

    async def plan_update_product(self, update: ProductUpdate) -> list[ApiRequest]:
        return await self.inner.plan_update_product(update)

    async def plan_update_prices(self, updates: Sequence[PriceUpdate]) -> BatchPlan:
        return await self.inner.plan_update_prices(updates)

    async def plan_update_stock(self, updates: Sequence[StockUpdate]) -> BatchPlan:
        return await self.inner.plan_update_stock(updates)

    async def plan_ship_order(self, order_id: str, request: ShipRequest) -> list[ApiRequest]:
        return await self.inner.plan_ship_order(order_id, request)

    async def plan_cancel_order(
        self, order_id: str, reason: CancelReason, lines: Sequence[CancelLine] = ()
    ) -> list[ApiRequest]:
        return await self.inner.plan_cancel_order(order_id, reason, lines)

    def render(self, request: ApiRequest) -> RecordedRequest:
        return self.inner.render(request)
