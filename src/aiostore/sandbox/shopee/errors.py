"""Shopee's error envelope, literal codes and messages (shopee-tiktokshop.md §A6), and the HTTP statuses
the sandbox sends with them.

The document marks statuses as unverified ("clients must accept both" 200 and 4xx with an error body). The
sandbox chooses non-2xx statuses so that a client keyed only on the status still notices a failure, while
the body carries Shopee's own `error`/`message`. Literals not given in the document come from Shopee's API
schemas (the document's source 2): "no timestamp", the token errors, "Product not found",
"This parcel has already been shipped".

| error | HTTP |
|---|---|
| error_param, error_param_item_status, error_update_time_range, order.*, logistics.* | 400 |
| error_sign, error_auth, invalid_acceess_token (sic), invalid_code, invalid_shop_id, | 403 |
| error_shop_refresh_token, refresh_token_expired | 403 |
| error_not_found, error_item_not_found, and error_param for an unknown API path | 404 |
| error_rate_limit | 429 |
| error_server | 500 (504 for an injected time-out) |
| error_system_busy | 503 |
"""

from __future__ import annotations

_STATUS = {
    "error_sign": 403,
    "error_auth": 403,
    "invalid_acceess_token": 403,
    "invalid_code": 403,
    "invalid_shop_id": 403,
    "error_shop_refresh_token": 403,
    "refresh_token_expired": 403,
    "error_not_found": 404,
    "error_item_not_found": 404,
    "error_rate_limit": 429,
    "error_server": 500,
    "error_system_busy": 503,
}


class ShopeeError(Exception):
    """An answer in Shopee's error envelope: {"request_id", "error", "message"}."""

    def __init__(self, error: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{error}: {message}")
        self.error = error
        self.message = message
        self.status = status if status is not None else _STATUS.get(error, 400)


def param(detail: str) -> ShopeeError:
    return ShopeeError("error_param", f"Wrong parameters, detail: {detail}.")


def missing_common(name: str) -> ShopeeError:
    if name == "timestamp":
        return ShopeeError("error_param", "no timestamp")
    return ShopeeError("error_param", f"There is no {name} in query.")


def invalid_partner() -> ShopeeError:
    return ShopeeError("error_param", "Invalid partner_id.")


def malformed_partner() -> ShopeeError:
    return ShopeeError("error_param", "Partner_id is invalid, should be an integer between 0 and 4294967295.")


def invalid_timestamp() -> ShopeeError:
    return ShopeeError("error_param", "Timestamp is invalid, should be an integer between 0 and 4294967295.")


def timestamp_expired() -> ShopeeError:
    return ShopeeError("error_param", "Timestamp is expired.")


def wrong_sign() -> ShopeeError:
    return ShopeeError("error_sign", "Wrong sign.")


def invalid_shop() -> ShopeeError:
    return ShopeeError("error_auth", "Invalid partner_id or shopid.")


def invalid_access_token() -> ShopeeError:
    return ShopeeError("invalid_acceess_token", "Invalid access_token.")


def unknown_api() -> ShopeeError:
    return ShopeeError(
        "error_param",
        "Permission denied. This API is currently offline or the request path is incorrect.",
        404,
    )


def item_not_found() -> ShopeeError:
    return ShopeeError("error_item_not_found", "Product not found")


def invalid_code() -> ShopeeError:
    return ShopeeError("invalid_code", "The code is expired or used or invalid, please check the code.")


def code_shop_mismatch() -> ShopeeError:
    return ShopeeError(
        "invalid_shop_id", "The code or shop_id is wrong, please check the code or the shop_id."
    )


def invalid_refresh_token() -> ShopeeError:
    return ShopeeError(
        "error_shop_refresh_token", "Your refresh token is error ,please check refresh token or shopid."
    )


def refresh_token_expired() -> ShopeeError:
    return ShopeeError("refresh_token_expired", "Your refresh_token expired.")


def rate_limited() -> ShopeeError:
    return ShopeeError(
        "error_rate_limit", "Too many requests. You have reached the rate limit. Please try again later."
    )


def server_error(status: int = 500) -> ShopeeError:
    return ShopeeError("error_server", "Something wrong. Please try later.", status)


def system_busy() -> ShopeeError:
    return ShopeeError("error_system_busy", "Our system is taking some time to respond, please try later.")


def order_list_invalid_time() -> ShopeeError:
    return ShopeeError(
        "order.order_list_invalid_time", "Start time must be earlier than end time and diff in 15days."
    )


def package_already_shipped() -> ShopeeError:
    return ShopeeError("logistics.package_already_shipped", "This parcel has already been shipped")
