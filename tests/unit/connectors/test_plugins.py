"""The registry and the platform plugins: discovery, settings, and the signed send time of a push."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from aiostore.connectors import registry
from aiostore.connectors.dtos import AppCredentials
from aiostore.connectors.plugin import body_timestamp
from aiostore.domain.platforms import Platform, platform_names
from aiostore.settings import Settings

APP = AppCredentials("1", "s", "http://x")


def test_every_platform_package_is_a_plugin_and_the_enum_is_discovered() -> None:
    assert platform_names() == ["lazada", "shopee", "tiktokshop", "tokopedia"]
    assert [p.value for p in Platform] == platform_names()
    assert [p.name for p in registry.plugins()] == platform_names()
    for plugin in registry.plugins():
        assert plugin.limits is registry.default_limits(plugin.platform)


def test_an_unknown_platform_is_unsupported() -> None:
    with pytest.raises(registry.UnsupportedPlatform):
        registry.plugin("etsy")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"timestamp": 1_700_000_000}, 1_700_000_000.0),
        ({"timestamp": 1_700_000_000_500}, 1_700_000_000.5),  # milliseconds (Lazada's order pushes)
        ({"timestamp": "1700000000"}, 1_700_000_000.0),
        ({"timestamp": 0}, None),
        ({"timestamp": "soon"}, None),
        ({"data": {}}, None),
    ],
)
def test_body_timestamp(body: dict[str, object], expected: float | None) -> None:
    assert body_timestamp(APP, body) == expected


def test_body_timestamp_of_a_body_that_is_not_an_object() -> None:
    assert body_timestamp(APP, ["<xml/>"]) is None
    assert body_timestamp(APP, "<xml/>") is None


def test_tokopedia_signs_a_time_only_through_tiktok() -> None:
    plugin = registry.plugin("tokopedia")
    assert plugin.push_time_of(APP) is None  # the FS API's pushes sign no time
    through_tiktok = AppCredentials("1", "s", "http://x", extra={"api": "tiktokshop"})
    push_time = plugin.push_time_of(through_tiktok)
    assert push_time is not None
    assert push_time(through_tiktok, {"timestamp": 1_700_000_000}) == 1_700_000_000


@pytest.mark.parametrize("name", ["lazada", "shopee", "tiktokshop"])
def test_the_platforms_that_sign_a_push_time(name: str) -> None:
    assert registry.plugin(name).push_time_of(APP) is not None


def test_platform_settings_keep_the_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIOSTORE_SHOPEE_PARTNER_ID", "777")
    monkeypatch.setenv("AIOSTORE_SHOPEE_PARTNER_KEY", "key")
    monkeypatch.setenv("AIOSTORE_TOKOPEDIA_API", "tiktokshop")
    monkeypatch.setenv("AIOSTORE_TIKTOKSHOP_APP_KEY", "tt")
    monkeypatch.setenv("AIOSTORE_TIKTOKSHOP_APP_SECRET", "tts")
    settings = Settings(_env_file=None)
    shopee = registry.credentials("shopee", settings.platforms)
    assert shopee is not None and (shopee.app_key, shopee.app_secret) == ("777", "key")
    assert shopee.base_url == "https://partner.shopeemobile.com"
    tokopedia = registry.credentials("tokopedia", settings.platforms)
    assert tokopedia is not None and tokopedia.app_key == "tt" and tokopedia.extra["api"] == "tiktokshop"
    assert registry.credentials("lazada", settings.platforms) is None


def test_a_platform_without_its_app_names_the_settings_to_set() -> None:
    settings = Settings(_env_file=None).with_platform("lazada", app_key=None, app_secret=None)
    assert settings.platforms["lazada"].required() == "AIOSTORE_LAZADA_APP_KEY and AIOSTORE_LAZADA_APP_SECRET"
    through_tiktok = settings.with_platform("tokopedia", api="tiktokshop")
    assert "AIOSTORE_TIKTOKSHOP_APP_KEY" in through_tiktok.platforms["tokopedia"].required()


def test_settings_for_an_app_and_back_to_the_environment() -> None:
    class Source:
        fs_id = "13004"

    model = registry.plugin("tokopedia").settings
    made = model.for_app("client", "secret", "http://sandbox", Source())
    assert made.env() == {
        "AIOSTORE_TOKOPEDIA_API_BASE_URL": "http://sandbox",
        "AIOSTORE_TOKOPEDIA_AUTH_BASE_URL": "http://sandbox",
        "AIOSTORE_TOKOPEDIA_CLIENT_ID": "client",
        "AIOSTORE_TOKOPEDIA_CLIENT_SECRET": "secret",
        "AIOSTORE_TOKOPEDIA_FS_ID": "13004",
    }
    assert isinstance(made.app_identity()[1], SecretStr)
