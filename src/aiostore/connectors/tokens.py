"""Token keeping shared by connectors: refresh ahead of expiry, and once more on an auth error.

Refresh tokens may be single-use (Shopee) or rotate (Lazada), so one shop's refresh is serialised under a
lock and a task that finds the tokens already replaced by another task does not refresh again. Every new
token set is handed to ``on_tokens`` (the service persists it, encrypted) before it is used.

Across processes, a ``coordinator`` (the service's: a row lock on the shop) takes the refresh instead: it
re-reads the stored tokens under its lock, adopts them when another process has rotated them meanwhile,
and otherwise refreshes with the stored ones and stores the new ones before releasing the lock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from aiostore.connectors.dtos import TokenSet
from aiostore.connectors.errors import AuthExpired, InvalidRequest, NotFound, Refused

T = TypeVar("T")
OnTokens = Callable[[TokenSet], Awaitable[None]]
Refresher = Callable[[TokenSet], Awaitable[TokenSet]]
# (the tokens this process holds, the platform's refresh, force) -> the tokens to use, already stored.
# Without ``force`` stored tokens that differ from the held ones are adopted without a refresh.
Coordinator = Callable[[TokenSet, Refresher, bool], Awaitable[TokenSet]]


class TokenKeeper:
    def __init__(
        self,
        tokens: TokenSet | None,
        *,
        refresher: Refresher,
        margin: timedelta,
        clock: Callable[[], float] = time.time,
        on_tokens: OnTokens | None = None,
        platform: str = "",
        coordinator: Coordinator | None = None,
    ) -> None:
        self.tokens = tokens
        self._refresher = refresher
        self._margin = margin
        self._clock = clock
        self._on_tokens = on_tokens
        self._platform = platform
        self._coordinator = coordinator
        self._lock = asyncio.Lock()
        self.refreshes = 0

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    @property
    def access_token(self) -> str | None:
        return self.tokens.access_token if self.tokens else None

    async def replace(self, tokens: TokenSet) -> None:
        self.tokens = tokens
        if self._on_tokens is not None:
            await self._on_tokens(tokens)

    async def ensure_fresh(self) -> None:
        """Refresh when the access token expires within the margin."""
        tokens = self.tokens
        if tokens is None or not tokens.access_expires_within(self._margin, self.now()):
            return
        await self._refresh_if_unchanged(tokens.access_token)

    async def refresh_now(self) -> TokenSet:
        """Refresh the tokens in use now (serialised with automatic refreshes); the new ones are kept."""
        async with self._lock:
            if self.tokens is None:
                raise AuthExpired("no tokens to refresh", platform=self._platform)
            return await self._renew(self.tokens, force=True)

    async def _renew(self, current: TokenSet, *, force: bool) -> TokenSet:
        """New tokens (or, through the coordinator, the ones another process stored); kept here."""
        if self._coordinator is None:
            fresh = await self._refresher(current)
            await self.replace(fresh)
        else:
            fresh = await self._coordinator(current, self._refresher, force)
            self.tokens = fresh  # the coordinator stored them
        if fresh != current:
            self.refreshes += 1
        return fresh

    async def _refresh_if_unchanged(self, used: str) -> None:
        async with self._lock:
            current = self.tokens
            if current is None or current.access_token != used:
                return  # another task refreshed while we waited
            try:
                await self._renew(current, force=False)
            except (AuthExpired, InvalidRequest, NotFound, Refused) as exc:
                raise AuthExpired(
                    f"refreshing the token failed ({exc.message}); the seller must authorize again",
                    platform=self._platform,
                    platform_code=exc.platform_code,
                ) from exc

    async def run(self, call: Callable[[], Awaitable[T]]) -> T:
        """``call`` with fresh tokens; on ``AuthExpired`` refresh once and repeat once."""
        await self.ensure_fresh()
        used = self.access_token
        try:
            return await call()
        except AuthExpired:
            if used is None or self.tokens is None:
                raise
            await self._refresh_if_unchanged(used)
            return await call()
