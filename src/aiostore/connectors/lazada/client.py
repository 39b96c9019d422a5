"""Lazada's transport: the regional gateways, signing, form-encoded POSTs, the envelope, the clock offset.

- One gateway per country (``https://api.lazada.co.id/rest`` ...) and one auth host for every country
  (``https://auth.lazada.com/rest``, token create and refresh). A base URL fixed by settings replaces the
  regional gateway (``{country}`` in it is replaced by the lowercase country code, so one sandbox can
  serve the three gateways by path prefix).
- System parameters (``app_key``, ``timestamp`` in milliseconds, ``sign_method``, ``access_token``,
  ``sign``) go in the query. GET business parameters go in the query too; POST business parameters are
  ``application/x-www-form-urlencoded`` body fields, as Lazada's SDKs send them. All are signed.
- Success is ``code == "0"``; the payload sits under ``data`` (``result`` for the fulfilment APIs), the
  token calls answer at the top level. A refused timestamp with a ``Date`` header that shows our clock is
  off corrects the offset and repeats the call once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx

from aiostore.connectors.errors import AuthExpired, ConnectorError, UnexpectedResponse
from aiostore.connectors.lazada import signing
from aiostore.connectors.lazada.errors import PLATFORM, error_for
from aiostore.connectors.transport import PlatformClient, Wiring, decode_envelope, server_time
from aiostore.domain.market import MarketCode
from aiostore.http.client import ApiRequest, JSONObject, Signature, SignedClient
from aiostore.http.retry import retry_after_seconds

GATEWAYS: dict[MarketCode, str] = {
    MarketCode.ID: "https://api.lazada.co.id/rest",
    MarketCode.SG: "https://api.lazada.sg/rest",
    MarketCode.MY: "https://api.lazada.com.my/rest",
}
AUTH_GATEWAY = "https://auth.lazada.com/rest"
FORM = "application/x-www-form-urlencoded;charset=utf-8"


def rest_url(base: str) -> str:
    """A gateway base URL ending in ``/rest`` (the signed API path follows it)."""
    base = base.rstrip("/")
    return base if base.endswith("/rest") else f"{base}/rest"


def auth_root(auth_base: str) -> str:
    """The auth host's root, where ``/oauth/authorize`` lives."""
    base = auth_base.rstrip("/")
    return base[: -len("/rest")] if base.endswith("/rest") else base


def gateway_for(base_url: str, country: MarketCode) -> str:
    if not base_url:
        return GATEWAYS[country]
    return rest_url(base_url.replace("{country}", country.value.lower()))


def form_fields(body: Any) -> dict[str, str]:
    if body is None:
        return {}
    if not isinstance(body, Mapping):
        raise TypeError("a Lazada POST body is a mapping of form fields")
    return {str(k): str(v) for k, v in body.items()}


class LazadaSignedClient(SignedClient):
    """``SignedClient`` with Lazada's POST shape: business parameters as form fields, not JSON."""

    def build_request(self, request: ApiRequest) -> httpx.Request:
        fields = form_fields(request.body)
        signature = self.signer(request, None)
        url = f"{(request.base_url or self.base_url).rstrip('/')}{request.path}"
        headers = {"Accept": "application/json", **signature.headers}
        if request.files:  # image/upload: the file is left out of the signature
            return super().build_request(request)
        content = None
        if request.body is not None:
            content = urlencode(fields).encode()
            headers["Content-Type"] = FORM
        return self.http.build_request(
            request.method,
            url,
            params=list(request.params + signature.params),
            content=content,
            headers=headers,
            timeout=self.policy.timeout,
        )


class LazadaClient(PlatformClient):
    def __init__(
        self,
        wiring: Wiring,
        *,
        app_key: str,
        app_secret: str,
        auth_base_url: str | None,
        access_token: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.app_key = app_key
        self._app_secret = app_secret
        self.auth_url = rest_url(auth_base_url or AUTH_GATEWAY)
        super().__init__(
            wiring,
            platform=PLATFORM,
            base_url="",
            access_token=access_token,
            signs_time=True,
            transport=LazadaSignedClient,
        )

    def timestamp_ms(self) -> int:
        return int(self.now() * 1000)

    # -- signing --------------------------------------------------------------------------------

    def _sign(self, request: ApiRequest, body: bytes | None) -> Signature:
        system = {"app_key": self.app_key, "timestamp": str(self.timestamp_ms()), "sign_method": "sha256"}
        if request.auth != "public":
            token = self._access_token()
            if not token:
                raise AuthExpired(
                    f"{request.name}: no seller authorized (no access token)", platform=PLATFORM
                )
            system["access_token"] = token
        signed = [*request.params, *form_fields(request.body).items(), *system.items()]
        sig = signing.sign(self._app_secret, request.path, signed)
        return Signature(params=(*system.items(), ("sign", sig)))

    def verify_push(self, raw_body: bytes, authorization: str | None) -> bool:
        return signing.verify_push(self.app_key, self._app_secret, raw_body, authorization)

    # -- decoding -------------------------------------------------------------------------------

    @staticmethod
    def _envelope_error(
        request: ApiRequest, body: JSONObject, response: httpx.Response
    ) -> ConnectorError | None:
        if body.get("code") is None or str(body.get("code")) == "0":
            return None
        return error_for(
            body,
            http_status=response.status_code,
            retry_after=retry_after_seconds(response),
            server_time=server_time(response),
        )

    def _decode(self, request: ApiRequest, response: httpx.Response) -> JSONObject:
        return decode_envelope(request, response, platform=PLATFORM, check=self._envelope_error)

    # -- calling --------------------------------------------------------------------------------

    async def data(self, request: ApiRequest) -> Any:
        """The ``data`` member of the envelope (None when Lazada sends none)."""
        return (await self.call(request)).get("data")


def data_object(payload: Any, what: str) -> JSONObject:
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise UnexpectedResponse(f"{what}: 'data' is not an object", platform=PLATFORM)
    return payload
