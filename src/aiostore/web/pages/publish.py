"""Publish from the master catalog (issue #12): choose products on the catalog (checkboxes on the list,
a button on a product), choose shops, and read the preview: per product × shop the action, the field
diff old → new, the findings in the page's language, each shop's call plan, filtered and paged; commit
it (admins and owners, `catalog:publish`), see the jobs it queued, revert a committed one.

The actions call `preview_catalog` and `core.commit`/`core.revert` as /api/catalog/preview, /commit and
/commits/{id}/revert do, behind the same permissions; each form carries the CSRF token and an
idempotency key the page generated (a repeated post replays the first answer). A refused commit (422
errors or unacknowledged warnings, 409 stale or no longer open) is shown beside its form, with what
changed.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from aiostore.db.models import ChangeSet, ChangeSetItem
from aiostore.domain.permissions import Permission
from aiostore.errors import AppError, NotFound
from aiostore.services import channels
from aiostore.services.catalog import products as catalog
from aiostore.services.catalog import publish_kind  # noqa: F401  (registers the catalog kind)
from aiostore.services.catalog.publish import KIND, preview_catalog
from aiostore.services.changes import core
from aiostore.web.deps import Session
from aiostore.web.i18n import N_
from aiostore.web.pages import change_set as changes_page
from aiostore.web.pages.deps import Page, PageContext, PageFor, see_other, settle
from aiostore.web.pages.forms import FilterQuery, app_errors, parse
from aiostore.web.pages.labels import label
from aiostore.web.routes.publish import finding_text

router = APIRouter(include_in_schema=False)
Write = Annotated[PageContext, PageFor(Permission.CATALOG_WRITE)]
Publish = Annotated[PageContext, PageFor(Permission.CATALOG_PUBLISH)]
Ids = Annotated[list[str], Form(max_length=25_000)]
MAX_CHOSEN = 500  # products chosen on the catalog for one preview (the API takes more)
SHOWN_CHARS = 300  # of a long text (a description) in the diff


# What a refused commit or revert says, by the problem's code; the server's detail and items follow.
REFUSALS = changes_page.REFUSALS | {
    "stale_preview": N_("A product or its listing on a shop changed since this preview. Preview again."),
    "change_set_not_open": N_("This preview is not open for that any more."),
    "items_refused": N_("Some targets have errors. Fix the products, then preview again."),
    "warnings_not_acknowledged": N_(
        "Some targets have warnings. Read them, then tick “I have read the warnings”."
    ),
}


class PreviewQuery(FilterQuery):
    action: Literal["create", "update", "unchanged", "unlist", "error"] | None = None
    severity: Literal["error", "warning"] | None = None
    shop: uuid.UUID | None = None


class ChooseQuery(FilterQuery):
    product: list[uuid.UUID] = []


async def catalog_preview(session: Session, preview_id: uuid.UUID) -> ChangeSet:
    """A catalog change set of this org (another org's, or a stock change, is not found)."""
    change_set = await core.get(session, preview_id)
    if change_set.kind != KIND:
        raise NotFound("catalog preview not found")
    return change_set


async def _choose(
    page: PageContext, session: Session, ids: list[uuid.UUID], *, status: int = 200, **extra: Any
) -> Response:
    products = []
    for product_id in ids[:MAX_CHOSEN]:
        try:
            products.append(await catalog.get_product(session, page.ctx, product_id))
        except NotFound:
            continue  # a product gone (or another org's) is left out of the choice
    context = {
        "active": "catalog",
        "products": products,
        "shops": list(await channels.list_channels(session, page.ctx)),
        "chosen_shops": [],
        "reason": "",
        "errors": {},
        "idempotency_key": uuid.uuid4().hex,
    } | extra
    return page.render("publish/new.html", context, status=status)


@router.get("/publish/new")
async def choose_shops(request: Request, page: Write, session: Session) -> Response:
    """The chosen products (`?product=` once per product) and the shops to publish them to."""
    query, errors = parse(ChooseQuery, {"product": request.query_params.getlist("product")})
    ids = list(dict.fromkeys(query.product)) if query is not None else []
    if not ids and not errors:
        errors = {"product": ""}
    return await _choose(page, session, ids, status=422 if errors else 200, errors=errors)


def _uuids(values: list[str], field: str, errors: dict[str, str]) -> list[uuid.UUID]:
    out = []
    for value in values:
        try:
            out.append(uuid.UUID(value))
        except ValueError:
            errors[field] = "invalid"
    return list(dict.fromkeys(out))


@router.post("/publish")
async def preview(
    page: Write,
    session: Session,
    product: Ids = [],  # noqa: B006  (FastAPI copies a default)
    shop: Ids = [],  # noqa: B006
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Preview the chosen products on the chosen shops; the preview's page is the answer."""
    errors: dict[str, str] = {}
    products = _uuids(product, "product", errors)
    shops = _uuids(shop, "shop", errors)
    if not products:
        errors.setdefault("product", "required")
    if not shops:
        errors.setdefault("shop", "required")
    if not errors:
        try:
            view = await preview_catalog(
                session, page.ctx, channel_account_ids=shops, product_ids=products, reason=reason.strip()
            )
        except AppError as exc:
            if exc.status != 422:
                raise
            await settle(session, exc)
            errors = {k.replace("channel_account_ids", "shop").replace("product_ids", "product"): v
                      for k, v in app_errors(exc).items()}  # fmt: skip
        else:
            return see_other(f"/publish/{view.change_set.id}?done=previewed")
    extra = {"chosen_shops": [str(s) for s in shops], "reason": reason, "errors": errors}
    return await _choose(page, session, products, status=422, **extra)


def _shown(value: Any) -> str:
    """A state field's value as the page shows it (lists and maps on one line, long text cut)."""
    if value is None or value in ("", [], {}):
        return "—"
    if isinstance(value, dict):
        text = ", ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    elif isinstance(value, list):
        text = ", ".join(_shown(v) for v in value)
    else:
        text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def _finding(f: dict[str, Any], lang: str) -> dict[str, Any]:
    """A stored finding with its message in the page's language and the field it is about as a title."""
    parts = str(f.get("field", "")).split(".")
    name = parts[2] if len(parts) > 2 and parts[0] == "items" else parts[0]
    return f | {"text": finding_text(f, lang), "title": label("publish_field", name)}


def _item(item: ChangeSetItem, lang: str) -> dict[str, Any]:
    diff = (item.after or {}).get("diff", {})
    shown = [(name, _shown(d.get("old")), _shown(d.get("new"))) for name, d in diff.items()]
    return {
        "seq": item.seq,
        "sku": item.sku,
        "product_id": (item.before or {}).get("product_id"),
        "shop": item.channel_account_id,
        "action": item.action,
        "applied": item.applied,
        "diff": [row for row in shown if row[1] != row[2]],
        "findings": [_finding(f, lang) for f in item.findings],
    }


async def _detail(
    page: PageContext, session: Session, preview_id: uuid.UUID, *, status: int = 200, **extra: Any
) -> Response:
    change_set = await catalog_preview(session, preview_id)
    query, errors = parse(PreviewQuery, page.request.query_params)
    items: list[dict[str, Any]] = []
    next_cursor = None
    if query is not None:
        filters = core.ItemFilter(action=query.action, severity=query.severity, channel_account_id=query.shop)
        found, next_cursor, errors = await changes_page.items_of(
            session, change_set.id, filters, query.cursor
        )
        items = [_item(i, page.lang) for i in found]
    state = core.status_of(change_set)
    shops = {str(s.id): s for s in await channels.list_channels(session, page.ctx)}
    context = {
        "active": "catalog",
        "cs": change_set,
        "state": state,
        "summary": change_set.summary,
        "shops": shops,
        "shop_options": [(k, s.shop_name or s.shop_id) for k, s in shops.items()],
        "items": items,
        "next_cursor": next_cursor,
        "filters": dict(page.request.query_params),
        "errors": errors,
        "can_commit": page.can(Permission.CATALOG_PUBLISH) and state == core.PREVIEWED,
        "may_not_commit": state == core.PREVIEWED and not page.can(Permission.CATALOG_PUBLISH),
        "can_revert": page.can(Permission.CATALOG_WRITE) and state == core.COMMITTED,
        "idempotency_key": uuid.uuid4().hex,
        "refused": None,
        "form": {},
    } | extra
    if errors and status == 200:
        status = 422
    return page.render("publish/detail.html", context, status=status, block="list")


@router.get("/publish/{preview_id}")
async def preview_page(preview_id: uuid.UUID, page: Page, session: Session) -> Response:
    return await _detail(page, session, preview_id)


async def _refused(
    page: PageContext, session: Session, preview_id: uuid.UUID, action: str, exc: AppError, **extra: Any
) -> Response:
    """The refusal beside its form, with each item the server named (what changed, which finding)."""
    if exc.status not in (409, 422):
        raise exc
    await settle(session, exc)
    refused = changes_page.refusal(action, exc, REFUSALS) | {"errors": [e.message for e in exc.errors[:20]]}
    return await _detail(page, session, preview_id, status=exc.status, refused=refused, **extra)


@router.post("/publish/{preview_id}/commit")
async def commit(
    preview_id: uuid.UUID,
    page: Publish,
    session: Session,
    key: changes_page.Key = "",
    acknowledge_warnings: changes_page.Flag = "",
) -> Response:
    """Commit the preview: one publish job per shop (listed on the page, each linked to its job)."""
    change_set = await catalog_preview(session, preview_id)
    form = {"acknowledge_warnings": acknowledge_warnings == "true"}
    try:
        changes_page.require_key(key)
        await core.commit(
            session, page.ctx, change_set.token, partial=False,
            acknowledge_warnings=form["acknowledge_warnings"], kinds=(KIND,),
        )  # fmt: skip
    except AppError as exc:
        return await _refused(page, session, preview_id, "commit", exc, form=form)
    return see_other(f"/publish/{preview_id}?done=published")


@router.post("/publish/{preview_id}/revert")
async def revert(preview_id: uuid.UUID, page: Write, session: Session) -> Response:
    """A new preview restoring what this commit replaced; its page is the answer."""
    await catalog_preview(session, preview_id)
    try:
        view = await core.revert(session, page.ctx, preview_id)
    except AppError as exc:
        if exc.status == 404:
            exc = core.NotOpen(exc.detail)
        return await _refused(page, session, preview_id, "revert", exc)
    return see_other(f"/publish/{view.change_set.id}?done=previewed")
