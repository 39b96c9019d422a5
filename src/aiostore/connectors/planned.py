"""``PlannedConnector``: what every platform's connector shares, written once.

The token keeper and client wiring, ``tokens``, ``api_calls``, dry-run rendering, ``refresh``, batch
running with one result per update, and plan-then-send for every write live here. A platform writes its
client (``_client``), its token refresh (``_refreshed_tokens``), its authorized call (``_send``), its
``plan_*`` methods, its reads and its mapping; it overrides a send only where its answer says more than
"done" (an id created, a package shipped, a partial failure).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import ClassVar, Protocol, TypeVar

import httpx

from aiostore.connectors import batching
from aiostore.connectors.base import BatchPlan, PlannedCall, VariantKey
from aiostore.connectors.dtos import (
    AppCredentials,
    CancelLine,
    CancelReason,
    ConnectorLimits,
    ImageUploadResult,
    ItemError,
    ItemResult,
    OrderDTO,
    PriceUpdate,
    ProductUpdate,
    ShipRequest,
    StockUpdate,
    TokenSet,
    UploadedImage,
    WriteResult,
)
from aiostore.connectors.errors import CircuitOpen, ConnectorError, InvalidRequest, NotFound
from aiostore.connectors.tokens import Coordinator, OnTokens, TokenKeeper
from aiostore.connectors.transport import PlatformClient, Wiring
from aiostore.domain.market import MARKETS, Currency, MarketCode
from aiostore.domain.platforms import Platform
from aiostore.domain.rules.category import CategoryLimits
from aiostore.http.client import ApiRequest, HttpPolicy, JSONObject, RecordedRequest, shared_policy


class Keyed(Protocol):
    @property
    def item_id(self) -> str: ...

    @property
    def variant_id(self) -> str: ...


U = TypeVar("U", bound=Keyed)


def item_error(exc: ConnectorError) -> ItemError:
    return ItemError(
        kind=exc.kind,
        message=exc.message,
        platform_code=exc.platform_code,
        retryable=exc.retryable,
        retry_after=exc.retry_after if isinstance(exc, CircuitOpen) else None,
    )


def rejected(item_id: str, variant_id: str, message: str) -> ItemResult:
    """An update refused before sending (nothing of it reached the platform)."""
    return ItemResult(item_id, variant_id, ok=False, error=ItemError(kind="InvalidRequest", message=message))


def find_header(headers: Mapping[str, str], name: str) -> str | None:
    """A request header by name, whatever its case."""
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


class PlannedConnector(ABC):
    """The shared half of a ``PlanningConnector``; subclasses set ``platform`` and ``default_limits``."""

    platform: Platform
    default_limits: ClassVar[ConnectorLimits]
    keeper_class: ClassVar[type[TokenKeeper]] = TokenKeeper
    # Which token tells "the tokens in use" apart in ``refresh`` (an app token has no refresh token).
    token_identity: ClassVar[str] = "refresh_token"  # noqa: S105 - an attribute name

    def __init__(
        self,
        http: httpx.AsyncClient,
        app: AppCredentials,
        *,
        shop_id: str | None = None,
        tokens: TokenSet | None = None,
        market: MarketCode | None = None,
        policy: HttpPolicy | None = None,
        limits: ConnectorLimits | None = None,
        clock: Callable[[], float] = time.time,
        on_tokens: OnTokens | None = None,
        coordinator: Coordinator | None = None,
    ) -> None:
        self.app = app
        self.limits = limits or self.default_limits
        self.shop_id = shop_id or (tokens.shop_id if tokens else None)
        self.market = self._setup(tokens, market)
        self.keeper = self.keeper_class(
            tokens,
            refresher=self._refreshed_tokens,
            margin=self.limits.refresh_margin,
            clock=clock,
            on_tokens=on_tokens,
            platform=self.platform.value,
            coordinator=coordinator,
        )
        wiring = Wiring(
            http,
            policy or shared_policy(),
            self._limiter_key(),
            self.limits.rate_per_second,
            self.limits.burst,
            clock,
        )
        self.client = self._client(wiring)

    # -- what a platform provides ---------------------------------------------------------------

    def _setup(self, tokens: TokenSet | None, market: MarketCode | None) -> MarketCode | None:
        """The platform's checks and state before its keeper and client are wired; the market to act in."""
        return market

    def _limiter_key(self) -> str:
        """Whose calls share one rate limit: the shop's, or before authorization the app's."""
        return f"{self.platform.value}:{self.shop_id or 'app:' + self.app.app_key}"

    @abstractmethod
    def _client(self, wiring: Wiring) -> PlatformClient:
        """The platform's transport, acting with ``self.keeper``'s token."""

    @abstractmethod
    async def _refreshed_tokens(self, tokens: TokenSet) -> TokenSet:
        """New tokens from ``tokens`` (the keeper calls this; nothing is kept here)."""

    @abstractmethod
    async def get_orders(self, ids: Sequence[str]) -> list[OrderDTO]:
        """The orders with these ids (a read every platform has; cancellations use it)."""

    @abstractmethod
    async def _send(self, request: ApiRequest) -> JSONObject:
        """One authorized call (fresh token, one refresh-and-repeat on an auth error); its payload."""

    def _batch_results(self, call: PlannedCall, answer: JSONObject) -> list[ItemResult]:
        """Per-variant results of one successful batch call; all applied unless the platform says more."""
        return [ItemResult(i, v, ok=True) for i, v in call.keys]

    def _failed_batch(self, call: PlannedCall, exc: ConnectorError) -> list[ItemResult]:
        """Per-variant results of a batch call that raised: every variant it carried failed."""
        return [ItemResult(i, v, ok=False, error=item_error(exc)) for i, v in call.keys]

    # -- shared state ---------------------------------------------------------------------------

    @property
    def tokens(self) -> TokenSet | None:
        return self.keeper.tokens

    @property
    def api_calls(self) -> int:
        return self.client.calls

    @property
    def currency(self) -> Currency | None:
        return MARKETS[self.market].currency if self.market else None

    def render(self, request: ApiRequest) -> RecordedRequest:
        return self.client.record(request)

    async def category_limits(self, category_id: str) -> CategoryLimits | None:
        """None: the platform serves no per-category limits (a platform that does overrides this)."""
        return None

    @abstractmethod
    async def upload_image(self, content: bytes, filename: str) -> UploadedImage: ...

    async def upload_images(self, images: Sequence[tuple[bytes, str]]) -> list[ImageUploadResult]:
        """One image a call (limits.image_upload_batch 1; a platform that takes several overrides this):
        the one image, its refusal raised like upload_image's."""
        if len(images) != 1:
            raise ValueError(f"this platform uploads one image a call, not {len(images)}")
        content, filename = images[0]
        return [ImageUploadResult(await self.upload_image(content, filename))]

    async def refresh(self, tokens: TokenSet) -> TokenSet:
        """New tokens. When ``tokens`` are the ones in use, the new ones are kept (and handed to
        ``on_tokens``), serialised with automatic refreshes: a spent refresh token is never reused."""
        current = self.keeper.tokens
        if current is not None and getattr(current, self.token_identity) == getattr(
            tokens, self.token_identity
        ):
            return await self.keeper.refresh_now()
        return await self._refreshed_tokens(tokens)

    # -- checks before planning -----------------------------------------------------------------

    def _check_currency(self, currency: Currency) -> None:
        if self.currency is not None and currency != self.currency:
            raise InvalidRequest(
                f"price in {currency.value}, but the shop sells in {self.currency.value}",
                platform=self.platform.value,
            )

    def _valid_prices(self, updates: Sequence[PriceUpdate]) -> tuple[list[PriceUpdate], list[ItemResult]]:
        """The last price per variant, split into the sendable and the refused (wrong currency, ≤ 0)."""
        valid: list[PriceUpdate] = []
        refused: list[ItemResult] = []
        for u in batching.last_wins(updates, lambda u: (u.item_id, u.variant_id)):
            if self.currency is not None and u.price.currency != self.currency:
                refused.append(rejected(u.item_id, u.variant_id, f"the shop sells in {self.currency.value}"))
            elif u.price.amount <= 0:
                refused.append(rejected(u.item_id, u.variant_id, "price must be above zero"))
            else:
                valid.append(u)
        return valid, refused

    @staticmethod
    def _valid_stock(
        updates: Sequence[StockUpdate], maximum: int | None = None
    ) -> tuple[list[StockUpdate], list[ItemResult]]:
        """The last stock per variant, split into the sendable and the refused (< 0, > ``maximum``)."""
        valid: list[StockUpdate] = []
        refused: list[ItemResult] = []
        for u in batching.last_wins(updates, lambda u: (u.item_id, u.variant_id)):
            if maximum is not None and not 0 <= u.stock <= maximum:
                refused.append(rejected(u.item_id, u.variant_id, f"stock must be between 0 and {maximum}"))
            elif u.stock < 0:
                refused.append(rejected(u.item_id, u.variant_id, "stock must not be negative"))
            else:
                valid.append(u)
        return valid, refused

    @staticmethod
    def _per_item_calls(
        updates: Sequence[U], size: int, request: Callable[[str, list[U]], ApiRequest]
    ) -> tuple[PlannedCall, ...]:
        """For "one item per call" APIs: each item's updates in runs of ``size``, one request a run."""
        return tuple(
            PlannedCall(request(item_id, batch), tuple((u.item_id, u.variant_id) for u in batch))
            for item_id, batch in batching.per_item_batches(updates, lambda u: u.item_id, size)
        )

    async def _lines_to_cancel(
        self, order_id: str, reason: CancelReason, lines: Sequence[CancelLine]
    ) -> Sequence[CancelLine]:
        """The lines a cancellation names: out of stock needs them, and without any every line is named."""
        if reason is not CancelReason.OUT_OF_STOCK or lines:
            return lines
        found = await self.get_orders([order_id])
        if not found:
            raise NotFound(f"order {order_id} not found", platform=self.platform.value)
        return list(dict.fromkeys(CancelLine(x.item_id, x.variant_id) for x in found[0].lines))

    # -- plan, then send ------------------------------------------------------------------------

    @abstractmethod
    async def plan_update_prices(self, updates: Sequence[PriceUpdate]) -> BatchPlan:
        """The platform's requests for this write (reads it needs are made for real)."""

    @abstractmethod
    async def plan_update_stock(self, updates: Sequence[StockUpdate]) -> BatchPlan:
        """The platform's requests for this write (reads it needs are made for real)."""

    @abstractmethod
    async def plan_update_product(self, update: ProductUpdate) -> list[ApiRequest]:
        """The platform's requests for this write (reads it needs are made for real)."""

    @abstractmethod
    async def plan_ship_order(self, order_id: str, request: ShipRequest) -> list[ApiRequest]:
        """The platform's requests for this write (reads it needs are made for real)."""

    @abstractmethod
    async def plan_cancel_order(
        self, order_id: str, reason: CancelReason, lines: Sequence[CancelLine] = ()
    ) -> list[ApiRequest]:
        """The platform's requests for this write (reads it needs are made for real)."""

    async def update_prices(self, updates: Sequence[PriceUpdate]) -> list[ItemResult]:
        outcome = await self._run_batch(await self.plan_update_prices(updates))
        return [outcome[(u.item_id, u.variant_id)] for u in updates]

    async def update_stock(self, updates: Sequence[StockUpdate]) -> list[ItemResult]:
        outcome = await self._run_batch(await self.plan_update_stock(updates))
        return [outcome[(u.item_id, u.variant_id)] for u in updates]

    async def _run_batch(self, plan: BatchPlan) -> dict[VariantKey, ItemResult]:
        """Every planned call (``limits.concurrency`` at a time); a failed call fails only its variants."""
        outcome: dict[VariantKey, ItemResult] = {(r.item_id, r.variant_id): r for r in plan.rejected}

        async def run(call: PlannedCall) -> list[ItemResult]:
            try:
                answer = await self._send(call.request)
            except ConnectorError as exc:
                return self._failed_batch(call, exc)
            return self._batch_results(call, answer)

        results = await batching.gather_bounded(
            [partial(run, c) for c in plan.calls], self.limits.concurrency
        )
        for batch in results:
            outcome.update({(r.item_id, r.variant_id): r for r in batch})
        return outcome

    async def _send_all(self, requests: Sequence[ApiRequest]) -> list[JSONObject]:
        return [await self._send(request) for request in requests]

    async def update_product(self, update: ProductUpdate) -> WriteResult:
        await self._send_all(await self.plan_update_product(update))
        return WriteResult(ok=True, external_id=update.item_id)

    async def ship_order(self, order_id: str, request: ShipRequest) -> WriteResult:
        await self._send_all(await self.plan_ship_order(order_id, request))
        return WriteResult(ok=True, external_id=order_id)

    async def cancel_order(
        self, order_id: str, reason: CancelReason, lines: Sequence[CancelLine] = ()
    ) -> WriteResult:
        await self._send_all(await self.plan_cancel_order(order_id, reason, lines))
        return WriteResult(ok=True, external_id=order_id)
