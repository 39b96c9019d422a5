"""`aiostore catalog import-from-channel` (master products from a channel's unmatched listings),
`catalog import FILE` and `catalog export FILE` (spreadsheets, as the API's /api/catalog/import|export)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.markup import escape
from rich.table import Table

from aiostore.cli.installation import Installation, OrgOption, execute, settings_or_exit
from aiostore.cli.output import console, fail, out
from aiostore.cli.sheets import findings_table, progress_bar, read_file, summary_table
from aiostore.settings import Settings

if TYPE_CHECKING:
    from aiostore.services.catalog.import_channel import ImportReport
    from aiostore.services.catalog.sheet_import import CatalogPlan
    from aiostore.services.sheets.reading import SheetRead

app = typer.Typer(help="The master catalog: products and SKUs.", no_args_is_help=True)


async def _import(
    settings: Settings, org: uuid.UUID | None, channel: uuid.UUID, dry_run: bool
) -> ImportReport:
    from aiostore.services.catalog.import_channel import import_from_channel

    async with Installation(settings) as installation, installation.org(org, [channel]) as (session, ctx):
        return await import_from_channel(session, ctx, channel, dry_run)


def _print(report: ImportReport) -> None:
    verb = "would create" if report.dry_run else "created"
    if report.products:
        table = Table(
            "product", "platform item", "SKU", "price", "on hand", title=f"{verb}:", title_justify="left"
        )
        for product in report.products:
            for i, v in enumerate(product.variants):
                table.add_row(
                    escape(product.title) if i == 0 else "",
                    escape(product.platform_item_id) if i == 0 else "",
                    escape(v.sku),
                    str(v.price) if v.price else "-",
                    str(v.on_hand) if v.on_hand is not None else "-",
                )
        out.print(table)
    if report.skipped:
        table = Table(
            "listing", "platform item", "SKU", "skipped because", title="skipped:", title_justify="left"
        )
        for s in report.skipped:
            table.add_row(
                str(s.listing_id), escape(s.platform_item_id), escape(s.sku or "-"), escape(s.reason)
            )
        out.print(table)
    for note in report.notes:
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    linked = "would link" if report.dry_run else "linked"
    out.print(
        f"{'[yellow]dry run:[/] ' if report.dry_run else '[green]done:[/] '}{verb} {len(report.products)} "
        f"product(s) with {report.variants} variant(s), {linked} {report.linked} listing(s), "
        f"skipped {len(report.skipped)}"
    )


@app.command("import-from-channel")
def import_channel(
    channel: Annotated[
        uuid.UUID,
        typer.Option("--channel", metavar="CHANNEL_ID", help="Channel whose unmatched listings to import."),
    ],
    org: OrgOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would be created.")] = False,
) -> None:
    """Create master products from a channel's unmatched listings (one product per platform item, one
    variant per listing with the listing's SKU, price and stock) and link the listings to them."""
    report = execute(_import(settings_or_exit(), org, channel, dry_run))
    _print(report)


async def _import_sheet(
    settings: Settings, org: uuid.UUID | None, read: SheetRead, commit: bool
) -> CatalogPlan:
    from aiostore.services.catalog.sheet_import import apply_plan, plan_catalog

    async with Installation(settings) as installation, installation.org(org) as (session, ctx):
        plan = await plan_catalog(session, ctx, read)
        if commit and not plan.errors:
            await apply_plan(session, ctx, plan)
        return plan


@app.command("import")
def import_sheet(
    file: Annotated[Path, typer.Argument(help="A CSV or XLSX file with the catalog export's columns.")],
    org: OrgOption = None,
    commit: Annotated[
        bool, typer.Option("--commit", help="Apply it (all rows, or none if any has an error).")
    ] = False,
) -> None:
    """Create and update products and variants from a spreadsheet (matched by SKU). Without --commit,
    only shows what each row would do."""
    from aiostore.services.sheets.catalog_read import read_catalog

    read = read_file(file, read_catalog)
    plan = execute(_import_sheet(settings_or_exit(), org, read, commit))
    summary_table("would import:" if not commit else "import:", plan.summary())
    findings_table(
        [(str(f.row or ""), f.column or "", f.severity, f.message) for r in plan.rows for f in r.findings]
    )
    if plan.errors:
        rows = len({f.row for f in plan.errors})
        raise fail(f"{len(plan.errors):,} error(s) in {rows:,} row(s): nothing was imported")
    verb = "imported" if commit else "dry run: nothing changed (add --commit to apply)"
    out.print(f"[green]{verb}[/]" if commit else f"[yellow]{verb}[/]")


async def _export(settings: Settings, org: uuid.UUID | None, path: Path, fmt: Literal["csv", "xlsx"]) -> int:
    import asyncio
    import shutil

    from sqlalchemy import func, select

    from aiostore.db.models import Variant
    from aiostore.services import audit
    from aiostore.services.sheets import export
    from aiostore.services.sheets.writing import CsvEncoder, XlsxWriter

    written = 0
    async with Installation(settings) as installation, installation.org(org) as (session, ctx):
        await audit.record(session, ctx, "catalog.exported", "catalog", None, after={"format": fmt})
        total = await session.scalar(select(func.count()).select_from(Variant)) or 0
        with progress_bar() as bar:
            task = bar.add_task(f"writing {escape(path.name)}", total=total or 1)
            if fmt == "xlsx":
                writer = XlsxWriter(export.HEADER, "catalog")
                async for batch in export.catalog_rows(session):
                    for row in batch:
                        writer.append(row)
                    written += len(batch)
                    bar.update(task, completed=written)
                with writer.finish() as spool, path.open("wb") as target:
                    await asyncio.to_thread(shutil.copyfileobj, spool, target)
            else:
                encoder = CsvEncoder()
                with path.open("wb") as target:
                    target.write(encoder.encode([list(export.HEADER)]))
                    async for batch in export.catalog_rows(session):
                        target.write(encoder.encode(batch))
                        written += len(batch)
                        bar.update(task, completed=written)
            bar.update(task, total=written or 1, completed=written or 1)
    return written


@app.command("export")
def export_sheet(
    file: Annotated[Path, typer.Argument(help="Where to write: a .csv or .xlsx file.")],
    org: OrgOption = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or xlsx (default: from the file's suffix).")
    ] = None,
) -> None:
    """Write every variant with its product, prices per market, stock and listings (the catalog
    import reads the same columns back)."""
    chosen = (fmt or file.suffix.lstrip(".") or "csv").lower()
    if chosen not in ("csv", "xlsx"):
        raise fail(f"--format is csv or xlsx, not {chosen!r}")
    written = execute(_export(settings_or_exit(), org, file, "xlsx" if chosen == "xlsx" else "csv"))
    out.print(f"[green]wrote[/] {written:,} variant(s) to {escape(str(file))}", soft_wrap=True)
