"""The API docs, offline and usable: Swagger UI from our own files, and a schema that says how to
authenticate. ReDoc is not served: it injects inline styles, which the strict CSP (`style-src 'self'`) blocks,
so it could only show an error page.

- The files come from the `fastapi-offline` wheel (a packaged Swagger UI 5), served under
  `/docs/static/`; no CDN, so `/docs` works on a laptop without internet.
- No inline script (a strict `script-src 'self'` holds): the page loads `/docs/init.js`.
- The schema declares `bearerAuth` (API tokens, `Authorization: Bearer aio_...`: the Authorize button)
  and `cookieAuth` (the browser session). A public route says `security: []`.
- A visitor signed in in the same browser calls the API with their session: `init.js` copies the
  `aiostore_csrf` cookie into `X-CSRF-Token` on every request, as the API requires for cookie sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from aiostore.web.deps import CSRF_COOKIE, SESSION_COOKIE

STATIC = "/docs/static"

_SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} API</title>
<link rel="stylesheet" href="{static}/swagger-ui.css">
<link rel="icon" href="{static}/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""

_INIT = """// Swagger UI for AIOStore: the schema, and the CSRF header for a signed-in browser session.
(function () {
  function csrf() {
    var found = document.cookie.match(/(?:^|; )%(cookie)s=([^;]*)/);
    return found ? decodeURIComponent(found[1]) : null;
  }
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      var token = csrf();
      if (token && !request.headers["%(header)s"]) {
        request.headers["%(header)s"] = token;
      }
      return request;
    }
  });
})();
"""

SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token (`POST /api/tokens`, shown once): `Authorization: Bearer aio_...`.",
    },
    "cookieAuth": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": (
            "The browser session of `POST /api/auth/login` (or the dashboard). Unsafe requests also send "
            f"the `{CSRF_COOKIE}` cookie's value as `X-CSRF-Token`; these docs do it for you."
        ),
    },
}


def static_dir() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def _is_public(route: APIRoute) -> bool:
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        if dep.call is not None and hasattr(dep.call, "__aiostore_public__"):
            return True
        stack.extend(dep.dependencies)
    return False


def with_security(doc: dict[str, Any], routers: Sequence[APIRouter]) -> dict[str, Any]:
    """The schema with the security schemes, required everywhere but on `routers`' public routes."""
    doc.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    doc["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
    for route in (r for router in routers for r in router.routes):
        if isinstance(route, APIRoute) and route.include_in_schema and _is_public(route):
            for method in route.methods or ():
                operation = doc.get("paths", {}).get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    operation["security"] = []
    return doc


def install(app: FastAPI, routers: Sequence[APIRouter]) -> None:
    """Serve /docs, /docs/init.js and the packaged files; the schema at /openapi.json.

    The app must be created with `docs_url=None, redoc_url=None` (FastAPI's own pages load a CDN)."""
    title = app.title
    generate = app.openapi  # FastAPI's, or another step's that wraps it (problems.declare_problems)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_security(generate(), routers)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    async def swagger() -> HTMLResponse:
        return HTMLResponse(_SWAGGER_PAGE.format(title=title, static=STATIC))

    async def init_js() -> Response:
        body = _INIT % {"cookie": CSRF_COOKIE, "header": "X-CSRF-Token"}
        return Response(body, media_type="text/javascript")

    app.add_api_route("/docs", swagger, include_in_schema=False)
    app.add_api_route("/docs/init.js", init_js, include_in_schema=False)
    app.mount(STATIC, StaticFiles(directory=static_dir()), name="docs-static")
