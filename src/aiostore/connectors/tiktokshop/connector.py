"""``MarketplaceConnector`` for the TikTok Shop Partner API, 202309+ (shopee-tiktokshop.md Part B)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

from aiostore.connectors import batching, dtos
from aiostore.connectors.errors import AuthExpired, NotFound, Refused, UnexpectedResponse
from aiostore.connectors.tiktokshop import mapping, order_mapping, paths, reference, review, signing, webhooks
from aiostore.connectors.tiktokshop.client import SELLER, TikTokShopClient
from aiostore.connectors.tiktokshop.writes import TikTokShopWrites
from aiostore.connectors.transport import Wiring
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform
from aiostore.domain.rules.category import CategoryLimits
from aiostore.domain.rules.loader import price_bounds
from aiostore.http.client import ApiRequest, JSONObject

DEFAULT_AUTH_HOST = "https://auth.tiktok-shops.com"

# TikTok publishes no rate limit for these markets (§B7): 40 req/s per shop with bursts of 20 is our
# assumption, under the sandbox's default (50/s, burst 50); rate-limit answers are retried after a back-off.
TIKTOKSHOP_LIMITS = dtos.ConnectorLimits(
    product_page=100,
    product_detail_batch=1,  # Get Product reads one product
    variant_batch=None,  # SKUs come inline with the product
    stock_batch=100,  # a product has at most 100 SKUs; inventory/update takes all of one product's
    stock_items_per_call=1,
    price_batch=100,
    price_items_per_call=1,
    order_page=100,
    order_detail_batch=50,
    order_window=None,  # no documented window for Get Order List
    rate_per_second=40.0,
    burst=20,
    concurrency=8,
    access_token_ttl=timedelta(days=7),
    refresh_margin=timedelta(hours=1),
    # listings-and-categories.md A2, pre-tax local price: ID 100-100,000,000 IDR, MY 0.01-320,000 MYR,
    # SG 0.01-10,000 SGD, written once in domain/rules/data/tiktokshop.toml.
    price_bounds=price_bounds("tiktokshop"),
)


class TikTokShopConnector(TikTokShopWrites):
    platform = Platform("tiktokshop")

    client: TikTokShopClient
    default_limits = TIKTOKSHOP_LIMITS

    def _setup(self, tokens: dtos.TokenSet | None, market: MarketCode | None) -> MarketCode | None:
        self.sku_warehouses: dict[str, str] = {}  # SKU id -> warehouse id, learnt from reads
        self._cipher = _cipher_of(tokens, self.shop_id)
        return market

    def _client(self, wiring: Wiring) -> TikTokShopClient:
        return TikTokShopClient(
            wiring,
            base_url=self.app.base_url,
            auth_base_url=self.app.auth_base_url or DEFAULT_AUTH_HOST,
            app_key=self.app.app_key,
            app_secret=self.app.app_secret,
            platform=self.platform.value,
            access_token=lambda: self.keeper.access_token,
            shop_cipher=lambda: self._cipher,
        )

    # -- calling --------------------------------------------------------------------------------

    async def _authorized_shops(self) -> list[mapping.JSON]:
        request = ApiRequest(
            "GET", paths.AUTHORIZED_SHOPS, op="authorization.shops", auth=SELLER, safe_to_repeat=True
        )
        return mapping.shops(await self.keeper.run(lambda: self.client.data(request)))

    async def _ensure_cipher(self) -> None:
        """The acting shop's ``shop_cipher``: from the stored tokens, else from Get Authorized Shops."""
        if self._cipher:
            return
        if not self.shop_id:
            raise AuthExpired("no shop authorized for this connector", platform=self.platform.value)
        shop = mapping.choose_shop(await self._authorized_shops(), self.shop_id, None)
        if shop is None or not shop.get("cipher"):
            raise AuthExpired(
                f"shop {self.shop_id} is not among the shops this authorization covers",
                platform=self.platform.value,
            )
        self._cipher = str(shop["cipher"])

    async def _send(self, request: ApiRequest) -> JSONObject:
        """A shop call's ``data``: cipher known, fresh token, refresh and repeat once on an auth error."""
        await self._ensure_cipher()
        return await self.keeper.run(lambda: self.client.data(request))

    # -- authorization --------------------------------------------------------------------------

    def authorization_url(self, state: str, redirect_url: str) -> str:
        """The seller's authorization page. TikTok redirects to the URL registered for the app in Partner
        Center (``redirect_url`` must be that one), with ``code`` and ``state``."""
        return signing.authorize_url(
            state=state,
            service_id=self.app.extra.get("service_id"),
            app_key=self.app.app_key,
            services_base=self.app.extra.get("authorize_base_url", signing.SERVICES_HOST),
            legacy_base=self.client.auth_base_url,
        )

    async def exchange_code(self, code: str, params: Mapping[str, str]) -> dtos.TokenSet:
        request = self.client.token_request(
            paths.TOKEN_GET, (("auth_code", code), ("grant_type", "authorized_code")), "auth.token_get"
        )
        fresh = mapping.token_set(await self.client.data(request))
        listed = ApiRequest(
            "GET", paths.AUTHORIZED_SHOPS, op="authorization.shops", auth=SELLER, safe_to_repeat=True
        )
        found = mapping.shops(await self.client.data_with_token(listed, fresh.access_token))
        shop = mapping.choose_shop(found, self.shop_id or params.get("shop_id"), self.market)
        if shop is None:
            wanted = self.shop_id or params.get("shop_id")
            what = f"shop {wanted}" if wanted else "any shop"
            raise Refused(f"this authorization does not cover {what}", platform=self.platform.value)
        tokens = replace(
            fresh,
            shop_id=str(shop["id"]),
            shop_ids=tuple(str(s["id"]) for s in found),
            external_ids={
                **fresh.external_ids,
                mapping.CIPHER: str(shop.get("cipher") or ""),
                **mapping.ciphers(found),
            },
        )
        if self.shop_id is None:
            self.shop_id = tokens.shop_id
        if tokens.shop_id == self.shop_id:
            self._cipher = tokens.external_ids[mapping.CIPHER] or None
            await self.keeper.replace(tokens)
        return tokens

    async def _refreshed_tokens(self, tokens: dtos.TokenSet) -> dtos.TokenSet:
        request = self.client.token_request(
            paths.TOKEN_REFRESH,
            (("refresh_token", tokens.refresh_token), ("grant_type", "refresh_token")),
            "auth.token_refresh",
        )
        fresh = mapping.token_set(await self.client.data(request))
        return replace(
            fresh,
            refresh_expires_at=fresh.refresh_expires_at or tokens.refresh_expires_at,
            shop_id=tokens.shop_id,
            shop_ids=tokens.shop_ids,
            merchant_ids=tokens.merchant_ids,
            external_ids={**tokens.external_ids, **fresh.external_ids},
        )

    async def shop_info(self) -> dtos.ShopInfo:
        shop = mapping.choose_shop(await self._authorized_shops(), self.shop_id, self.market)
        if shop is None:
            raise NotFound(
                f"shop {self.shop_id} is not among the authorized shops", platform=self.platform.value
            )
        if shop.get("cipher"):
            self._cipher = str(shop["cipher"])
        tokens = self.keeper.tokens
        info = mapping.shop_info(shop, tokens.refresh_expires_at if tokens else None)
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

    async def category_limits(self, category_id: str) -> CategoryLimits | None:
        return await reference.category_rules(self._send, category_id)

    async def logistics_channels(self) -> list[dtos.LogisticsChannelDTO]:
        """The delivery options of the shop's default sales warehouse (§C)."""
        warehouse_id = await self._default_warehouse()
        if warehouse_id is None:
            return []
        request = ApiRequest(
            "GET", paths.delivery_options(warehouse_id), op="logistics.delivery_options", safe_to_repeat=True
        )
        return reference.delivery_options(await self._send(request))

    async def upload_image(self, content: bytes, filename: str) -> dtos.UploadedImage:
        return reference.uploaded(await self._send(reference.upload_request(content, filename)))

    # -- products -------------------------------------------------------------------------------

    def _learn_warehouses(self, entry: mapping.JSON) -> None:
        for sku in entry.get("skus") or ():
            warehouses = {str(i["warehouse_id"]) for i in sku.get("inventory") or () if i.get("warehouse_id")}
            if len(warehouses) == 1 and sku.get("id"):
                self.sku_warehouses[str(sku["id"])] = warehouses.pop()

    async def list_products(self, updated_since: datetime | None = None) -> AsyncIterator[dtos.ProductDTO]:
        body: dict[str, object] = {"status": "ALL"}
        if updated_since is not None:
            body["update_time_ge"] = mapping.to_epoch(updated_since)
            body["update_time_le"] = mapping.to_epoch(self.keeper.now())
        seen: set[str] = set()
        token = ""
        while True:
            params = [("page_size", str(self.limits.product_page))] + (
                [("page_token", token)] if token else []
            )
            data = await self._send(
                ApiRequest(
                    "POST",
                    paths.PRODUCT_SEARCH,
                    tuple(params),
                    body=body,
                    op="product.search",
                    safe_to_repeat=True,
                )
            )
            for entry in data.get("products") or ():
                self._learn_warehouses(entry)
                found = mapping.product(entry, self.currency)
                if found.item_id not in seen:
                    seen.add(found.item_id)
                    yield found
            next_token = str(data.get("next_page_token") or "")
            if not next_token:
                return
            if next_token == token:
                raise UnexpectedResponse(
                    "products/search repeated its page token", platform=self.platform.value
                )
            token = next_token

    async def _detail(self, product_id: str) -> mapping.JSON | None:
        try:
            data = await self._send(
                ApiRequest("GET", paths.product(product_id), op="product.get", safe_to_repeat=True)
            )
        except NotFound:
            return None
        self._learn_warehouses(data)
        return data

    async def _details(self, ids: Sequence[str]) -> list[tuple[str, mapping.JSON]]:
        unique = list(dict.fromkeys(ids))
        thunks = [partial(self._detail, product_id) for product_id in unique]
        found = await batching.gather_bounded(thunks, self.limits.concurrency)
        return [(i, d) for i, d in zip(unique, found, strict=True) if d is not None]

    async def get_products(
        self, ids: Sequence[str], skus: Mapping[str, str] | None = None
    ) -> list[dtos.ProductDTO]:
        return [mapping.product(data, self.currency) for _, data in await self._details(ids)]

    async def review_states(self, item_ids: Sequence[str]) -> list[dtos.ReviewDTO]:
        found = [review.review(i, data) for i, data in await self._details(item_ids)]
        return [r for r in found if r is not None]

    # -- orders ---------------------------------------------------------------------------------

    async def _returns(self, orders: Sequence[mapping.JSON]) -> dict[str, list[mapping.JSON]]:
        """Returns of the orders whose goods may have come back, by order id (one search per 50 orders)."""
        wanted = [str(o["id"]) for o in orders if o.get("status") in order_mapping.MAY_BE_RETURNED]
        found: dict[str, list[mapping.JSON]] = {}
        for chunk in batching.chunks(wanted, self.limits.order_detail_batch):
            token = ""
            while True:
                params = [("page_size", str(self.limits.order_detail_batch))] + (
                    [("page_token", token)] if token else []
                )
                data = await self._send(
                    ApiRequest(
                        "POST",
                        paths.RETURN_SEARCH,
                        tuple(params),
                        body={"order_ids": chunk},
                        op="return_refund.returns_search",
                        safe_to_repeat=True,
                    )
                )
                for entry in data.get("return_orders") or ():
                    found.setdefault(str(entry.get("order_id")), []).append(entry)
                next_token = str(data.get("next_page_token") or "")
                if not next_token or next_token == token:
                    break
                token = next_token
        return found

    async def _orders(self, raw: Sequence[mapping.JSON]) -> list[dtos.OrderDTO]:
        returns = await self._returns(raw)
        return [order_mapping.order(o, self.currency, returns.get(str(o.get("id")), ())) for o in raw]

    async def list_orders(
        self, since: datetime, until: datetime | None = None
    ) -> AsyncIterator[dtos.OrderRef]:
        end = mapping.to_epoch(until or self.keeper.now())
        body = {"update_time_ge": mapping.to_epoch(since), "update_time_lt": end + 1}  # [since, until]
        seen: set[str] = set()
        token = ""
        while True:
            params = [
                ("page_size", str(self.limits.order_page)),
                ("sort_field", "update_time"),
                ("sort_order", "ASC"),
            ] + ([("page_token", token)] if token else [])
            data = await self._send(
                ApiRequest(
                    "POST",
                    paths.ORDER_SEARCH,
                    tuple(params),
                    body=body,
                    op="order.search",
                    safe_to_repeat=True,
                )
            )
            for dto in await self._orders(data.get("orders") or ()):
                if dto.order_id not in seen:
                    seen.add(dto.order_id)
                    yield order_mapping.order_ref(dto)
            next_token = str(data.get("next_page_token") or "")
            if not next_token:
                return
            if next_token == token:
                raise UnexpectedResponse(
                    "orders/search repeated its page token", platform=self.platform.value
                )
            token = next_token

    async def _order_page(self, chunk: list[str]) -> list[mapping.JSON]:
        data = await self._send(
            ApiRequest(
                "GET", paths.ORDER_DETAIL, (("ids", ",".join(chunk)),), op="order.detail", safe_to_repeat=True
            )
        )
        return list(data.get("orders") or ())

    async def _order_json(self, order_id: str) -> JSONObject:
        found = await self._order_page([order_id])
        if not found:
            raise NotFound(f"order {order_id} not found", platform=self.platform.value)
        return dict(found[0])

    async def get_orders(self, ids: Sequence[str]) -> list[dtos.OrderDTO]:
        chunks = list(batching.chunks(dict.fromkeys(ids), self.limits.order_detail_batch))
        pages = await batching.gather_bounded(
            [partial(self._order_page, c) for c in chunks], self.limits.concurrency
        )
        return await self._orders([o for page in pages for o in page])

    # -- writes: see writes.py ------------------------------------------------------------------

    # -- webhooks -------------------------------------------------------------------------------

    def verify_webhook(self, url: str, headers: Mapping[str, str], raw_body: bytes) -> bool:
        """TikTok signs app_key + body (not the URL); ``url`` is accepted for the shared interface."""
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        return self.client.verify_push(raw_body, authorization)

    def parse_webhook(self, raw_body: bytes) -> dtos.WebhookEvent:
        return webhooks.parse_push(raw_body, platform=self.platform)


def _cipher_of(tokens: dtos.TokenSet | None, shop_id: str | None) -> str | None:
    if tokens is None:
        return None
    external = tokens.external_ids
    if shop_id and external.get(f"{mapping.CIPHER_OF}{shop_id}"):
        return external[f"{mapping.CIPHER_OF}{shop_id}"]
    if tokens.shop_id in (None, shop_id):
        return external.get(mapping.CIPHER) or None
    return None
