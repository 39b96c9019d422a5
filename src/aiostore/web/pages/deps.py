"""What every signed-in page knows: the caller, their organizations, the language and the formatter.

`PageFor(permission)` is the page twin of `RequirePermission`: it wraps that very dependency, so a page
or a page action is refused exactly as its API is (401, 403, CSRF), and the route walk test sees the
same mark. Actions a role may not take are also left out of the page (`page.can(...)`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, RedirectResponse

from aiostore.db.models import ChannelAccount
from aiostore.domain.permissions import Permission, Role
from aiostore.errors import AppError
from aiostore.services import accounts, auth
from aiostore.services.alerts import notifications
from aiostore.services.context import OrgContext
from aiostore.web import i18n
from aiostore.web.deps import CSRF_FIELD, CurrentPrincipal, RequirePermission, Session
from aiostore.web.format import Formatter
from aiostore.web.i18n import N_
from aiostore.web.pages.rendering import render

# What a page says after an action redirected back to it (`?done=<key>`); unknown keys show nothing.
NOTICES = {
    "connected": N_("The shop is connected."),
    "refreshed": N_("The shop's authorisation was renewed."),
    "disconnected": N_("The shop is disconnected. Its listings, orders and history stay."),
    "write_mode": N_("The shop's write mode is saved. Its next jobs follow it."),
    "switched": N_("You are now working in this organisation."),
    "joined": N_("You joined the organisation."),
    "retried": N_("The job will run again."),
    "cancelled": N_("The job is cancelled."),
    "requested": N_("Requested. A job sends it to the marketplace; follow it on the Jobs page."),
    "linked": N_("The listing's link to the master catalog is saved. Its stock follows the variant."),
    "role_changed": N_("The member's role is changed."),
    "removed": N_("The member is removed from the organisation."),
    "invited": N_("The invitation is sent. The person joins once they accept it."),
    "revoked": N_("The token is revoked. Scripts using it are refused from now on."),
    "renamed": N_("The organisation's name is saved."),
    "withdrawn": N_("The invitation is withdrawn; its link no longer works."),
    "read": N_("Marked as read."),
    "preferences": N_("Your alert settings are saved."),
    "previewed": N_("Previewed. Nothing has changed yet: read the items, then commit."),
    "committed": N_("Committed. The shops receive the new numbers with their next push, within seconds."),
    "published": N_("Committed. The jobs below send each shop its listings: follow them there."),
    "awaiting": N_("Committed for approval: another admin or owner applies it from this page."),
    "approved": N_("Approved and applied."),
    "rejected": N_("Rejected. Nothing was applied."),
    "resolved": N_("Done. A value sent again reaches the shop with its next push."),
    "policy": N_("The policy is saved. The next reconciliation follows it."),
    "overrides": N_("The listing's overrides are saved. The next publish sends them to the shop."),
    "overrides_cleared": N_("The overrides are removed: the listing shows the master product again."),
}


def safe_next(value: str | None, default: str = "/overview") -> str:
    """A local path to go back to; anything that could leave the site becomes `default`."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def demo_enabled(request: Request) -> bool:
    return bool(getattr(request.app.state, "demo_enabled", False))


@dataclass
class PageContext:
    request: Request
    ctx: OrgContext
    principal: auth.Principal
    lang: str
    fmt: Formatter
    orgs: list[dict[str, Any]] = field(default_factory=list)
    # Copied when the page starts: a rollback after a caught error expires the ORM objects.
    user_name: str = ""
    csrf_token: str = ""
    signed_in: bool = False  # a browser session (not an API token): it can sign out, switch org
    unread: int = 0  # the bell's count: the caller's unread notifications

    @property
    def role(self) -> Role:
        return self.ctx.role

    def can(self, permission: Permission | str) -> bool:
        return self.ctx.can(Permission(permission))

    def render(self, name: str, context: dict[str, Any], **kwargs: Any) -> HTMLResponse:
        notice = NOTICES.get(self.request.query_params.get("done", ""))
        base = {
            "lang": self.lang,
            "fmt": self.fmt,
            "page": self,
            "org_name": next((o["name"] for o in self.orgs if o["current"]), ""),
            "orgs": self.orgs,
            "csrf_token": self.csrf_token,
            "csrf_field": CSRF_FIELD,
            "can": self.can,
            "notice": i18n.translations(self.lang).gettext(notice) if notice else None,
        }
        return render(self.request, name, {**base, **context}, **kwargs)


async def _default_market(session: Session) -> str | None:
    """The market whose clock shows times that have none of their own: the org's only market, if one."""
    markets = (await session.scalars(select(ChannelAccount.market).distinct().limit(2))).all()
    return markets[0] if len(markets) == 1 else None


def PageFor(permission: Permission) -> Any:  # noqa: N802  (reads as a type in signatures)
    """A signed-in page or page action needing `permission`; refused like the API otherwise."""

    allowed = RequirePermission(permission)  # a default value: annotations here are strings, unresolvable

    async def dependency(
        request: Request, session: Session, principal: CurrentPrincipal, ctx: OrgContext = allowed
    ) -> PageContext:
        lang = i18n.choose(request)
        i18n.activate(lang)
        orgs: list[dict[str, Any]] = []
        if principal.session is not None:  # an API token acts in its one org only
            orgs = [
                {"id": o.id, "name": o.name, "role": m.role, "current": o.id == ctx.org_id}
                for m, o in await accounts.memberships_of(session, principal.user.id)
            ]
        else:
            org = await accounts.get_org(session, ctx)
            orgs = [{"id": org.id, "name": org.name, "role": ctx.role.value, "current": True}]
        fmt = Formatter(lang, await _default_market(session))
        user = principal.user
        csrf_token = principal.session.csrf_token if principal.session else ""
        return PageContext(
            request,
            ctx,
            principal,
            lang,
            fmt,
            orgs,
            user.display_name or user.email,
            csrf_token,
            principal.session is not None,
            await notifications.unread_count(session, ctx),
        )

    return Depends(dependency)


Page = Annotated[PageContext, PageFor(Permission.READ)]


def public_context(request: Request) -> dict[str, Any]:
    """The context of a page anyone may see (sign in, register, errors)."""
    lang = i18n.choose(request)
    return {
        "lang": lang,
        "fmt": Formatter(lang),
        "page": None,
        "csrf_token": "",
        "csrf_field": CSRF_FIELD,
        "notice": None,
        "demo_enabled": demo_enabled(request),
    }


async def settle(session: AsyncSession, exc: AppError) -> None:
    """After a page caught a service's error to show it: keep what the error says to keep, undo the rest
    (what deps.get_session does when an error leaves an API endpoint)."""
    if exc.keep_changes:
        await session.commit()
    else:
        await session.rollback()


def parse_uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None
