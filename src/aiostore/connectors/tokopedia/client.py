"""Tokopedia's transport: Basic auth for the app token, Bearer on every FS API call, the envelope unwrapped.

- The token call goes to the accounts host (``AppCredentials.auth_base_url``), every other call to the
  FS host (``AppCredentials.base_url``); ``ApiRequest.auth`` is ``"basic"`` for the first, ``"bearer"``
  for the rest.
- Success is HTTP 2xx with no ``header.error_code``; ``data`` holds the payload. A few v2/v3 product
  endpoints answer ``{"status", "error_message": [...]}`` instead (§B6): a non-empty ``error_message`` is an
  error too.
- A 429 carries ``X-Ratelimit-Reset-After`` (seconds until one request is regained, ``-0.000000`` while
  requests remain) and ``X-Ratelimit-Full-Reset-After``: the wait before the retry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from aiostore.connectors.errors import AuthExpired, InvalidRequest, UnexpectedResponse
from aiostore.connectors.tokopedia import signing
from aiostore.connectors.tokopedia.errors import PLATFORM, error_for
from aiostore.connectors.transport import PlatformClient, Wiring, json_or_none
from aiostore.http.client import ApiRequest, JSONObject, Signature
from aiostore.http.retry import retry_after_seconds

BASIC = "basic"
BEARER = "bearer"


def rate_limit_wait(response: httpx.Response) -> float | None:
    """Seconds to wait after a 429: the platform's reset hint, else ``Retry-After``."""
    for header in ("x-ratelimit-reset-after", "x-ratelimit-full-reset-after"):
        value = response.headers.get(header)
        if value is None:
            continue
        try:
            seconds = float(value)
        except ValueError:
            continue
        if seconds > 0:
            return seconds
    return retry_after_seconds(response)


def _code(header: Any) -> str | None:
    """The header's error_code as text, None when the header carries none (absent, null or "")."""
    if not isinstance(header, dict) or "error_code" not in header:
        return None
    code = header["error_code"]
    if code is None or code == "":
        return None
    return str(code)


class TokopediaClient(PlatformClient):
    def __init__(
        self,
        wiring: Wiring,
        *,
        base_url: str,
        auth_base_url: str,
        client_id: str,
        client_secret: str,
        fs_id: str,
        access_token: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self.fs_id = fs_id
        self.auth_base_url = auth_base_url.rstrip("/")
        # the Rate Limit page: 5 req/s with bursts of 5 per endpoint
        super().__init__(
            wiring, platform=PLATFORM, base_url=base_url, access_token=access_token, per_endpoint=True
        )

    # -- signing --------------------------------------------------------------------------------

    def _sign(self, request: ApiRequest, body: bytes | None) -> Signature:
        if request.auth == BASIC:
            return Signature(
                headers={"Authorization": signing.basic_authorization(self.client_id, self._client_secret)}
            )
        token = self._access_token()
        if not token:
            raise AuthExpired(f"{request.name}: no app token yet", platform=PLATFORM)
        return Signature(headers={"Authorization": signing.bearer_authorization(token)})

    # -- decoding -------------------------------------------------------------------------------

    def _decode(self, request: ApiRequest, response: httpx.Response) -> JSONObject:
        status = response.status_code
        body = json_or_none(response)
        wait = rate_limit_wait(response) if status == 429 else None
        if request.auth == BASIC:
            return self._decode_token(request, status, body, wait)
        if not isinstance(body, dict):
            if status >= 400:
                raise error_for("", f"{request.name}: HTTP {status}", http_status=status, retry_after=wait)
            raise UnexpectedResponse(f"{request.name}: HTTP {status}, not a JSON object", platform=PLATFORM)
        header = body.get("header")
        code = _code(header)
        if code is not None or status >= 400:
            head = header if isinstance(header, dict) else {}
            raise error_for(
                code or "",
                str(head.get("messages") or ""),
                http_status=status,
                reason=str(head.get("reason") or ""),
                retry_after=wait,
            )
        errors = body.get("error_message")
        if isinstance(errors, list) and errors:
            raise InvalidRequest(
                f"{request.name}: {'; '.join(str(e) for e in errors)}",
                platform=PLATFORM,
                platform_code=str(body.get("status") or ""),
            )
        return body

    @staticmethod
    def _decode_token(request: ApiRequest, status: int, body: Any, wait: float | None) -> JSONObject:
        if 200 <= status < 300 and isinstance(body, dict) and body.get("access_token"):
            return body
        detail = ""
        if isinstance(body, dict):
            detail = str(body.get("error_description") or body.get("error") or "")
        code = str(body.get("error") or "") if isinstance(body, dict) else ""
        if status in (400, 401, 403):
            # the client credentials were refused: nothing to retry, an operator must fix them
            raise AuthExpired(
                f"{request.name}: the client credentials were refused ({detail or status})",
                platform=PLATFORM,
                platform_code=code,
            )
        raise error_for(code, f"{request.name}: {detail or 'no token'}", http_status=status, retry_after=wait)

    # -- calling --------------------------------------------------------------------------------

    async def data(self, request: ApiRequest) -> Any:
        """The envelope's ``data``."""
        envelope = await self.call(request)
        return envelope.get("data")
