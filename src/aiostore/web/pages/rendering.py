"""Templates: one Jinja environment, gettext wired to the request's language, partial rendering for htmx.

A page is one template; an htmx request (header `HX-Request`) for a page that names a block gets only
that block, so a table's fragment is never written twice (django-htmx's partials, netbox's tables).
Such a block is rendered without the rest of its template, so it imports the macros it uses itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from aiostore.connectors import registry
from aiostore.web import i18n
from aiostore.web.pages.labels import label

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"


def _query(request: Request, **changes: Any) -> str:
    """The current query string with `changes` applied (None removes a key): for paginators and filters."""
    params = {k: v for k, v in request.query_params.items() if k not in changes}
    params.update({k: str(v) for k, v in changes.items() if v is not None and v != ""})
    return "?" + urlencode(params) if params else "?"


def shop_platform(platform: str, display_platform: str | None = None) -> str:
    """How the seller knows a shop's platform (a Tokopedia shop served by TikTok's API stays Tokopedia)."""
    code = display_platform or platform
    try:
        return registry.plugin(code).title
    except registry.UnsupportedPlatform:
        return code


def here(request: Request) -> str:
    """The page to come back to after switching the language: this one, or, when this is the answer to
    a form (a POST), the page the form was on."""
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = referer.netloc == request.url.netloc and referer.path.startswith("/")
    return referer.path + (f"?{referer.query}" if referer.query else "") if same_site else "/overview"


def _build() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # install_gettext_callables is added by the i18n extension
    env.install_gettext_callables(gettext=i18n._, ngettext=i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["query"] = _query
    env.globals["shop_platform"] = shop_platform
    env.globals["here"] = here
    env.globals["label"] = label
    env.globals["languages"] = i18n.LANGUAGES
    return env


ENV = _build()


def is_partial(request: Request) -> bool:
    """An htmx request that wants a fragment (boosted navigations want the whole page)."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    block: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render page `name`; for an htmx request, only its `block` when one is given."""
    lang = context.get("lang") or i18n.choose(request)
    i18n.activate(lang)
    template = ENV.get_template(name)
    values = {"request": request, "lang": lang, **context}
    if block is not None and is_partial(request):
        html = "".join(template.blocks[block](template.new_context(values)))  # already escaped output
    else:
        html = template.render(values)
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers["Vary"] = "Accept-Language, Cookie, HX-Request"
    return response
