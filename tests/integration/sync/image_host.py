"""A web server of master product images for the market (host `img.example`): a PNG of 400×400 pixels
whose colour follows the path (the same path, whatever the query, is the same image), a JPEG under
`/jpeg/`, and the bad ones a publish must refuse: `/huge/` (larger than the Shopee and TikTok uploads
take), `/tiny/` (smaller than Lazada takes), `/gif/` (a format none takes), `/missing/` (404)."""

from __future__ import annotations

import hashlib
from typing import Any

from aiostore.services.demo.images import png

HOST = "img.example"


def image(path: str) -> tuple[int, str, bytes]:
    if path.startswith("/missing/"):
        return 404, "text/plain", b"not found"
    if path.startswith("/gif/"):
        return 200, "image/gif", b"GIF89a" + b"\x00" * 64
    if path.startswith("/tiny/"):
        return 200, "image/png", png(100, 100, path.encode())
    if path.startswith("/huge/"):  # 6 MB of incompressible bytes after a PNG header: > 5 MB (TikTok)
        head = png(400, 400, path.encode())
        return 200, "image/png", head + hashlib.shake_256(path.encode()).digest(6 * 2**20)
    return 200, "image/png", png(400, 400, path.encode())


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    status, kind, body = image(scope["path"])
    headers = [(b"content-type", kind.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
