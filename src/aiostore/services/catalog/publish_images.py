"""A listing's images the platform's way, before its create or update: each master image (an http(s)
URL) fetched once per shop (a size limit, JPEG/PNG/WebP by its bytes, a timeout, no private or loopback
address unless the URL is under this service's own URL or the installation allows it: no SSRF), uploaded
through the shop's connector (Shopee media_space, TikTok images/upload, Lazada image/upload), and the
platform's id or URL used in the request. Each upload is remembered per shop by the master URL and by the
content's SHA-256 (`image_uploads`), so a re-publish or another product with the same image uploads
nothing again. Tokopedia takes picture URLs and fetches them itself: its URLs are only checked.

The job uploads all its shop's missing images first, as many a call as the platform's upload takes
(connector `limits.image_upload_batch`: Shopee 8, the others 1), so it makes the calls the preview's plan
counts: per shop, ceil(images / batch). A dry-run job uploads nothing (an upload is a write): images
not uploaded yet keep the master URL in the recorded request. An image that cannot be fetched or that
the platform refuses fails its listing with the reason, before anything of the listing is sent; an
upload our open circuit breaker refused (nothing sent) leaves its listings waiting for the circuit."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.errors import CircuitOpen, ConnectorError
from aiostore.db import bulk
from aiostore.db.models import ImageUpload, SyncJob
from aiostore.domain import publish
from aiostore.services.alerts.endpoints import UnsafeAddress, check_url
from aiostore.services.sync.context import ShopConnection, SyncContext

# What each platform's upload takes, by the first bytes (listings-and-categories.md §C): Lazada and
# Shopee JPG/PNG; TikTok JPG/PNG/WebP (its upload converts).
_FORMATS = {"jpeg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",), "webp": (b"RIFF",)}
_ACCEPTS = {"shopee": ("jpeg", "png"), "lazada": ("jpeg", "png"), "tiktokshop": ("jpeg", "png", "webp")}
_CONTENT_TYPES = {"image/jpeg": "jpeg", "image/jpg": "jpeg", "image/png": "png", "image/webp": "webp"}


_EXTENSIONS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "webp": "webp", "gif": "gif", "bmp": "bmp"}
_EXTENSIONS |= {"heic": "heic", "tif": "tiff", "tiff": "tiff", "svg": "svg"}


def format_of_url(url: str) -> str | None:
    """The image format a URL's extension names (for the preview's rules, before any fetch), else None:
    the job checks the bytes when it fetches."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return _EXTENSIONS.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None


def sends_images(platform: str, action: str, changes: Mapping[str, Any]) -> bool:
    """Whether a commit of this item sends the master images (a create; an update of the images where
    the platform's update takes them)."""
    if action == publish.CREATE:
        return True
    return (
        action == publish.UPDATE and "images" in changes and "images" not in publish.not_updatable(platform)
    )


async def uploads_needed(
    session: AsyncSession, wanted: Sequence[tuple[uuid.UUID, str, Sequence[str]]]
) -> dict[uuid.UUID, int]:
    """Per shop: the distinct master images of these (shop, platform, images) not uploaded to it yet
    (Tokopedia none: it takes URLs). An image uploaded under another URL with the same content is only
    found when its bytes are fetched, so it is counted here (an upper bound)."""
    urls: dict[uuid.UUID, set[str]] = {}
    for shop_id, platform, images in wanted:
        if platform in _ACCEPTS:
            urls.setdefault(shop_id, set()).update(images)
    if not urls:
        return {}
    every = {u for found in urls.values() for u in found}
    rows = await session.execute(
        select(ImageUpload.channel_account_id, ImageUpload.source_url).where(
            ImageUpload.channel_account_id.in_(list(urls)), ImageUpload.source_url.in_(list(every))
        )
    )
    for shop_id, url in rows:
        urls[shop_id].discard(url)
    return {shop_id: len(found) for shop_id, found in urls.items() if found}


class ImageRefused(Exception):
    """An image of the listing cannot be sent; the message says which and why."""


def _format(content: bytes) -> str | None:
    for name, starts in _FORMATS.items():
        if any(content.startswith(s) for s in starts) and (name != "webp" or content[8:12] == b"WEBP"):
            return name
    return None


async def fetch(sc: SyncContext, url: str) -> bytes:
    """The image at `url` (ImageRefused when it is not one we may or can fetch)."""
    settings = sc.settings
    own = url.startswith(settings.service_url + "/")
    try:
        await check_url(url, allow_private=own or settings.image_fetch_allow_private)
    except UnsafeAddress as exc:
        raise ImageRefused(f"the image {url} {exc}") from exc
    limit = settings.image_fetch_max_bytes
    try:
        async with sc.connectors.http.stream(
            "GET", url, timeout=settings.image_fetch_timeout_seconds, follow_redirects=False
        ) as resp:
            if resp.status_code != 200:
                raise ImageRefused(f"the image {url} answered HTTP {resp.status_code}")
            kind = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind not in _CONTENT_TYPES:
                raise ImageRefused(f"the image {url} is {kind or 'of no type'}, not JPEG, PNG or WebP")
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise ImageRefused(f"the image {url} is larger than {limit} bytes")
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise ImageRefused(f"the image {url} is larger than {limit} bytes")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise ImageRefused(f"the image {url} could not be fetched: {type(exc).__name__}") from exc
    return b"".join(chunks)


def _filename(url: str, fmt: str) -> str:
    name = urlsplit(url).path.rsplit("/", 1)[-1] or "image"
    return name if "." in name else f"{name}.{'jpg' if fmt == 'jpeg' else fmt}"


@dataclass
class ShopImages:
    """A job's master images on its shop: the platform's id (or URL) of each uploaded one, why each
    refused one cannot be sent, and the open circuit that refused each upload not sent."""

    ids: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    waiting: dict[str, CircuitOpen] = field(default_factory=dict)

    def of(self, urls: Sequence[str]) -> tuple[str, ...]:
        """The platform's ids of `urls`, in order (a dry run's not uploaded ones: the URL). Raises
        ImageRefused with the first refused image's reason, else the open circuit that refused the
        upload of one (CircuitOpen: the listing waits for it)."""
        for url in urls:
            if url in self.refused:
                raise ImageRefused(self.refused[url])
        for url in urls:
            if url in self.waiting:
                raise self.waiting[url]
        return tuple(self.ids.get(url, url) for url in urls)


@dataclass
class _Batch:
    """Fetched images not on the shop yet, by content (a repeat under another URL goes with the first)."""

    contents: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # digest -> (content, filename)
    urls: dict[str, list[str]] = field(default_factory=dict)  # digest -> master URLs


async def upload_all(
    sc: SyncContext, job: SyncJob, shop: ShopConnection, wanted: Iterable[str]
) -> ShopImages:
    """Every master image in `wanted` on the shop before any listing is sent: those not uploaded yet
    fetched and uploaded `limits.image_upload_batch` a call (Shopee 8: the fewest calls, the preview's
    plan), each remembered. A refused image is kept with its reason (its listings fail, the others go)."""
    urls = list(dict.fromkeys(wanted))
    out = ShopImages()
    if not urls:
        return out
    if shop.channel.platform not in _ACCEPTS:  # Tokopedia: the platform fetches picture URLs itself
        for url in urls:
            try:
                await check_url(url, allow_private=True)
            except UnsafeAddress as exc:
                out.refused[url] = f"the image {url} {exc}"
        return out
    async with sc.tx(job.org_id) as session:
        rows = await session.execute(
            select(ImageUpload.source_url, ImageUpload.image_id).where(
                ImageUpload.channel_account_id == shop.channel.id, ImageUpload.source_url.in_(urls)
            )
        )
        out.ids.update((url, image_id) for url, image_id in rows)
    if job.dry_run:  # an upload is a write
        return out
    limit = max(1, shop.connector.limits.image_upload_batch)
    batch = _Batch()
    for url in urls:
        if url in out.ids:
            continue
        try:
            content, fmt = await _checked(sc, shop, url)
        except ImageRefused as exc:
            out.refused[url] = str(exc)
            continue
        digest = hashlib.sha256(content).hexdigest()
        if digest in batch.urls:
            batch.urls[digest].append(url)
            continue
        same = await _same_content(sc, job, shop, digest)
        if same is not None:
            out.ids[url] = same[0]
            await _remember(sc, job, shop, [(url, digest, *same)])
            continue
        batch.contents[digest] = (content, _filename(url, fmt))
        batch.urls[digest] = [url]
        if len(batch.contents) == limit:
            await _send(sc, job, shop, batch, out)
            batch = _Batch()
    if batch.contents:
        await _send(sc, job, shop, batch, out)
    return out


async def _checked(sc: SyncContext, shop: ShopConnection, url: str) -> tuple[bytes, str]:
    content = await fetch(sc, url)
    fmt = _format(content)
    accepted = _ACCEPTS[shop.channel.platform]
    if fmt not in accepted:
        names = "/".join(a.upper() for a in accepted)
        raise ImageRefused(f"the image {url} is not {names} ({shop.channel.platform} takes only those)")
    return content, fmt


async def _same_content(
    sc: SyncContext, job: SyncJob, shop: ShopConnection, digest: str
) -> tuple[str, str] | None:
    """The image already on the shop with this content (uploaded under another URL), if any."""
    async with sc.tx(job.org_id) as session:
        same = (
            await session.execute(
                select(ImageUpload.image_id, ImageUpload.url)
                .where(
                    ImageUpload.channel_account_id == shop.channel.id, ImageUpload.content_sha256 == digest
                )
                .limit(1)
            )
        ).first()
    return None if same is None else (str(same[0]), str(same[1]))


async def _send(sc: SyncContext, job: SyncJob, shop: ShopConnection, batch: _Batch, out: ShopImages) -> None:
    """One upload call of the batch; each image uploaded remembered, each refused kept with its reason."""
    digests = list(batch.contents)
    try:
        results = await shop.connector.upload_images([batch.contents[d] for d in digests])
    except CircuitOpen as exc:  # nothing sent: the batch's listings wait for the circuit
        out.waiting.update((url, exc) for digest in digests for url in batch.urls[digest])
        return
    except ConnectorError as exc:
        for digest in digests:
            for url in batch.urls[digest]:
                out.refused[url] = f"{exc.platform} refused the image {url}: {exc}"
        return
    done: list[tuple[str, str, str, str]] = []
    for digest, result in zip(digests, results, strict=True):
        for url in batch.urls[digest]:
            if result.image is None:
                out.refused[url] = f"{shop.channel.platform} refused the image {url}: {result.error}"
            else:
                out.ids[url] = result.image.image_id
                done.append((url, digest, result.image.image_id, result.image.url))
    await _remember(sc, job, shop, done)


async def _remember(
    sc: SyncContext, job: SyncJob, shop: ShopConnection, done: Sequence[tuple[str, str, str, str]]
) -> None:
    """(master URL, content SHA-256, platform image id, platform URL) rows of `image_uploads`."""
    if not done:
        return
    async with sc.tx(job.org_id) as session:
        await bulk.insert_rows(
            session,
            ImageUpload,
            [
                {
                    "org_id": job.org_id,
                    "channel_account_id": shop.channel.id,
                    "source_url": url,
                    "content_sha256": digest,
                    "image_id": image_id,
                    "url": platform_url,
                }
                for url, digest, image_id, platform_url in done
            ],
            skip_conflicts_on=("channel_account_id", "source_url"),
        )
