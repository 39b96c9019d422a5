"""`aiostore catalog import-from-channel`: master products from a channel's unmatched listings."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aiostore.cli.installation import Installation, OrgOption, execute, settings_or_exit
from aiostore.cli.output import console, out
from aiostore.settings import Settings

if TYPE_CHECKING:
    from aiostore.services.catalog.import_channel import ImportReport

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
