"""The demo products' images, served in this process (host `images.demo.aiostore.invalid`, reached only
through the demo's HTTP client, like its sandboxes): a plain PNG of 600×600 pixels whose colour follows
the path, so a publish fetches and uploads them to each demo shop the platforms' way."""

from __future__ import annotations

import hashlib
import struct
import zlib

import httpx

HOST = "images.demo.aiostore.invalid"
SIDE = 600  # within every platform's pixel limits (Lazada 330-5000, TikTok 300-4000)


def png(width: int, height: int, seed: bytes) -> bytes:
    """A PNG of one colour (from `seed`), `width` × `height` pixels."""
    colour = hashlib.sha256(seed).digest()[:3]
    raw = zlib.compress((b"\x00" + colour * width) * height, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def response(request: httpx.Request) -> httpx.Response:
    if request.method != "GET":
        return httpx.Response(405)
    return httpx.Response(
        200, content=png(SIDE, SIDE, request.url.path.encode()), headers={"content-type": "image/png"}
    )
