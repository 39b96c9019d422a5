"""TikTok Shop's transport: signs every request, unwraps the envelope, learns the clock offset.

Reusable as is for Tokopedia shops served through TikTok Shop: the hosts, the platform name (breaker,
limiter and error labels) and the token/cipher sources are all injected; nothing here knows a shop.

Each ``ApiRequest.auth`` names one of TikTok's schemes:

- ``shop``: signed; query ``app_key``, ``timestamp``, ``shop_cipher``, ``sign``; header ``x-tts-access-token``
  (order, product, fulfillment, return_refund, logistics, event APIs);
- ``seller``: the same without ``shop_cipher`` (``/authorization/…``, ``/seller/…``);
- ``app``: signed, no token;
- ``token``: the auth host's token endpoints, unsigned, ``app_key`` and ``app_secret`` in the query.

``timestamp`` is Unix seconds from our clock plus an offset; when TikTok refuses it and its ``Date``
header shows our clock is off, the offset is corrected and the call repeated once.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

import httpx

from aiostore.connectors.errors import AuthExpired, ConnectorError, InvalidRequest, UnexpectedResponse
from aiostore.connectors.tiktokshop import signing
from aiostore.connectors.tiktokshop.errors import PLATFORM, error_for
from aiostore.connectors.transport import PlatformClient, Wiring, answer_details, decode_envelope
from aiostore.http.client import ApiRequest, JSONObject, Signature

SHOP, SELLER, APP, TOKEN = "shop", "seller", "app", "token"
TOKEN_HEADER = "x-tts-access-token"  # noqa: S105 - a header name
# A token to use instead of the kept one, for this task only (the shops lookup right after token/get).
_TOKEN_OVERRIDE: ContextVar[str | None] = ContextVar("tiktokshop_token_override", default=None)


class TikTokShopClient(PlatformClient):
    def __init__(
        self,
        wiring: Wiring,
        *,
        base_url: str,
        auth_base_url: str,
        app_key: str,
        app_secret: str,
        platform: str = PLATFORM,
        access_token: Callable[[], str | None] = lambda: None,
        shop_cipher: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.app_key = app_key
        self._app_secret = app_secret
        self.auth_base_url = auth_base_url.rstrip("/")
        self._shop_cipher = shop_cipher
        super().__init__(
            wiring, platform=platform, base_url=base_url, access_token=access_token, signs_time=True
        )

    # -- signing --------------------------------------------------------------------------------

    def _sign(self, request: ApiRequest, body: bytes | None) -> Signature:
        if request.auth == TOKEN:
            return Signature(params=(("app_key", self.app_key), ("app_secret", self._app_secret)))
        common: list[tuple[str, str]] = [("app_key", self.app_key), ("timestamp", str(self.timestamp()))]
        headers: dict[str, str] = {}
        if request.auth == SHOP:
            cipher = self._shop_cipher()
            if not cipher:
                raise InvalidRequest(
                    f"{request.name}: no shop_cipher (the shop is not among the authorized shops)",
                    platform=self.platform,
                )
            common.append(("shop_cipher", cipher))
        if request.auth in (SHOP, SELLER):
            token = _TOKEN_OVERRIDE.get() or self._access_token()
            if not token:
                raise AuthExpired(
                    f"{request.name}: no access token (authorize the shop)", platform=self.platform
                )
            headers[TOKEN_HEADER] = token
        sig = signing.sign(self._app_secret, request.path, (*request.params, *common), body)
        return Signature(params=(*common, ("sign", sig)), headers=headers)

    def token_request(self, path: str, params: tuple[tuple[str, str], ...], op: str) -> ApiRequest:
        """A token endpoint call on the auth host (never repeated: an auth code is single-use)."""
        return ApiRequest("GET", path, params, op=op, auth=TOKEN, base_url=self.auth_base_url)

    def verify_push(self, raw_body: bytes, authorization: str | None) -> bool:
        return signing.verify_webhook(self.app_key, self._app_secret, raw_body, authorization)

    # -- decoding -------------------------------------------------------------------------------

    def _envelope_error(
        self, request: ApiRequest, body: JSONObject, response: httpx.Response
    ) -> ConnectorError | None:
        if body.get("code") is None:
            if response.status_code >= 400:
                return None  # a gateway's answer: its status says what happened
            return UnexpectedResponse(f"{request.name}: the answer has no code", platform=self.platform)
        try:
            code = int(body["code"])
        except (TypeError, ValueError):
            return UnexpectedResponse(f"{request.name}: code {body['code']!r}", platform=self.platform)
        if code == 0:
            return None
        message = str(body.get("message") or "")
        return error_for(code, message, platform=self.platform, **answer_details(body, response))

    def _decode(self, request: ApiRequest, response: httpx.Response) -> JSONObject:
        return decode_envelope(request, response, platform=self.platform, check=self._envelope_error)

    # -- calling --------------------------------------------------------------------------------

    async def data(self, request: ApiRequest) -> JSONObject:
        """The ``data`` object of a call ({} when TikTok sends none)."""
        payload = (await self.call(request)).get("data")
        if payload is None:
            return {}
        if not isinstance(payload, dict):
            raise UnexpectedResponse(f"{request.name}: 'data' is not an object", platform=self.platform)
        return payload

    async def data_with_token(self, request: ApiRequest, access_token: str) -> JSONObject:
        """``data`` signed with ``access_token`` instead of the kept one (this task only)."""
        reset = _TOKEN_OVERRIDE.set(access_token)
        try:
            return await self.data(request)
        finally:
            _TOKEN_OVERRIDE.reset(reset)
