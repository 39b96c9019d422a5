"""Shopee's transport: signs every request, unwraps the envelope, learns the clock offset.

- Common parameters (partner_id, timestamp, sign [, access_token, shop_id]) always go in the query.
- ``timestamp`` is Unix seconds from our clock plus an offset; when Shopee answers "Timestamp is
  expired" and its ``Date`` header shows our clock is off, the offset is corrected and the call repeated
  once.
- The envelope: ``error`` non-empty means failure, whatever the HTTP status (200 or 4xx/5xx). Payloads
  sit under ``response``, except the auth token calls and ``shop/get_shop_info`` (top level).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from aiostore.connectors.errors import AuthExpired, ConnectorError, UnexpectedResponse
from aiostore.connectors.shopee import signing
from aiostore.connectors.shopee.errors import PLATFORM, error_for
from aiostore.connectors.transport import PlatformClient, Wiring, answer_details, decode_envelope
from aiostore.http.client import ApiRequest, JSONObject, Signature


class ShopeeClient(PlatformClient):
    def __init__(
        self,
        wiring: Wiring,
        *,
        base_url: str,
        partner_id: str,
        partner_key: str,
        shop_id: str | None = None,
        access_token: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.partner_id = partner_id
        self._partner_key = partner_key
        self.shop_id = shop_id
        super().__init__(
            wiring, platform=PLATFORM, base_url=base_url, access_token=access_token, signs_time=True
        )

    @property
    def base_url(self) -> str:
        return self.client.base_url

    # -- signing --------------------------------------------------------------------------------

    def _sign(self, request: ApiRequest, body: bytes | None) -> Signature:
        ts = self.timestamp()
        common: list[tuple[str, str]] = [("partner_id", self.partner_id), ("timestamp", str(ts))]
        if request.auth == "public":
            sig = signing.sign_public(self._partner_key, self.partner_id, request.path, ts)
            return Signature(params=(*common, ("sign", sig)))
        token = self._access_token()
        if not token or not self.shop_id:
            raise AuthExpired(
                f"{request.name}: no shop authorized (a shop call needs a shop_id and an access token)",
                platform=PLATFORM,
            )
        sig = signing.sign_shop(self._partner_key, self.partner_id, request.path, ts, token, self.shop_id)
        return Signature(params=(*common, ("access_token", token), ("shop_id", self.shop_id), ("sign", sig)))

    def auth_partner_url(self, redirect: str) -> str:
        return signing.auth_partner_url(
            self.base_url, self.partner_id, self._partner_key, self.timestamp(), redirect
        )

    def verify_push(self, url: str, raw_body: bytes, authorization: str | None) -> bool:
        return signing.verify_push(self._partner_key, url, raw_body, authorization)

    # -- decoding -------------------------------------------------------------------------------

    def _envelope_error(
        self, request: ApiRequest, body: JSONObject, response: httpx.Response
    ) -> ConnectorError | None:
        code = str(body.get("error") or "")
        if not code:
            return None
        now = datetime.fromtimestamp(self.clock(), UTC)
        return error_for(code, str(body.get("message") or ""), now=now, **answer_details(body, response))

    def _decode(self, request: ApiRequest, response: httpx.Response) -> JSONObject:
        return decode_envelope(request, response, platform=PLATFORM, check=self._envelope_error)

    # -- calling --------------------------------------------------------------------------------

    async def response(self, request: ApiRequest) -> JSONObject:
        """The ``response`` object of a wrapped call ({} when Shopee sends none, e.g. ship_order)."""
        envelope = await self.call(request)
        payload = envelope.get("response")
        if payload is None:
            return {}
        if not isinstance(payload, dict):
            raise UnexpectedResponse(f"{request.name}: 'response' is not an object", platform=PLATFORM)
        return payload
