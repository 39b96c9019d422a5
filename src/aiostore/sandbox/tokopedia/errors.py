"""Tokopedia's error envelope and the codes the sandbox answers with (lazada-tokopedia.md §B6).

``{"header": {"process_time", "messages", "reason", "error_code"}, "data": null}``. Codes come from the
families the documentation lists; where it gives a status but no code (401, 429, unknown paths) the sandbox
picks a plain one, listed here:

| HTTP | error_code | when |
|---|---|---|
| 400 | PRD_API_007, ORD_API_002, ORD_USC_014, LGS_USC_012, ... | malformed input, wrong order state |
| 401 | UNAUTHORIZED | missing, unknown or expired Bearer token (``/token``: OAuth2 ``invalid_client``) |
| 403 | RBAC_MDLW_001 | the fs_id is not linked to the shop (since 2022-10-17) |
| 404 | ORD_API_008, PRD_API_008, NOT_FOUND | no such order / product / path |
| 429 | TOO_MANY_REQUESTS | rate limit (with the X-Ratelimit-* headers) |
| 500 | 0 (a number) | "We had a problem with our server. Try again later." (an injected fault) |
| 503 | ORD_API_006 | upstream busy (injected) |
| 504 | 0 | time-out (injected) |
"""

from __future__ import annotations

MALFORMED = "We could not process your request due to malformed request, please check again"
SERVER = "We had a problem with our server. Try again later."


class TokopediaError(Exception):
    """An answer in Tokopedia's error envelope."""

    def __init__(self, status: int, code: str | int, reason: str, messages: str = MALFORMED) -> None:
        super().__init__(f"{status} {code}: {reason}")
        self.status = status
        self.code = code
        self.reason = reason
        self.messages = messages


def malformed(code: str, reason: str) -> TokopediaError:
    return TokopediaError(400, code, reason)


def unauthorized(reason: str = "invalid or expired access token") -> TokopediaError:
    return TokopediaError(401, "UNAUTHORIZED", reason, "Unauthorized")


def not_linked(shop_id: object, fs_id: object) -> TokopediaError:
    return TokopediaError(
        403,
        "RBAC_MDLW_001",
        f"fs_id {fs_id} is not associated with shop_id {shop_id}",
        "You don't have permission to access this resource",
    )


def not_found(code: str, reason: str) -> TokopediaError:
    return TokopediaError(404, code, reason, "Data not found")


def rate_limited() -> TokopediaError:
    return TokopediaError(429, "TOO_MANY_REQUESTS", "rate limit exceeded", "Too many requests")


def server_error(status: int = 500) -> TokopediaError:
    return TokopediaError(status, 0, "", SERVER)


def busy() -> TokopediaError:
    return TokopediaError(503, "ORD_API_006", "upstream service is busy", SERVER)
