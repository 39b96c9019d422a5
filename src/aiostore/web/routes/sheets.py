"""Spreadsheets: templates for each import, the catalog import (preview → commit) and the catalog
export, streamed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from aiostore.domain.permissions import Permission
from aiostore.services import audit
from aiostore.services.catalog import sheet_import
from aiostore.services.context import OrgContext
from aiostore.services.sheets import catalog_read, export, imports, price, stock
from aiostore.services.sheets.reading import SheetRead
from aiostore.services.sheets.table import Spec
from aiostore.services.sheets.writing import MEDIA_TYPES, CsvEncoder, Value, XlsxWriter, file_chunks
from aiostore.web.deps import RequirePermission, Session, get_db
from aiostore.web.routes.changes import ChangeSetDetailOut

router = APIRouter(prefix="/api", tags=["spreadsheets"])
Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Write = Annotated[OrgContext, RequirePermission(Permission.CATALOG_WRITE)]
SheetFormat = Annotated[Literal["csv", "xlsx"], Query(alias="format")]
Reason = Annotated[str, Form(max_length=500)]
MAX_ITEMS_SHOWN = 1000

TEMPLATES: dict[str, tuple[Spec, list[list[Any]]]] = {
    "stock": (stock.SPEC, stock.EXAMPLE),
    "price": (price.SPEC, price.EXAMPLE),
    "catalog": (catalog_read.SPEC, catalog_read.EXAMPLE),
}


def _attachment(name: str, fmt: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}


def sheet_response(name: str, fmt: str, header: Sequence[str], rows: Sequence[Sequence[Value]]) -> Any:
    """A small sheet (a template) as a download."""
    if fmt == "csv":
        body = CsvEncoder().encode([list(header), *rows])
        return StreamingResponse(iter([body]), media_type=MEDIA_TYPES["csv"], headers=_attachment(name, fmt))
    writer = XlsxWriter(header, name)
    for row in rows:
        writer.append(row)
    return StreamingResponse(
        file_chunks(writer.finish()), media_type=MEDIA_TYPES["xlsx"], headers=_attachment(name, fmt)
    )


def _template(kind: str) -> Any:
    spec, example = TEMPLATES[kind]

    async def template(ctx: Read, fmt: SheetFormat = "csv") -> StreamingResponse:
        return sheet_response(f"{kind}-template", fmt, spec.header, example)  # type: ignore[no-any-return]

    template.__doc__ = (
        f"An empty {kind} sheet: the columns the {kind} import reads and example rows "
        "(Indonesian header names such as harga and stok are read too)."
    )
    return template


for _kind in TEMPLATES:
    router.add_api_route(
        f"/{_kind}/import/template",
        _template(_kind),
        methods=["GET"],
        name=f"{_kind}_import_template",
        response_class=StreamingResponse,
    )


class FileOut(BaseModel):
    name: str
    format: str
    encoding: str | None
    delimiter: str | None
    rows: int
    warnings: list[str]

    @classmethod
    def of(cls, read: SheetRead, name: str | None) -> FileOut:
        return cls(
            name=(name or "")[:200],
            format=read.format,
            encoding=read.encoding,
            delimiter=read.delimiter,
            rows=read.rows,
            warnings=[w.text() for w in read.warnings][:100],
        )


class CatalogImportOut(BaseModel):
    mode: Literal["preview", "committed"]
    token: str
    file: FileOut
    summary: dict[str, int]
    items: list[dict[str, Any]]
    items_truncated: bool


@router.post("/catalog/import")
async def import_catalog(
    session: Session,
    ctx: Write,
    file: UploadFile,
    mode: Annotated[Literal["preview", "commit"], Form()] = "preview",
    token: Annotated[str | None, Form(max_length=64)] = None,
) -> CatalogImportOut:
    """Products and variants from a sheet (CSV or XLSX; the columns of the catalog export and its
    template). `preview` lists each row's action (create, update, unchanged, error) with its findings
    and a token; `commit` sends the same file with that token and applies it in one transaction (409
    when the catalog or the file changed since, 422 listing the rows when any row has an error)."""
    read = await asyncio.to_thread(catalog_read.read_catalog, file.file, file.filename)
    if mode == "commit":
        if not token:
            from aiostore.errors import invalid

            raise invalid("token", "send the token of the preview to commit it", "required")
        plan = await sheet_import.commit_catalog(session, ctx, read, token)
    else:
        plan = await sheet_import.plan_catalog(session, ctx, read)
    rows = [r.as_dict() for r in plan.rows[:MAX_ITEMS_SHOWN]]
    return CatalogImportOut(
        mode="committed" if mode == "commit" else "preview",
        token=plan.token,
        file=FileOut.of(read, file.filename),
        summary=plan.summary(),
        items=rows,
        items_truncated=len(plan.rows) > MAX_ITEMS_SHOWN,
    )


IMPORT_DOC = (
    "A CSV or XLSX file (multipart field `file`), one row per item, read into the items of `{update}` "
    "and previewed like them: the answer is the stored preview (its `source` names the file, its "
    "format, encoding, delimiter, rows and warnings; each item's `row` and findings name the sheet's "
    "row). Commit it with `POST {update}` `mode: commit` and its token. Rows that cannot be read (a "
    "cell that is not a number, an ambiguous number, a repeated SKU) are a 422 listing each as "
    "`rows.<row>.<column>`; nothing is previewed then. Template: `GET {template}`."
)


@router.post(
    "/stock/import",
    description=IMPORT_DOC.format(update="/api/stock/update", template="/api/stock/import/template"),
)
async def import_stock(
    session: Session, ctx: Write, file: UploadFile, reason: Reason = ""
) -> ChangeSetDetailOut:
    """Preview a stock sheet: `sku` and `stock` (the new on-hand, `stok`), or `delta`, and/or
    `safety_buffer`."""
    _, view = await imports.preview_stock_file(session, ctx, file.file, file.filename, reason=reason)
    return ChangeSetDetailOut.view(view)


@router.post(
    "/price/import",
    description=IMPORT_DOC.format(update="/api/price/update", template="/api/price/import/template"),
)
async def import_price(
    session: Session, ctx: Write, file: UploadFile, reason: Reason = ""
) -> ChangeSetDetailOut:
    """Preview a price sheet: `sku`, `market` (ID, SG, MY) or `channel_account_id` (a shop), `price`
    (`harga`) and `sale_price`, each in its currency's own convention."""
    _, view = await imports.preview_price_file(session, ctx, file.file, file.filename, reason=reason)
    return ChangeSetDetailOut.view(view)


@router.get("/catalog/export", response_class=StreamingResponse)
async def export_catalog(request: Request, session: Session, ctx: Read, fmt: SheetFormat = "csv") -> Any:
    """Every variant with its product, prices per market, stock and listings, one row each, streamed.
    Text a spreadsheet would run as a formula (= + - @, tab, CR first) is neutralised with an apostrophe
    (the imports remove it again)."""
    await audit.record(session, ctx, "catalog.exported", "catalog", None, after={"format": fmt})
    headers = _attachment("catalog", fmt)
    if fmt == "xlsx":
        writer = XlsxWriter(export.HEADER, "catalog")
        async for batch in export.catalog_rows(session):
            for row in batch:
                writer.append(row)
        spool = await asyncio.to_thread(writer.finish)
        return StreamingResponse(file_chunks(spool), media_type=MEDIA_TYPES["xlsx"], headers=headers)
    db = get_db(request)

    async def chunks() -> AsyncIterator[bytes]:
        encoder = CsvEncoder()
        yield encoder.encode([list(export.HEADER)])
        async with db.transaction(ctx.org_id) as own:  # the request's session is closed by now
            async for batch in export.catalog_rows(own):
                yield encoder.encode(batch)

    return StreamingResponse(chunks(), media_type=MEDIA_TYPES["csv"], headers=headers)
