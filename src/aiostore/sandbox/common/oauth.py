"""What every sandbox's approval page shares (DESIGN.md "Marketplace sandboxes"): the page stands for the
platform's seller login and consent screen; the seller's confirmation comes back to `APPROVE_PATH` (a
`/_sandbox/` path, not part of any platform's contract) as form fields or query parameters, and the browser
is sent on to the app's redirect URL with the platform's own parameters."""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse

APPROVE_PATH = "/_sandbox/oauth/approve"


def with_query(url: str, extra: dict[str, str]) -> str:
    """`url` with `extra` added to its query (its own parameters kept, blank ones too)."""
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *extra.items()])
    return urlunsplit(parts._replace(query=query))


def is_web_url(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def approve_action(request: Request) -> str:
    """The approval form's action, HTML-escaped, under the app's mount point."""
    return html.escape(request.scope.get("root_path", "") + APPROVE_PATH)


async def approval_fields(request: Request) -> dict[str, str]:
    """The seller's confirmation: form fields (POST) or query parameters (GET)."""
    if request.method == "POST":
        return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    return dict(request.query_params)


def page_error(message: str) -> HTMLResponse:
    return HTMLResponse(f"<p>{html.escape(message)}</p>", 400)
