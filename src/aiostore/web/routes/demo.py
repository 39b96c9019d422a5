"""Try the demo: `POST /demo` signs the visitor in to the demo organization (built on first use);
`POST /demo/reset` rebuilds it for its owner. Both 404 when this server offers no demo."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import RedirectResponse

from aiostore.domain.permissions import Permission
from aiostore.errors import NotFound
from aiostore.services import accounts, auth
from aiostore.services.context import OrgContext
from aiostore.services.demo import Demo
from aiostore.services.demo.build import ensure
from aiostore.services.sync.context import SyncContext
from aiostore.web.deps import AppSettings, Public, RequirePermission, Session, client_ip, get_db
from aiostore.web.routes.auth import set_session_cookies

router = APIRouter(tags=["demo"])


def _demo(request: Request) -> Demo:
    demo = getattr(request.app.state, "demo", None)
    if not isinstance(demo, Demo):
        raise NotFound("this server offers no demo (AIOSTORE_DEMO, or `aiostore serve --demo`)")
    return demo


async def _signed_in(
    request: Request, settings: AppSettings, org_id: uuid.UUID, user_id: uuid.UUID
) -> Response:
    async with get_db(request).transaction(None, user_id) as session:
        user = await accounts.user_by_id(session, user_id)
        assert user is not None  # noqa: S101
        new = await auth.new_session_for(
            session,
            user,
            org_id,
            ttl=timedelta(hours=settings.session_ttl_hours),
            client_ip=client_ip(request),
        )
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    set_session_cookies(request, response, settings, new)
    return response


def _sync(request: Request) -> SyncContext:
    sync = request.app.state.sync
    assert isinstance(sync, SyncContext)  # noqa: S101
    return sync


@router.post(
    "/demo",
    status_code=status.HTTP_303_SEE_OTHER,
    response_class=RedirectResponse,
    dependencies=[Public("anyone may try the demo organization (sandbox shops only)")],
)
async def start_demo(request: Request, settings: AppSettings) -> Response:
    """Sign in to the demo organization as its demo seller (a cookie session, as login gives) and go to
    the dashboard (303 to `/`). The first visit builds it: a sandbox shop per platform connected through
    OAuth, their first pulls, the master catalog."""
    demo = _demo(request)
    org_id, user_id = await ensure(demo, get_db(request), _sync(request))
    return await _signed_in(request, settings, org_id, user_id)


@router.post(
    "/demo/reset",
    status_code=status.HTTP_303_SEE_OTHER,
    response_class=RedirectResponse,
)
async def reset_demo(
    request: Request,
    session: Session,
    settings: AppSettings,
    ctx: Annotated[OrgContext, RequirePermission(Permission.ORG_MANAGE)],
) -> Response:
    """Delete the demo organization and build it again from fresh sandboxes; only the demo's owner may,
    in the demo organization (any other organization: 404). Signs the caller in to the new one."""
    demo = _demo(request)
    if demo.org_id != ctx.org_id:
        raise NotFound("this organization is not the demo")
    await session.commit()  # this request's own transaction must not hold rows the deletion needs
    org_id, user_id = await ensure(demo, get_db(request), _sync(request), rebuild=True)
    return await _signed_in(request, settings, org_id, user_id)
