"""TikTok Shop's error envelope and codes (shopee-tiktokshop.md §B6; docs/marketplaces/tiktokshop.md).

An error answers ``{"code", "message", "request_id"}`` (no ``data``). Gateway errors come with a 4xx/5xx
status, business errors with HTTP 200, as TikTok does. The gateway reuses 36009004 for many request
problems and tells them apart by message (TikTok's "common errors" keyword index); the messages below
follow that index. Business codes TikTok's public sources do not name are the sandbox's choice within
the module's prefix (product 1205xxxx, order 1600xxxx, fulfillment 2101xxxx, return_refund 2500xxxx).
"""

from __future__ import annotations


class TikTokError(Exception):
    def __init__(self, code: int, message: str, status: int = 200) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


# -- gateway --------------------------------------------------------------------------------------


def unknown_path() -> TikTokError:
    return TikTokError(36009009, "Invalid path. The request path does not match any API.", 404)


def method_not_allowed(method: str) -> TikTokError:
    return TikTokError(36009010, f"Method not allowed. The API does not support the {method} method.", 405)


def missing_sign() -> TikTokError:
    return TikTokError(
        36009004, "Missing credentials. The request does not include a required signature in the query.", 400
    )


def invalid_app_key() -> TikTokError:
    return TikTokError(36009004, "Invalid credentials. Invalid `app_key` query parameter.", 400)


def invalid_app_secret() -> TikTokError:
    return TikTokError(36009004, "Invalid credentials. Invalid `app_secret` query parameter.", 400)


def timestamp_missing() -> TikTokError:
    return TikTokError(
        36009004,
        "Invalid timestamp. The `timestamp` query parameter is required and must be an integer.",
        400,
    )


def timestamp_negative() -> TikTokError:
    return TikTokError(
        36009004,
        "Invalid timestamp. The value of the `timestamp` query parameter must not be lesser than 0.",
        400,
    )


def timestamp_too_old() -> TikTokError:
    return TikTokError(
        36009004,
        "Invalid timestamp. The value of the `timestamp` query parameter must not be earlier than 5 minutes "
        "before the current time.",
        400,
    )


def timestamp_too_new() -> TikTokError:
    return TikTokError(
        36009004,
        "Invalid timestamp. The value of the `timestamp` query parameter must not be more than 30 seconds "
        "later than the current time.",
        400,
    )


def wrong_sign() -> TikTokError:
    return TikTokError(106001, "signature is invalid", 401)


def missing_token() -> TikTokError:
    return TikTokError(
        36009004, "Missing credentials. The request does not include the `x-tts-access-token` header.", 401
    )


def invalid_token() -> TikTokError:
    return TikTokError(36009004, "Invalid credentials. The `x-tts-access-token` header is invalid.", 401)


def expired_token() -> TikTokError:
    return TikTokError(105002, "access token is expired, please refresh it", 401)


def cipher_required() -> TikTokError:
    return TikTokError(106013, "shop_cipher is required for this API.", 400)


def cipher_not_expected() -> TikTokError:
    return TikTokError(
        36009004,
        "Unexpected identifier. The `shop_cipher` query parameter is not required for this request.",
        400,
    )


def invalid_cipher() -> TikTokError:
    return TikTokError(36009004, "Invalid identifier. The `shop_cipher` query parameter is invalid.", 400)


def bad_content_type() -> TikTokError:
    return TikTokError(36009022, "Invalid content type. Use application/json.", 400)


def bad_body() -> TikTokError:
    return TikTokError(36009023, "Invalid request body. The body is not a valid JSON object.", 400)


def rate_limited() -> TikTokError:
    return TikTokError(36009002, "Too many requests. Please retry later.", 429)


def internal_error(status: int = 500) -> TikTokError:
    return TikTokError(36009003, "Internal error. Please try again later.", status)


def gateway_timeout() -> TikTokError:
    return TikTokError(36009007, "Request timeout. Please try again later.", 408)


# -- auth host ------------------------------------------------------------------------------------


def invalid_auth_code() -> TikTokError:
    return TikTokError(36004004, "invalid auth code")


def refresh_token_expired() -> TikTokError:
    return TikTokError(36004001, "rt has expired")


def auth_record_not_found() -> TikTokError:
    return TikTokError(36004005, "can not find related auth record")


def invalid_grant_type() -> TikTokError:
    return TikTokError(36004003, "invalid grant_type")


# -- business -------------------------------------------------------------------------------------


def param(detail: str, code: int = 12052910) -> TikTokError:
    return TikTokError(code, f"Invalid parameter: {detail}")


def product_not_found(product_id: str) -> TikTokError:
    return TikTokError(12052230, f"The product {product_id} does not exist.")


def order_param(detail: str) -> TikTokError:
    return param(detail, 16000004)


def package_not_found(package_id: str) -> TikTokError:
    return TikTokError(21011001, f"The package {package_id} does not exist.")


def package_state(detail: str) -> TikTokError:
    return TikTokError(21011003, f"The package status does not allow this operation: {detail}")


def order_not_found(order_id: str) -> TikTokError:
    return TikTokError(25000004, f"The order {order_id} does not exist.")


def cancel_not_allowed(status: str) -> TikTokError:
    return TikTokError(25001009, f"The order status {status} does not allow the seller to cancel it.")


def return_param(detail: str) -> TikTokError:
    return param(detail, 25000001)


# Listing rules of a category (the codes are the sandbox's choice within the product prefix).


def category_invalid(category_id: object) -> TikTokError:
    return TikTokError(12052013, f"The category {category_id} is not a leaf category or does not exist.")


def attribute_required(name: str) -> TikTokError:
    return TikTokError(12052216, f"The product attribute [{name}] is required in this category.")


def attribute_invalid(name: str) -> TikTokError:
    return TikTokError(12052217, f"The value of product attribute [{name}] is invalid.")


def brand_invalid(brand_id: object) -> TikTokError:
    return TikTokError(12052218, f"The brand {brand_id} does not exist or is not available in this category.")


def package_dimensions_required() -> TikTokError:
    return TikTokError(12052219, "The package dimensions are required in this category.")


def size_chart_required() -> TikTokError:
    return TikTokError(12052220, "The size chart is required in this category.")


def certification_required(name: str) -> TikTokError:
    return TikTokError(12052221, f"The product certification [{name}] is required in this category.")


def image_unknown(uri: str) -> TikTokError:
    # 12038001 "image" per knowledgebase.skuiq.com (unverified); the wording is ours
    return TikTokError(12038001, f"The image {uri} is invalid: upload it with images/upload first.")


def image_invalid() -> TikTokError:
    return TikTokError(12052910, "Invalid parameter: data must be a JPG, JPEG or PNG image of at most 5 MB")
