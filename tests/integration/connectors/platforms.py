"""The four platforms as the shared connector suites see them: each platform's sandbox environment (its
conftest's ``open_env``) and the few facts a shared test needs that differ by platform."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from aiostore.connectors import registry
from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, ProductUpdate, ShopAccount
from aiostore.connectors.recording import DryRunRecord
from aiostore.domain.market import MarketCode
from aiostore.sandbox.common.taxonomy import PlatformTaxonomy
from aiostore.sandbox.lazada import routes_reference as lazada_reference
from aiostore.sandbox.shopee import routes_reference as shopee_reference
from aiostore.sandbox.tiktokshop import routes_reference as tiktokshop_reference
from aiostore.sandbox.tokopedia import routes_reference as tokopedia_reference
from tests.integration.connectors import conftest as shopee
from tests.integration.connectors.lazada import conftest as lazada
from tests.integration.connectors.tiktokshop import conftest as tiktokshop
from tests.integration.connectors.tokopedia import conftest as tokopedia


@dataclass(frozen=True)
class Reference:
    """What a platform publishes about its categories, and the codes it refuses a listing with."""

    taxonomy: PlatformTaxonomy  # its sandbox's ids over the shared tree
    languages: frozenset[str]  # the names an ID shop reads
    mandatory_flag: bool  # attributes say whether they are mandatory
    brand_flag: bool  # the brand list says whether a brand is required
    refusals: dict[str, str]  # kind ("category", "attribute", "brand") -> platform code
    uploads: bool = True
    channels: bool = False


@dataclass(frozen=True)
class Case:
    name: str
    open_env: Callable[..., AbstractAsyncContextManager[Any]]
    app: AppCredentials
    shop_id: str
    limits: ConnectorLimits
    shop_info_path: str  # the sandbox path (tail) ``shop_info`` reads
    missing_product_update: ProductUpdate  # an update of a product the shop does not have (NotFound)
    reference: Reference
    skews: tuple[int, ...] = ()  # clock errors the platform refuses and the connector corrects (signed time)

    def __str__(self) -> str:
        return self.name

    def registry_connector(
        self, env: Any, write_mode: str, records: list[DryRunRecord] | None = None
    ) -> object:
        async def keep(record: DryRunRecord) -> None:
            if records is not None:
                records.append(record)

        return registry.get_connector(
            self.name,
            self.app,
            ShopAccount(shop_id=self.shop_id, market=MarketCode.ID, tokens=env.tokens()),
            env.http,
            write_mode=write_mode,
            policy=env.policy,
            limits=self.limits,
            clock=env.clock,
            on_record=keep,
        )


CASES = [
    Case(
        "lazada",
        lazada.open_env,
        AppCredentials(lazada.APP_KEY, lazada.APP_SECRET, "", "https://auth.lazada.com"),
        lazada.SELLER_ID,
        lazada.TEST_LIMITS,
        "seller/get",
        ProductUpdate("123", name="x"),
        Reference(
            lazada_reference.TAXONOMY,
            frozenset({"en", "id"}),
            mandatory_flag=True,
            brand_flag=True,
            refusals={"category": "201", "attribute": "4108", "brand": "4108"},
        ),
        skews=(3 * 3600,),  # three hours fast: beyond 7200 s
    ),
    Case(
        "shopee",
        shopee.open_env,
        AppCredentials(str(shopee.PARTNER_ID), shopee.PARTNER_KEY, shopee.BASE_URL),
        str(shopee.SHOP_ID),
        shopee.TEST_LIMITS,
        "shop/get_shop_info",
        ProductUpdate("123", name="x"),
        Reference(
            shopee_reference.TAXONOMY,
            frozenset({"en", "id"}),
            mandatory_flag=True,
            brand_flag=True,
            refusals={
                "category": "error_invalid_category",
                "attribute": "error_invalid_attribute",
                "brand": "error_invalid_brand",
            },
            channels=True,
        ),
        skews=(900,),  # our clock runs 15 minutes fast
    ),
    Case(
        "tiktokshop",
        tiktokshop.open_env,
        tiktokshop.APP,
        tiktokshop.SHOP_ID,
        tiktokshop.TEST_LIMITS,
        "/authorization/202309/shops",
        ProductUpdate("123", name="x"),
        Reference(
            tiktokshop_reference.TAXONOMY,
            frozenset({"en", "id"}),
            mandatory_flag=True,
            brand_flag=False,
            refusals={"category": "12052013", "attribute": "12052216"},
            channels=True,
        ),
        skews=(900, -900),
    ),
    Case(
        "tokopedia",
        tokopedia.open_env,
        tokopedia.APP,
        str(tokopedia.SHOP_ID),
        tokopedia.TEST_LIMITS,
        "shop-info",
        ProductUpdate("123", active=True),
        Reference(
            tokopedia_reference.TAXONOMY,
            frozenset({"id"}),
            mandatory_flag=False,
            brand_flag=False,
            refusals={"category": "failed_rows_data", "attribute": "failed_rows_data"},
            uploads=False,
            channels=True,
        ),
    ),
]
SKEWED = [(case, skew) for case in CASES for skew in case.skews]
