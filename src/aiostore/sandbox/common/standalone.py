"""The flags every `aiostore sandbox <platform>` command takes, as one value a sandbox package reads.

Each sandbox package exports `from_flags(flags: StandaloneFlags) -> Standalone`; the CLI builds one
command per package with exactly these flags, so any client of that platform can be pointed at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp

from aiostore.sandbox.common.faults import FaultConfig


@dataclass(frozen=True, slots=True)
class StandaloneFlags:
    host: str
    port: int
    app_key: str  # the platform's app identity: Shopee partner_id, TikTok/Lazada app_key, Tokopedia client_id
    app_secret: str  # Shopee partner_key, TikTok/Lazada app_secret, Tokopedia client_secret
    shop_id: str
    access_token: str
    region: str  # ID, SG or MY
    products: int
    orders: int
    push_url: str | None = None
    fault_rate: float = 0.0
    latency_ms: int = 0
    seed: int = 1
    # The app's registered redirect URL: where TikTok Shop's approval sends the browser (without one it
    # shows the code), and the only one Lazada accepts; Shopee and Tokopedia take the one the link names.
    redirect_url: str | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def shared_config(self) -> dict[str, Any]:
        """The `SandboxConfig` fields every platform takes from the flags as they are."""
        faults = FaultConfig(error_rate=self.fault_rate, latency_ms=self.latency_ms, seed=self.seed)
        return {
            "access_token": self.access_token,
            "products": self.products,
            "orders": self.orders,
            "seed": self.seed,
            "push_url": self.push_url,
            "faults": faults,
        }


@dataclass(frozen=True, slots=True)
class Standalone:
    app: ASGIApp
    banner: str  # what the CLI prints at start: URLs, ids, tokens
