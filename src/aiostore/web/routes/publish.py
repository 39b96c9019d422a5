"""Publishing the master catalog to shops: preview (every product × shop's action, field diff, findings
and the call plan), read a preview page by page, commit it (admins and owners), revert a commit."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from aiostore.db.models import ChangeSetItem
from aiostore.domain.permissions import Permission
from aiostore.errors import NotFound, invalid
from aiostore.services.catalog import publish_kind  # noqa: F401  (registers the catalog kind)
from aiostore.services.catalog.publish import KIND, ProductFilter, preview_catalog
from aiostore.services.changes import core
from aiostore.services.context import OrgContext
from aiostore.web.deps import RequirePermission, Session
from aiostore.web.i18n import translations
from aiostore.web.routes.changes import ChangeSetOut
from aiostore.web.routes.common import Cursor, Limit, StrictModel

router = APIRouter(prefix="/api/catalog", tags=["catalog"])

Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Write = Annotated[OrgContext, RequirePermission(Permission.CATALOG_WRITE)]
Publish = Annotated[OrgContext, RequirePermission(Permission.CATALOG_PUBLISH)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class FilterIn(StrictModel):
    status: Short | None = None
    brand: Short | None = None
    category: Short | None = None


class PreviewIn(StrictModel):
    product_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=25_000)
    filter: FilterIn | None = Field(default=None, description="instead of product_ids; {} is every product")
    channel_account_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""

    @model_validator(mode="after")
    def _one_selection(self) -> PreviewIn:
        if (self.product_ids is None) == (self.filter is None):
            raise PydanticCustomError("products_or_filter", "give exactly one of product_ids or filter")
        return self


class CommitIn(StrictModel):
    preview_id: uuid.UUID
    acknowledge_warnings: bool = False


def finding_text(f: dict[str, Any], lang: str) -> str:
    """A stored finding's message in `lang` (its msgid translated with its parameters; English else)."""
    if not f.get("msgid"):
        return str(f["message"])
    return translations(lang).gettext(f["msgid"]) % (f.get("params") or {})


class FindingOut(BaseModel):
    code: str = Field(description="the rule id (content rules) or publish.* (publishing itself)")
    severity: Literal["error", "warning"]
    field: str
    message: str
    message_id: str = Field(description="the message in Bahasa Indonesia")
    value: str | None = None
    span: tuple[int, int] | None = None

    @classmethod
    def of(cls, f: dict[str, Any]) -> FindingOut:
        return cls(
            code=f["code"], severity=f["severity"], field=f["field"], message=f["message"],
            message_id=finding_text(f, "id"), value=f.get("value"), span=f.get("span"),
        )  # fmt: skip


class TargetOut(BaseModel):
    seq: int
    sku: str = Field(description="the product's first master SKU")
    product_id: uuid.UUID | None
    channel_account_id: uuid.UUID | None
    market: str | None
    action: Literal["create", "update", "unchanged", "unlist", "error"]
    severity: Literal["error", "warning"] | None
    diff: dict[str, Any] = Field(description="field → {old, new}; empty when unchanged")
    findings: list[FindingOut]
    applied: bool

    @classmethod
    def of(cls, item: ChangeSetItem) -> TargetOut:
        product = (item.before or {}).get("product_id")
        return cls(
            seq=item.seq, sku=item.sku, product_id=uuid.UUID(product) if product else None,
            channel_account_id=item.channel_account_id, market=item.market, action=item.action,
            severity=item.severity, diff=(item.after or {}).get("diff", {}),
            findings=[FindingOut.of(f) for f in item.findings], applied=item.applied,
        )  # fmt: skip


class PreviewOut(ChangeSetOut):
    items: list[TargetOut] = Field(description="a page of targets (product × shop)")
    next_cursor: str | None

    @classmethod
    def view(cls, view: core.ChangeSetView) -> PreviewOut:
        items = [TargetOut.of(i) for i in view.items]
        return cls(**cls.fields_of(view.change_set), items=items, next_cursor=view.next_cursor)


async def _catalog(session: Session, change_set_id: uuid.UUID) -> Any:
    change_set = await core.get(session, change_set_id)
    if change_set.kind != KIND:
        raise NotFound("catalog preview not found")
    return change_set


@router.post("/preview")
async def preview(body: PreviewIn, session: Session, ctx: Write) -> PreviewOut:
    """Preview publishing products to shops: each product × shop's action (create, update, unchanged,
    unlist), the field diff against the platform's last state, the findings (errors block, warnings need
    acknowledging) and, in `summary.calls`, each shop's calls beside the minimum its limits allow.
    Stored and frozen until it expires."""
    f = body.filter
    view = await preview_catalog(
        session, ctx, channel_account_ids=body.channel_account_ids, product_ids=body.product_ids,
        product_filter=ProductFilter(f.status, f.brand, f.category) if f else None, reason=body.reason,
    )  # fmt: skip
    return PreviewOut.view(view)


@router.get("/previews/{preview_id}")
async def get_preview(
    preview_id: uuid.UUID,
    session: Session,
    ctx: Read,
    action: Annotated[Literal["create", "update", "unchanged", "unlist", "error"] | None, Query()] = None,
    severity: Annotated[Literal["error", "warning"] | None, Query()] = None,
    shop: Annotated[uuid.UUID | None, Query(description="a channel account id")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PreviewOut:
    """A catalog preview (or commit) with a page of its targets, filtered by action, severity or shop."""
    change_set = await _catalog(session, preview_id)
    filters = core.ItemFilter(action=action, severity=severity, channel_account_id=shop)
    page = await core.items_page(session, change_set.id, filters, cursor=cursor, limit=limit)
    return PreviewOut.view(core.ChangeSetView(change_set, page.items, page.next_cursor))


@router.post("/commit")
async def commit(body: CommitIn, request: Request, session: Session, ctx: Publish) -> PreviewOut:
    """Send a preview: one publish job per shop (in `summary.jobs`), each in its shop's write mode.
    Needs an `Idempotency-Key`. 422 `items_refused` lists the errors, `warnings_not_acknowledged` the
    warnings; 409 `stale_preview` names each target whose product or listing changed since the preview,
    `change_set_not_open` a preview already committed or expired."""
    if not request.headers.get("idempotency-key"):
        raise invalid("Idempotency-Key", "a commit needs an Idempotency-Key header", "required")
    change_set = await _catalog(session, body.preview_id)
    view = await core.commit(
        session, ctx, change_set.token, partial=False,
        acknowledge_warnings=body.acknowledge_warnings, kinds=(KIND,),
    )  # fmt: skip
    return PreviewOut.view(view)


@router.post("/commits/{commit_id}/revert")
async def revert(commit_id: uuid.UUID, session: Session, ctx: Write) -> PreviewOut:
    """A new preview restoring what a committed catalog preview replaced (its listings' before-states;
    a listing it created is unlisted), committed like any other."""
    await _catalog(session, commit_id)
    return PreviewOut.view(await core.revert(session, ctx, commit_id))
