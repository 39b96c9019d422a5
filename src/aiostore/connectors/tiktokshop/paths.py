"""The versioned paths the connector calls (shopee-tiktokshop.md §B3-§B4; docs/marketplaces/tiktokshop.md).

TikTok versions each module separately; a version changes here, deliberately, with its tests.
"""

from __future__ import annotations

TOKEN_GET = "/api/v2/token/get"  # noqa: S105 - a path on the auth host
TOKEN_REFRESH = "/api/v2/token/refresh"  # noqa: S105 - a path on the auth host
AUTHORIZED_SHOPS = "/authorization/202309/shops"
WAREHOUSES = "/logistics/202309/warehouses"

PRODUCTS = "/product/202309/products"
PRODUCT_SEARCH = "/product/202309/products/search"
PRODUCTS_ACTIVATE = "/product/202309/products/activate"
PRODUCTS_DEACTIVATE = "/product/202309/products/deactivate"

ORDER_SEARCH = "/order/202309/orders/search"
ORDER_DETAIL = "/order/202309/orders"
CANCELLATIONS = "/return_refund/202309/cancellations"
RETURN_SEARCH = "/return_refund/202309/returns/search"


def product(product_id: str) -> str:
    return f"/product/202309/products/{product_id}"


def partial_edit(product_id: str) -> str:
    return f"/product/202309/products/{product_id}/partial_edit"


def inventory_update(product_id: str) -> str:
    return f"/product/202309/products/{product_id}/inventory/update"


def prices_update(product_id: str) -> str:
    return f"/product/202309/products/{product_id}/prices/update"


def handover_time_slots(package_id: str) -> str:
    return f"/fulfillment/202309/packages/{package_id}/handover_time_slots"


def ship_package(package_id: str) -> str:
    return f"/fulfillment/202309/packages/{package_id}/ship"


def delivery_options(warehouse_id: str) -> str:
    return f"/logistics/202309/warehouses/{warehouse_id}/delivery_options"
