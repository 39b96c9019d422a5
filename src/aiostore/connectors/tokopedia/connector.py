"""``MarketplaceConnector`` for Tokopedia's seller API, the Fulfillment Service (FS) API (lazada-tokopedia.md
Part B; docs/marketplaces/tokopedia.md for every choice made where the documentation is silent).

Authorization is app-level: a client-credentials token (Basic auth on the accounts host) authorizes the
app (``fs_id``) for every shop whose seller approved it. There is no per-shop OAuth and no refresh token:
``authorization_url`` sends the seller to an approval page on the accounts host, ``exchange_code`` takes
the approved ``shop_id`` from the callback, fetches the app token and checks the shop is linked to the
``fs_id`` (``403 RBAC_MDLW_001`` otherwise); ``refresh`` asks for a token again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlencode

from aiostore.connectors import batching, dtos
from aiostore.connectors.errors import FieldError, InvalidRequest, NotFound, Refused
from aiostore.connectors.planned import find_header
from aiostore.connectors.tokens import TokenKeeper
from aiostore.connectors.tokopedia import mapping, order_mapping, reference, review, signing, webhooks
from aiostore.connectors.tokopedia.client import BASIC, TokopediaClient
from aiostore.connectors.tokopedia.errors import PLATFORM
from aiostore.connectors.tokopedia.writes import TokopediaWrites
from aiostore.connectors.transport import Wiring
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform
from aiostore.domain.rules.loader import price_bounds
from aiostore.http.client import ApiRequest, JSONObject

ACCOUNTS_URL = "https://accounts.tokopedia.com"
LAST_SORT_AFTER = 10_000  # "last_sort ... is required when the product exceeds 10.000 products"

TOKOPEDIA_LIMITS = dtos.ConnectorLimits(
    product_page=50,  # "Maximum items are 50 for 1 page"
    product_detail_batch=50,  # product ids per product/info call (several allowed; no maximum published)
    variant_batch=None,  # variant children are product rows of the listing itself
    stock_batch=100,  # "up to 100 products or SKUs in a single request"
    stock_items_per_call=None,
    price_batch=100,
    price_items_per_call=None,
    order_page=100,  # per_page "Max Value is 100"
    order_detail_batch=1,  # Get Single Order: one order per call
    order_window=timedelta(days=3),  # commonly cited, unverified: see docs/marketplaces/tokopedia.md
    rate_per_second=5.0,  # X-Ratelimit-Limit "5 req/s (burst 5)" in the Rate Limit page's example
    burst=5,
    concurrency=5,
    access_token_ttl=timedelta(days=14),  # news 2021-10-22: "valid for 2 weeks"; expires_in rules
    refresh_margin=timedelta(minutes=10),
    stock_counts_reserved=False,  # a paid order's units leave the stock at once
    price_bounds=price_bounds("tokopedia"),  # whole rupiah (A4), written in domain/rules/data/tokopedia.toml
)


def check_market(market: MarketCode | None) -> None:
    if market is not None and market is not MarketCode.ID:
        raise InvalidRequest(
            f"Tokopedia serves sellers in ID only, not {market.value}",
            field_errors=(FieldError("market", "Tokopedia serves sellers in ID only", "market_not_served"),),
            platform=PLATFORM,
        )


class AppTokenKeeper(TokenKeeper):
    """Tokopedia issues a new app token only once the previous one has expired; asked earlier it hands back
    the same token. Once it has, ask again only when that token has expired (or is refused)."""

    held: str | None = None

    async def ensure_fresh(self) -> None:
        tokens = self.tokens
        if tokens is not None and tokens.access_token == self.held and tokens.access_expires_at > self.now():
            return
        await super().ensure_fresh()


class TokopediaConnector(TokopediaWrites):
    platform = Platform("tokopedia")
    last_sort_after = LAST_SORT_AFTER  # rows listed by page number before last_sort is needed

    client: TokopediaClient
    keeper: AppTokenKeeper
    default_limits = TOKOPEDIA_LIMITS
    keeper_class = AppTokenKeeper
    token_identity = "access_token"  # noqa: S105 - an app token has no refresh token

    def _setup(self, tokens: dtos.TokenSet | None, market: MarketCode | None) -> MarketCode | None:
        check_market(market)
        fs_id = str(self.app.extra.get("fs_id") or "")
        if not fs_id.isdigit():
            raise InvalidRequest(
                "Tokopedia needs the app's fs_id (AppCredentials.extra['fs_id'])", platform=PLATFORM
            )
        self.fs_id = fs_id
        self.auth_base_url = (self.app.auth_base_url or ACCOUNTS_URL).rstrip("/")
        return market

    def _limiter_key(self) -> str:
        return f"{PLATFORM}:fs:{self.fs_id}"  # the FS API authorizes the app: its quota is the app's

    def _client(self, wiring: Wiring) -> TokopediaClient:
        self._sleep = wiring.policy.retry.sleep  # upload polls wait as the retries do
        return TokopediaClient(
            wiring,
            base_url=self.app.base_url,
            auth_base_url=self.auth_base_url,
            client_id=self.app.app_key,
            client_secret=self.app.app_secret,
            fs_id=self.fs_id,
            access_token=lambda: self.keeper.access_token,
        )

    def _shop_param(self) -> tuple[str, str]:
        if not self.shop_id:
            raise InvalidRequest(
                "no shop: this call needs the shop_id the seller approved", platform=PLATFORM
            )
        return ("shop_id", self.shop_id)

    async def _send(self, request: ApiRequest) -> JSONObject:
        """An FS API call: an app token first (fetched when none is held), one refresh-and-repeat on 401."""
        if self.keeper.tokens is None:
            await self.keeper.replace(await self._fetch_token(self.shop_id))
        return await self.keeper.run(lambda: self.client.call(request))

    async def _data(self, request: ApiRequest) -> Any:
        return (await self._send(request)).get("data")

    # -- authorization --------------------------------------------------------------------------

    def authorization_url(self, state: str, redirect_url: str) -> str:
        """The page where the seller approves this app (fs_id) for a shop; it redirects back with the
        chosen ``shop_id`` (and a ``code``) to ``redirect_url``."""
        query = urlencode(
            {
                "client_id": self.app.app_key,
                "fs_id": self.fs_id,
                "response_type": "code",
                "redirect_uri": redirect_url,
                "state": state,
            }
        )
        return f"{self.auth_base_url}/authorize?{query}"

    async def _fetch_token(self, shop_id: str | None) -> dtos.TokenSet:
        body = await self.client.call(
            ApiRequest(
                "POST",
                "/token",
                (("grant_type", "client_credentials"),),
                op="auth.token",
                auth=BASIC,
                base_url=self.auth_base_url,
                safe_to_repeat=True,
            )
        )
        return mapping.token_set(body, self.keeper.now(), shop_id=shop_id, fs_id=self.fs_id)

    async def exchange_code(self, code: str, params: Mapping[str, str]) -> dtos.TokenSet:
        """The app token for the approved shop, once the shop is confirmed linked to this fs_id."""
        shop_id = str(params.get("shop_id") or "")
        if not shop_id.isdigit():
            raise InvalidRequest("the callback names no approved shop_id", platform=PLATFORM)
        if self.shop_id not in (None, shop_id):
            raise InvalidRequest(
                f"this connector acts for shop {self.shop_id}, not {shop_id}", platform=PLATFORM
            )
        self.shop_id = shop_id
        tokens = await self._fetch_token(shop_id)
        await self.keeper.replace(tokens)
        await self.shop_info()  # 403 RBAC_MDLW_001 when the seller has not linked the app to this shop
        return tokens

    async def _refreshed_tokens(self, tokens: dtos.TokenSet) -> dtos.TokenSet:
        fresh = await self._fetch_token(tokens.shop_id or self.shop_id)
        if fresh.access_token == tokens.access_token:
            self.keeper.held = fresh.access_token  # not expired yet: the platform handed back the same one
        return dtos.TokenSet(
            access_token=fresh.access_token,
            refresh_token="",
            access_expires_at=fresh.access_expires_at,
            refresh_expires_at=None,
            shop_id=tokens.shop_id or fresh.shop_id,
            shop_ids=tokens.shop_ids or fresh.shop_ids,
            external_ids={**tokens.external_ids, **fresh.external_ids},
        )

    async def shop_info(self) -> dtos.ShopInfo:
        shop = self._shop_param()
        rows = await self._data(
            ApiRequest(
                "GET", f"/v1/shop/fs/{self.fs_id}/shop-info", (shop,), op="shop.info", safe_to_repeat=True
            )
        )
        for row in rows or ():
            if str(row.get("shop_id")) == shop[1]:
                return mapping.shop_info(row)
        raise NotFound(f"shop {shop[1]} is not linked to fs_id {self.fs_id}", platform=PLATFORM)

    # -- reference data -------------------------------------------------------------------------

    async def categories(self) -> list[dtos.CategoryDTO]:
        return await reference.categories(self._data, self.fs_id)

    async def category_attributes(self, category_id: str) -> list[dtos.AttributeDTO]:
        return await reference.category_attributes(self._data, self.fs_id, category_id)

    async def brands(self, category_id: str) -> dtos.BrandList:
        return dtos.BrandList((), None)  # Tokopedia publishes no brand list (§B)

    async def logistics_channels(self) -> list[dtos.LogisticsChannelDTO]:
        return await reference.logistics_channels(self._data, self.fs_id, self._shop_param()[1])

    async def upload_image(self, content: bytes, filename: str) -> dtos.UploadedImage:
        raise Refused("Tokopedia takes picture URLs: it has no image upload", platform=PLATFORM)

    # -- products -------------------------------------------------------------------------------

    def _info(self, params: tuple[tuple[str, str], ...]) -> ApiRequest:
        path = f"/inventory/v1/fs/{self.fs_id}/product/info"
        return ApiRequest("GET", path, params, op="product.info", safe_to_repeat=True)

    async def _rows_by_id(self, ids: Sequence[str]) -> list[Any]:
        async def fetch(chunk: list[str]) -> list[Any]:
            return list(await self._data(self._info((("product_id", ",".join(chunk)),))) or ())

        chunks = list(batching.chunks(dict.fromkeys(ids), self.limits.product_detail_batch))
        pages = await batching.gather_bounded([partial(fetch, c) for c in chunks], self.limits.concurrency)
        return [row for page in pages for row in page]

    async def list_products(self, updated_since: datetime | None = None) -> AsyncIterator[dtos.ProductDTO]:
        """Every product of the shop, each once, with its variants. Tokopedia's listing has no update-time
        filter (nor an update time on its rows), so ``updated_since`` cannot narrow it: all are listed."""
        assembler = mapping.ProductAssembler()
        per_page = self.limits.product_page
        seen: set[str] = set()
        page, last_id = 1, ""
        while True:
            params = [self._shop_param(), ("page", str(page)), ("per_page", str(per_page))]
            if (page - 1) * per_page >= self.last_sort_after and last_id:
                params.append(("last_sort", last_id))
            rows = list(await self._data(self._info(tuple(params))) or ())
            for row in rows:
                pid = mapping.product_id(row)
                if pid not in seen:
                    seen.add(pid)
                    for done in assembler.add(row):
                        yield done
            if len(rows) < per_page:
                break
            last_id, page = mapping.product_id(rows[-1]), page + 1
        missing = assembler.missing()
        if missing:
            for row in await self._rows_by_id(missing):
                for done in assembler.add(row):
                    yield done
        for done in assembler.finish():
            yield done

    async def review_states(self, item_ids: Sequence[str]) -> list[dtos.ReviewDTO]:
        wanted = set(item_ids)
        found = [review.review(row) for row in await self._rows_by_id(item_ids)]
        return [r for r in found if r is not None and r.item_id in wanted]

    async def get_products(
        self, ids: Sequence[str], skus: Mapping[str, str] | None = None
    ) -> list[dtos.ProductDTO]:
        assembler = mapping.ProductAssembler()
        found: dict[str, dtos.ProductDTO] = {}
        for row in await self._rows_by_id(ids):
            found.update((p.item_id, p) for p in assembler.add(row))
        missing = assembler.missing()
        if missing:
            for row in await self._rows_by_id(missing):
                found.update((p.item_id, p) for p in assembler.add(row))
        found.update((p.item_id, p) for p in assembler.finish())
        return [found[i] for i in dict.fromkeys(ids) if i in found]

    # -- orders ---------------------------------------------------------------------------------

    async def list_orders(
        self, since: datetime, until: datetime | None = None
    ) -> AsyncIterator[dtos.OrderRef]:
        """Orders in [since, until] as Get All Orders filters them (by their order time: the rows carry no
        update time), in windows of at most ``limits.order_window`` and pages of ``limits.order_page``."""
        start = int(since.timestamp())
        end = int((until or self.keeper.now()).timestamp())
        window = int((self.limits.order_window or timedelta(days=3)).total_seconds())
        seen: set[str] = set()
        while start <= end:
            stop = min(start + window, end)
            page = 1
            while True:
                params = (
                    ("fs_id", self.fs_id),
                    self._shop_param(),
                    ("from_date", str(start)),
                    ("to_date", str(stop)),
                    ("page", str(page)),
                    ("per_page", str(self.limits.order_page)),
                )
                rows = list(
                    await self._data(
                        ApiRequest("GET", "/v2/order/list", params, op="order.list", safe_to_repeat=True)
                    )
                    or ()
                )
                for row in rows:
                    ref = order_mapping.order_ref(row)
                    if ref.order_id not in seen:
                        seen.add(ref.order_id)
                        yield ref
                if len(rows) < self.limits.order_page:
                    break
                page += 1
            start = stop + 1

    async def _order_detail(self, order_id: str) -> dict[str, Any] | None:
        request = ApiRequest(
            "GET",
            f"/v2/fs/{self.fs_id}/order",
            (("order_id", order_id),),
            op="order.detail",
            safe_to_repeat=True,
        )
        try:
            data = await self._data(request)
        except NotFound:
            return None
        return data if isinstance(data, dict) else None

    async def get_orders(self, ids: Sequence[str]) -> list[dtos.OrderDTO]:
        unique = list(dict.fromkeys(ids))
        details = await batching.gather_bounded(
            [partial(self._order_detail, i) for i in unique], self.limits.concurrency
        )
        return [order_mapping.order(d) for d in details if d is not None]

    # -- writes: see writes.py ------------------------------------------------------------------

    # -- webhooks -------------------------------------------------------------------------------

    @property
    def webhook_secret(self) -> str:
        """The secret registered with Register Webhook: ``extra['webhook_secret']``, else client_secret."""
        return str(self.app.extra.get("webhook_secret") or self.app.app_secret)

    def verify_webhook(self, url: str, headers: Mapping[str, str], raw_body: bytes) -> bool:
        signature = find_header(headers, signing.WEBHOOK_HEADER)
        return signing.verify_webhook(self.webhook_secret, raw_body, signature)

    def parse_webhook(self, raw_body: bytes) -> dtos.WebhookEvent:
        return webhooks.parse_push(raw_body, now=self.keeper.now())
