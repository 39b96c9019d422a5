"""``MarketplaceConnector`` for Shopee Open Platform v2 (shopee-tiktokshop.md Part A)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aiostore.connectors import batching, dtos
from aiostore.connectors.errors import InvalidRequest, UnexpectedResponse
from aiostore.connectors.planned import find_header
from aiostore.connectors.shopee import mapping, order_mapping, reference, review, webhooks
from aiostore.connectors.shopee.client import ShopeeClient
from aiostore.connectors.shopee.errors import PLATFORM
from aiostore.connectors.shopee.writes import ShopeeWrites
from aiostore.connectors.transport import Wiring
from aiostore.domain.platforms import Platform
from aiostore.domain.rules.category import CategoryLimits
from aiostore.domain.rules.loader import price_bounds
from aiostore.http.client import ApiRequest, JSONObject

P = "/api/v2"

# Shopee publishes no rate limit (§A7): 100 req/s per shop with bursts of 20 is our assumption, the same
# as the sandbox's default, and error_rate_limit answers are retried after a back-off.
SHOPEE_LIMITS = dtos.ConnectorLimits(
    product_page=100,
    product_detail_batch=50,
    variant_batch=1,  # get_model_list reads one item's models
    stock_batch=50,
    stock_items_per_call=1,
    price_batch=50,
    price_items_per_call=1,
    order_page=100,
    order_detail_batch=50,
    order_window=timedelta(days=15),
    rate_per_second=100.0,
    burst=20,
    concurrency=8,
    access_token_ttl=timedelta(hours=4),
    refresh_margin=timedelta(minutes=10),
    stock_counts_reserved=True,  # "Stock must be ≥ reserved stock" (shopee-tiktokshop.md §A4)
    # Reserved until shipment is arranged; from PROCESSED on the units have left the seller stock.
    stock_held_statuses=frozenset({"unpaid", "ready_to_ship", "in_cancel", "invoice_pending", "pending"}),
    # None published for any market (a shop reads its own: get_item_limit); the rules file's sample
    # bounds are marked so (domain/rules/data/shopee.toml), which leaves this empty.
    price_bounds=price_bounds("shopee"),
    image_upload_batch=8,  # media_space/upload_image: "< 9 per call" (docs/marketplaces/shopee.md)
)


class ShopeeConnector(ShopeeWrites):
    platform = Platform("shopee")
    client: ShopeeClient

    default_limits = SHOPEE_LIMITS

    def _client(self, wiring: Wiring) -> ShopeeClient:
        return ShopeeClient(
            wiring,
            base_url=self.app.base_url,
            partner_id=self.app.app_key,
            partner_key=self.app.app_secret,
            shop_id=self.shop_id,
            access_token=lambda: self.keeper.access_token,
        )

    async def _shop(self, request: ApiRequest) -> JSONObject:
        """A Shop API call: fresh token first, one refresh-and-repeat on an auth error."""
        return await self.keeper.run(lambda: self.client.call(request))

    async def _send(self, request: ApiRequest) -> JSONObject:
        return await self.keeper.run(lambda: self.client.response(request))

    # -- authorization --------------------------------------------------------------------------

    def authorization_url(self, state: str, redirect_url: str) -> str:
        """auth_partner link; ``state`` rides in the redirect URL (Shopee has no state parameter)."""
        parts = urlsplit(redirect_url)
        query = [*parse_qsl(parts.query, keep_blank_values=True), ("state", state)]
        return self.client.auth_partner_url(urlunsplit(parts._replace(query=urlencode(query))))

    async def exchange_code(self, code: str, params: Mapping[str, str]) -> dtos.TokenSet:
        body: dict[str, object] = {"code": code, "partner_id": int(self.app.app_key)}
        shop_id = params.get("shop_id")
        if shop_id:
            body["shop_id"] = int(shop_id)
        elif params.get("main_account_id"):
            body["main_account_id"] = int(params["main_account_id"])
        else:
            raise InvalidRequest(
                "the callback carries neither shop_id nor main_account_id", platform=PLATFORM
            )
        envelope = await self.client.call(
            ApiRequest("POST", f"{P}/auth/token/get", body=body, op="auth.token_get", auth="public")
        )
        tokens = mapping.token_set(envelope, self.keeper.now(), shop_id=shop_id)
        if self.shop_id is None and tokens.shop_id:
            self.shop_id = self.client.shop_id = tokens.shop_id
        if tokens.shop_id == self.shop_id:
            await self.keeper.replace(tokens)
        return tokens

    async def _refreshed_tokens(self, tokens: dtos.TokenSet) -> dtos.TokenSet:
        body: dict[str, object] = {"refresh_token": tokens.refresh_token, "partner_id": int(self.app.app_key)}
        if tokens.shop_id:
            body["shop_id"] = int(tokens.shop_id)
        elif tokens.merchant_ids:
            body["merchant_id"] = int(tokens.merchant_ids[0])
        else:
            raise InvalidRequest("these tokens name no shop or merchant to refresh for", platform=PLATFORM)
        envelope = await self.client.call(
            ApiRequest(
                "POST",
                f"{P}/auth/access_token/get",
                body=body,
                op="auth.access_token_get",
                auth="public",
                safe_to_repeat=False,  # a refresh token is single-use
            )
        )
        fresh = mapping.token_set(envelope, self.keeper.now(), shop_id=tokens.shop_id)
        return dtos.TokenSet(
            access_token=fresh.access_token,
            refresh_token=fresh.refresh_token,
            access_expires_at=fresh.access_expires_at,
            refresh_expires_at=fresh.refresh_expires_at,
            shop_id=fresh.shop_id or tokens.shop_id,
            shop_ids=fresh.shop_ids or tokens.shop_ids,
            merchant_ids=fresh.merchant_ids or tokens.merchant_ids,
            external_ids=tokens.external_ids,
        )

    async def shop_info(self) -> dtos.ShopInfo:
        body = await self._shop(
            ApiRequest("GET", f"{P}/shop/get_shop_info", op="shop.get_shop_info", safe_to_repeat=True)
        )
        info = mapping.shop_info(body, self.shop_id or "")
        if self.market is None:
            self.market = info.market
        return info

    # -- reference data -------------------------------------------------------------------------

    async def categories(self) -> list[dtos.CategoryDTO]:
        return await reference.categories(self._send, self.market)

    async def category_attributes(self, category_id: str) -> list[dtos.AttributeDTO]:
        return await reference.category_attributes(self._send, category_id)

    async def brands(self, category_id: str) -> dtos.BrandList:
        return await reference.brands(self._send, category_id)

    async def logistics_channels(self) -> list[dtos.LogisticsChannelDTO]:
        return await reference.logistics_channels(self._send)

    async def category_limits(self, category_id: str) -> CategoryLimits | None:
        return await reference.item_limit(self._send, category_id)

    async def upload_image(self, content: bytes, filename: str) -> dtos.UploadedImage:
        return reference.uploaded(await self._send(reference.upload_request(((content, filename),))))

    async def upload_images(self, images: Sequence[tuple[bytes, str]]) -> list[dtos.ImageUploadResult]:
        """Several `image` parts in one media_space/upload_image call (at most image_upload_batch)."""
        if not 0 < len(images) <= self.limits.image_upload_batch:
            raise ValueError(
                f"upload_image takes 1 to {self.limits.image_upload_batch} images, not {len(images)}"
            )
        return reference.uploaded_list(await self._send(reference.upload_request(images)), len(images))

    async def review_states(self, item_ids: Sequence[str]) -> list[dtos.ReviewDTO]:
        return await review.review_states(self._send, item_ids)

    # -- products -------------------------------------------------------------------------------

    async def _item_id_pages(self, updated_since: datetime | None) -> AsyncIterator[list[str]]:
        offset = 0
        while True:
            params: list[tuple[str, str]] = [
                ("offset", str(offset)),
                ("page_size", str(self.limits.product_page)),
            ]
            params += [("item_status", s) for s in mapping.ITEM_STATUSES]
            if updated_since is not None:
                params += [
                    ("update_time_from", str(mapping.to_epoch(updated_since))),
                    ("update_time_to", str(mapping.to_epoch(self.keeper.now()))),
                ]
            page = await self._send(
                ApiRequest(
                    "GET",
                    f"{P}/product/get_item_list",
                    tuple(params),
                    op="product.get_item_list",
                    safe_to_repeat=True,
                )
            )
            yield [str(entry["item_id"]) for entry in page.get("item") or ()]
            if not page.get("has_next_page"):
                return
            next_offset = int(page.get("next_offset") or 0)
            if next_offset <= offset:
                raise UnexpectedResponse(
                    f"get_item_list: next_offset {next_offset} after {offset}", platform=PLATFORM
                )
            offset = next_offset

    async def list_products(self, updated_since: datetime | None = None) -> AsyncIterator[dtos.ProductDTO]:
        seen: set[str] = set()
        pending: list[str] = []
        batch = self.limits.product_detail_batch
        async for ids in self._item_id_pages(updated_since):
            for item_id in ids:
                if item_id not in seen:
                    seen.add(item_id)
                    pending.append(item_id)
            while len(pending) >= batch:
                chunk, pending = pending[:batch], pending[batch:]
                for product in await self.get_products(chunk):
                    yield product
        if pending:
            for product in await self.get_products(pending):
                yield product

    async def get_products(
        self, ids: Sequence[str], skus: Mapping[str, str] | None = None
    ) -> list[dtos.ProductDTO]:
        bases: list[JSONObject] = []
        for chunk in batching.chunks(dict.fromkeys(ids), self.limits.product_detail_batch):
            answer = await self._send(
                ApiRequest(
                    "GET",
                    f"{P}/product/get_item_base_info",
                    (("item_id_list", ",".join(chunk)),),
                    op="product.get_item_base_info",
                    safe_to_repeat=True,
                )
            )
            bases.extend(answer.get("item_list") or ())
        with_models = [str(b["item_id"]) for b in bases if b.get("has_model")]
        models = await batching.gather_bounded(
            [partial(self._models, item_id) for item_id in with_models], self.limits.concurrency
        )
        by_item = dict(zip(with_models, models, strict=True))
        return [mapping.product(b, by_item.get(str(b["item_id"])), self.currency) for b in bases]

    async def _models(self, item_id: str) -> JSONObject:
        return await self._send(
            ApiRequest(
                "GET",
                f"{P}/product/get_model_list",
                (("item_id", item_id),),
                op="product.get_model_list",
                safe_to_repeat=True,
            )
        )

    # -- orders ---------------------------------------------------------------------------------

    async def list_orders(
        self, since: datetime, until: datetime | None = None
    ) -> AsyncIterator[dtos.OrderRef]:
        start = mapping.to_epoch(since)
        end = mapping.to_epoch(until or self.keeper.now())
        window = int((self.limits.order_window or timedelta(days=15)).total_seconds())
        seen: set[str] = set()
        while start <= end:
            stop = min(start + window, end)
            cursor = ""
            while True:
                page = await self._send(
                    ApiRequest(
                        "GET",
                        f"{P}/order/get_order_list",
                        (
                            ("time_range_field", "update_time"),
                            ("time_from", str(start)),
                            ("time_to", str(stop)),
                            ("page_size", str(self.limits.order_page)),
                            ("cursor", cursor),
                            ("response_optional_fields", "order_status"),
                        ),
                        op="order.get_order_list",
                        safe_to_repeat=True,
                    )
                )
                for entry in page.get("order_list") or ():
                    ref = order_mapping.order_ref(entry)
                    if ref.order_id not in seen:
                        seen.add(ref.order_id)
                        yield ref
                next_cursor = str(page.get("next_cursor") or "")
                if not page.get("more") or not next_cursor or next_cursor == cursor:
                    break
                cursor = next_cursor
            if stop >= end:
                break
            start = stop  # windows share their edge second: nothing falls between two of them

    async def get_orders(self, ids: Sequence[str]) -> list[dtos.OrderDTO]:
        fields = ",".join(order_mapping.DETAIL_FIELDS)

        async def detail(chunk: list[str]) -> list[dtos.OrderDTO]:
            answer = await self._send(
                ApiRequest(
                    "GET",
                    f"{P}/order/get_order_detail",
                    (("order_sn_list", ",".join(chunk)), ("response_optional_fields", fields)),
                    op="order.get_order_detail",
                    safe_to_repeat=True,
                )
            )
            return [order_mapping.order(o, self.currency) for o in answer.get("order_list") or ()]

        chunks = list(batching.chunks(dict.fromkeys(ids), self.limits.order_detail_batch))
        pages = await batching.gather_bounded([partial(detail, c) for c in chunks], self.limits.concurrency)
        return [o for page in pages for o in page]

    # -- webhooks -------------------------------------------------------------------------------

    def verify_webhook(self, url: str, headers: Mapping[str, str], raw_body: bytes) -> bool:
        return self.client.verify_push(url, raw_body, find_header(headers, "authorization"))

    def parse_webhook(self, raw_body: bytes) -> dtos.WebhookEvent:
        return webhooks.parse_push(raw_body)
