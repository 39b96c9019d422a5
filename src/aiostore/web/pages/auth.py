"""Sign in, register, sign out, switch organisation, accept an invitation, choose the language.

Each action calls the API's own endpoint function (web/routes/auth.py) with the model it takes, so a
form signs in, throttles and audits exactly as the JSON API does; only the answer differs (a redirect
with the same cookies, or the form again with its errors).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from starlette.responses import RedirectResponse

from aiostore.errors import AppError, Conflict, InvalidCredentials, TooManyRequests, invalid
from aiostore.services import auth
from aiostore.web import i18n
from aiostore.web.deps import AppSettings, Authenticated, Public, Session
from aiostore.web.pages.deps import public_context, safe_next, see_other, settle
from aiostore.web.pages.forms import parse
from aiostore.web.pages.rendering import render
from aiostore.web.routes import auth as api

router = APIRouter(include_in_schema=False)
Principal = Annotated[auth.Principal, Authenticated()]
Text = Annotated[str, Form(max_length=1024)]
LANG_COOKIE_SECONDS = 365 * 24 * 3600


def _with_cookies(target: RedirectResponse, source: Response) -> RedirectResponse:
    """The redirect carries the cookies the API endpoint set (or deleted)."""
    for name, value in source.raw_headers:
        if name == b"set-cookie":
            target.raw_headers.append((name, value))
    return target


@router.get("/", dependencies=[Public("the dashboard's front door")])
async def home() -> RedirectResponse:
    return see_other("/overview")


@router.get("/login", dependencies=[Public("the sign-in page")])
async def login_page(request: Request, next: str = "/overview") -> Response:
    return render(request, "auth/login.html", _login_context(request, next))


def _login_context(request: Request, next: str, **more: object) -> dict[str, object]:
    return (
        public_context(request)
        | {"next": safe_next(next), "email": "", "errors": {}, "form_error": None}
        | more
    )


@router.post("/login", dependencies=[Public("signing in from the page")])
async def login(
    request: Request, settings: AppSettings, email: Text = "", password: Text = "", next: Text = "/overview"
) -> Response:
    body, errors = parse(api.LoginIn, {"email": email, "password": password})
    ctx = _login_context(request, next, email=email, errors=errors)
    i18n.activate(str(ctx["lang"]))
    if body is None:
        return render(request, "auth/login.html", ctx, status=422)
    cookies = Response()
    try:
        await api.login(body, request, cookies, settings)
    except InvalidCredentials:
        ctx["form_error"] = i18n._("Wrong email or password.")
        return render(request, "auth/login.html", ctx, status=401)
    except TooManyRequests as exc:
        ctx["form_error"] = i18n._("Too many failed attempts. Wait a few minutes and try again.")
        return render(request, "auth/login.html", ctx, status=429, headers=exc.headers or None)
    return _with_cookies(see_other(safe_next(next)), cookies)


def _register_context(request: Request, values: dict[str, str], **more: object) -> dict[str, object]:
    return public_context(request) | {"values": values, "errors": {}, "form_error": None} | more


@router.get("/register", dependencies=[Public("the sign-up page")])
async def register_page(request: Request) -> Response:
    empty = dict.fromkeys(("display_name", "email", "organization_name"), "")
    return render(request, "auth/register.html", _register_context(request, empty))


@router.post("/register", dependencies=[Public("signing up from the page")])
async def register(
    request: Request,
    settings: AppSettings,
    email: Text = "",
    password: Text = "",
    display_name: Text = "",
    organization_name: Text = "",
) -> Response:
    values = {"email": email, "display_name": display_name, "organization_name": organization_name}
    body, errors = parse(api.RegisterIn, values | {"password": password})
    ctx = _register_context(request, values, errors=errors)
    i18n.activate(str(ctx["lang"]))
    if body is None:
        return render(request, "auth/register.html", ctx, status=422)
    cookies = Response()
    try:
        await api.register(body, request, cookies, settings)
    except Conflict:
        ctx["errors"] = {"email": i18n._("An account with this email exists. Sign in instead.")}
        return render(request, "auth/register.html", ctx, status=409)
    except TooManyRequests as exc:
        ctx["form_error"] = i18n._("Too many failed attempts. Wait a few minutes and try again.")
        return render(request, "auth/register.html", ctx, status=429, headers=exc.headers or None)
    return _with_cookies(see_other("/overview"), cookies)


@router.post("/logout")
async def logout(request: Request, session: Session, principal: Principal) -> Response:
    cookies = Response()
    await api.logout(request, cookies, session, principal)
    return _with_cookies(see_other("/login"), cookies)


@router.post("/orgs/switch")
async def switch_org(session: Session, principal: Principal, org_id: Text = "") -> Response:
    body, _ = parse(api.SwitchOrgIn, {"org_id": org_id})
    if body is None:
        raise invalid("org_id", "choose one of your organisations")
    await api.switch_org(body, session, principal)
    return see_other("/overview?done=switched")


@router.get("/invitations/accept")
async def invitation_page(
    request: Request, principal: Principal, org_id: str = "", token: str = ""
) -> Response:
    ctx = public_context(request) | {
        "email": principal.user.email,
        "csrf_token": principal.session.csrf_token if principal.session else "",
        "org_id": org_id,
        "token": token,
        "form_error": None,
    }
    return render(request, "auth/invitation.html", ctx)


@router.post("/invitations/accept")
async def accept_invitation(
    request: Request, session: Session, principal: Principal, org_id: Text = "", token: Text = ""
) -> Response:
    body, _ = parse(api.AcceptInvitationIn, {"org_id": org_id, "token": token})
    ctx = public_context(request) | {
        "email": principal.user.email,
        "csrf_token": principal.session.csrf_token if principal.session else "",
        "org_id": org_id,
        "token": token,
    }
    i18n.activate(str(ctx["lang"]))
    if body is None:
        ctx["form_error"] = i18n._("This invitation link is incomplete. Open it again from the email.")
        return render(request, "auth/invitation.html", ctx, status=422)
    try:
        await api.accept_invitation(body, request, session, principal)
    except AppError as exc:
        if exc.status >= 500:
            raise
        await settle(session, exc)
        ctx["form_error"] = i18n._("This invitation is not valid: it may have expired or been used.")
        return render(request, "auth/invitation.html", ctx, status=exc.status)
    return see_other("/overview?done=joined")


@router.post("/lang", dependencies=[Public("choosing the page language")])
async def choose_language(
    settings: AppSettings, lang: Annotated[str, Form(max_length=5)] = "", next: Text = "/overview"
) -> Response:
    response = see_other(safe_next(next))
    if lang in i18n.LANGUAGES:
        response.set_cookie(
            i18n.LANG_COOKIE,
            lang,
            max_age=LANG_COOKIE_SECONDS,
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
            path="/",
        )
    return response
