"""Overview: what needs attention (to do), and today's orders and sales per shop."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from aiostore.services import dashboard
from aiostore.web import i18n
from aiostore.web.deps import Session
from aiostore.web.pages.deps import Page

router = APIRouter(include_in_schema=False)


@router.get("/overview")
async def overview(page: Page, session: Session) -> Response:
    todo = await dashboard.todo(session, page.ctx)
    days = await dashboard.today_by_shop(session, page.ctx)
    chart = {
        "labels": [d.channel.shop_name or d.channel.shop_id for d in days],
        "values": [d.orders for d in days],
        "label": i18n._("Orders"),
    }
    return page.render(
        "overview/index.html", {"active": "overview", "todo": todo, "days": days, "chart": chart}
    )
