"""Page tests: a signed-in browser through the ASGI client (HTML asked for, forms posted as forms)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Caller

HTML = {"Accept": "text/html,application/xhtml+xml"}


def form(caller: Caller, **fields: Any) -> dict[str, Any]:
    """A form as the page renders it: with its hidden CSRF field (no header: no script sent it)."""
    return {"csrf_token": caller.headers["X-CSRF-Token"], **fields}


async def get_page(caller: Caller, url: str, **headers: str) -> httpx.Response:
    return await caller.client.get(url, headers=HTML | headers)


async def submit(caller: Caller, url: str, data: dict[str, Any], **headers: str) -> httpx.Response:
    return await caller.client.post(url, data=data, headers=HTML | headers)


def squash(html: str) -> str:
    """The page with runs of whitespace made one space, so assertions read like the rendered text."""
    return " ".join(html.split())
