"""Outbound webhook endpoints of an organisation: an http(s) URL without credentials, refused when it
resolves to a private, loopback or link-local address (SSRF) unless the installation allows them; a
`whsec_` secret generated here, shown once, stored sealed."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import AlertWebhook
from aiostore.errors import NotFound, invalid
from aiostore.security.crypto import TokenCipher
from aiostore.services import audit
from aiostore.services.alerts import signing
from aiostore.services.context import OrgContext

MAX_ENDPOINTS = 20
RESOLVE_SECONDS = 5.0


class UnsafeAddress(ValueError):
    """The URL is not one we send to; the message says why."""


def _check_shape(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeAddress("must be an http or https URL")
    if parts.username is not None or parts.password is not None:
        raise UnsafeAddress("must not carry credentials (put them in the receiver's configuration)")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeAddress("has an invalid port") from exc
    if not parts.hostname:
        raise UnsafeAddress("must name a host")
    return parts.hostname, port


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def check_url(url: str, *, allow_private: bool) -> None:
    """Raise UnsafeAddress unless `url` is an http(s) URL whose host resolves to public addresses only."""
    host, port = _check_shape(url)
    if allow_private:
        return
    try:
        infos = await asyncio.wait_for(
            asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_SECONDS
        )
    except (OSError, TimeoutError, UnicodeError) as exc:
        raise UnsafeAddress("its host does not resolve") from exc
    if not infos or any(_private(str(info[4][0])) for info in infos):
        raise UnsafeAddress("resolves to a private, loopback or link-local address")


@dataclass(frozen=True, slots=True)
class CreatedEndpoint:
    endpoint: AlertWebhook
    secret: str


async def create(
    session: AsyncSession,
    ctx: OrgContext,
    cipher: TokenCipher,
    *,
    name: str,
    url: str,
    language: str,
    allow_private: bool,
) -> CreatedEndpoint:
    try:
        await check_url(url, allow_private=allow_private)
    except UnsafeAddress as exc:
        raise invalid("url", f"the URL {exc}", code="unsafe_url") from exc
    count = len((await session.scalars(select(AlertWebhook.id))).all())
    if count >= MAX_ENDPOINTS:
        raise invalid(
            "url", f"an organisation may have at most {MAX_ENDPOINTS} webhook endpoints", "too_many"
        )
    secret = signing.new_secret()
    endpoint = AlertWebhook(
        org_id=ctx.org_id,
        name=name,
        url=url,
        secret_enc=cipher.encrypt(secret),
        language=language,
        enabled=True,
        created_by=ctx.actor.user_id,
    )
    session.add(endpoint)
    await session.flush()
    after = {"name": name, "url": url, "language": language}
    await audit.record(session, ctx, "alert_webhook.created", "alert_webhook", endpoint.id, after=after)
    return CreatedEndpoint(endpoint, secret)


async def list_endpoints(session: AsyncSession) -> list[AlertWebhook]:
    return list((await session.scalars(select(AlertWebhook).order_by(AlertWebhook.created_at))).all())


async def delete(session: AsyncSession, ctx: OrgContext, endpoint_id: uuid.UUID) -> AlertWebhook:
    endpoint = await session.scalar(select(AlertWebhook).where(AlertWebhook.id == endpoint_id))
    if endpoint is None:
        raise NotFound("no such webhook endpoint")
    before = {"name": endpoint.name, "url": endpoint.url, "language": endpoint.language}
    await session.delete(endpoint)
    await session.flush()
    await audit.record(session, ctx, "alert_webhook.deleted", "alert_webhook", endpoint.id, before=before)
    return endpoint
