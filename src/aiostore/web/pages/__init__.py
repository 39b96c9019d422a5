"""The seller dashboard: server-rendered pages over the same services and permissions as the API."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from aiostore.web.pages import (
    audit,
    auth,
    catalog,
    change_set,
    changes,
    errors,
    invitations,
    jobs,
    listing,
    listings,
    members,
    notifications,
    orders,
    overview,
    publish,
    reconciliation,
    reports,
    settings,
    shops,
    tokens,
)
from aiostore.web.pages.rendering import STATIC

PAGE_ROUTERS = (
    auth.router,
    invitations.router,
    overview.router,
    shops.router,
    catalog.router,
    publish.router,
    listings.router,
    listing.router,
    changes.router,
    change_set.router,
    reconciliation.router,
    orders.router,
    reports.router,
    jobs.router,
    tokens.router,
    audit.router,
    members.router,
    settings.router,
    notifications.router,
)


def install(app: FastAPI) -> None:
    """The pages, their static files and their HTML error answers."""
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC, packages=None), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router)
