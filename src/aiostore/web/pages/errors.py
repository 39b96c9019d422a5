"""Errors as pages for browsers (web/negotiation.py), problem+json for everyone else: a sign-in
redirect for a 401 on a page, an error page for the rest."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from aiostore.errors import AppError
from aiostore.web import i18n, problems
from aiostore.web.i18n import N_
from aiostore.web.negotiation import wants_html
from aiostore.web.pages.deps import public_context, see_other
from aiostore.web.pages.rendering import render

TITLES = {
    400: N_("The request was not understood"),
    401: N_("Please sign in"),
    403: N_("Your role does not allow this"),
    404: N_("Not found"),
    405: N_("Not found"),
    409: N_("That conflicts with the current state"),
    422: N_("Some values are not valid"),
    429: N_("Too many attempts; wait a little"),
    502: N_("The marketplace refused or failed the call"),
    503: N_("The marketplace is not answering right now"),
}


def error_page(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    if status == 401 and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return see_other("/login?next=" + quote(target, safe="/"))
    context = public_context(request)
    i18n.activate(context["lang"])
    title = TITLES.get(status, N_("Something went wrong"))
    context |= {"status": status, "title": i18n._(title), "detail": detail}
    return render(request, "error.html", context, status=status, headers=headers)


def install(app: FastAPI) -> None:
    """Put the HTML answers in front of the problem+json handlers installed by problems.install."""

    async def app_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AppError)  # noqa: S101
        if wants_html(request):
            return error_page(request, exc.status, exc.detail, exc.headers or None)
        return problems.render(request, exc)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)  # noqa: S101
        if wants_html(request):
            fields = ", ".join(sorted({problems.field_of(e) for e in exc.errors()}))
            return error_page(request, 422, fields)
        return problems.validation_problem(request, exc)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101
        if wants_html(request):
            return error_page(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))
        return problems.http_problem(request, exc)

    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
