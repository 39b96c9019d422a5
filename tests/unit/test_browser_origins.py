"""Where a browser opens an authorization URL: the demo's in-process sandbox hosts are swapped for their
mount on the service's origin; every other URL (a real marketplace's) is left exactly as it was."""

from __future__ import annotations

import httpx

from aiostore.domain.platforms import Platform
from aiostore.http.client import HttpPolicy
from aiostore.services.channels import Connectors, redirect_url
from aiostore.services.demo.world import MOUNT, base_url, mounted_url
from aiostore.settings import Settings


def _connectors(settings: Settings, origins: dict[str, str]) -> Connectors:
    return Connectors(settings, httpx.AsyncClient(), HttpPolicy(), browser_origins=origins)


def test_demo_hosts_go_to_the_mount_and_others_stay() -> None:
    settings = Settings(_env_file=None, public_url="https://shop.example/")  # type: ignore[call-arg]
    assert settings.service_url == "https://shop.example"
    shopee = base_url(Platform.SHOPEE)
    origins = {shopee: mounted_url(settings.service_url, Platform.SHOPEE)}
    connectors = _connectors(settings, origins)
    link = f"{shopee}/api/v2/shop/auth_partner?partner_id=1&redirect=x"
    assert (
        connectors.browser_url(link)
        == f"https://shop.example{MOUNT}/shopee/api/v2/shop/auth_partner?partner_id=1&redirect=x"
    )
    for other in (
        "https://partner.shopeemobile.com/api/v2/shop/auth_partner?partner_id=1",
        f"{shopee}evil.example/api",  # only looks alike
        f"https://evil.example/?next={shopee}/",
    ):
        assert connectors.browser_url(other) == other
    assert _connectors(settings, {}).browser_url(link) == link  # no demo: nothing is rewritten


def test_the_callback_is_the_configured_redirect_else_the_service_url() -> None:
    plain = Settings(_env_file=None, host="0.0.0.0", port=8123)  # type: ignore[call-arg]  # noqa: S104
    assert redirect_url(plain, "lazada") == "http://0.0.0.0:8123/api/channels/callback/lazada"
    configured = plain.with_platform("lazada", redirect_url="https://shop.example/cb")
    assert redirect_url(configured, "lazada") == "https://shop.example/cb"
