"""Lazada's error envelope and codes (lazada-tokopedia.md §A6; the API reference's error tables).

``{"type": "ISV"|"ISP"|"SYSTEM", "code": "...", "message": "...", "request_id": "..."[, "detail": [...]]}``.
The gateway answers HTTP 200 for every refusal (§A6: the SDKs read ``code``, not the status); only the
injected server faults use 5xx (500 for an internal error, 504 for a time-out). Code names the sources do
not spell out (InvalidTimestamp, InvalidAppKey, the ISP fault codes) are this sandbox's choice, listed in
docs/marketplaces/lazada.md.
"""

from __future__ import annotations

from typing import Any


class LazadaError(Exception):
    """An answer in Lazada's error envelope."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        type_: str = "ISV",
        status: int = 200,
        detail: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.type = type_
        self.status = status
        self.detail = detail


def missing(name: str) -> LazadaError:
    return LazadaError(
        "MissingParameter",
        f'The input parameter "{name}" that is mandatory for processing this request is not supplied',
    )


def invalid(name: str, why: str = "") -> LazadaError:
    return LazadaError(
        "InvalidParameter", f'The input parameter "{name}" is invalid{": " + why if why else ""}'
    )


def incomplete_signature() -> LazadaError:
    return LazadaError("IncompleteSignature", "The request signature does not conform to lazada standards")


def invalid_timestamp() -> LazadaError:
    return LazadaError("InvalidTimestamp", "The specified timestamp is invalid or more than 7200 s from UTC")


def invalid_app_key() -> LazadaError:
    return LazadaError("InvalidAppKey", "The specified app key is invalid")


def illegal_access_token() -> LazadaError:
    return LazadaError("IllegalAccessToken", "The specified access token is invalid or expired")


def illegal_refresh_token() -> LazadaError:
    return LazadaError("IllegalRefreshToken", "The specified refresh token is invalid or expired")


def invalid_code() -> LazadaError:
    return LazadaError("InvalidCode", "Invalid authorization code")


def invalid_api_path(path: str) -> LazadaError:
    return LazadaError("InvalidApiPath", f"The specified API path {path} is invalid", type_="SYSTEM")


def api_call_limit() -> LazadaError:
    return LazadaError("ApiCallLimit", "The request has exceeded the limit of calls for this API; try later")


def internal_error(status: int = 500) -> LazadaError:
    return LazadaError(
        "InternalError", "The request has failed due to an internal error", type_="ISP", status=status
    )


def service_unavailable() -> LazadaError:
    return LazadaError(
        "ServiceUnavailable", "The request has failed due to a temporary failure of the server", type_="ISP"
    )


def service_timeout(status: int = 504) -> LazadaError:
    return LazadaError(
        "ServiceTimeout", "The request has timed out in the backend service", type_="ISP", status=status
    )


def business(code: str, message: str, detail: list[dict[str, Any]] | None = None) -> LazadaError:
    """A numeric business error (E0xx), e.g. ``business("19", 'E019: "60" Invalid Limit')``."""
    return LazadaError(code, message, detail=detail)


def image_foreign(url: str) -> LazadaError:
    """A create or update naming an image URL Lazada did not issue (only Lazada URLs are taken: LZA 120947;
    the code and wording are unverified)."""
    return business(
        "4146", f"IMAGE_URL_INVALID: {url} is not a Lazada image URL (upload or migrate it first)"
    )


def wrong_gateway(seller_country: str, gateway_country: str) -> LazadaError:
    return LazadaError(
        "InvalidParameter",
        f"The access token's seller belongs to the {seller_country} gateway, not the {gateway_country} one",
    )
