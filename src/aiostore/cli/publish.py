"""`aiostore catalog preview|show|commit|revert`: publishing the master catalog to shops, through the same
services as /api/catalog/preview, /previews/{id}, /commit and /commits/{id}/revert (the CLI acts as the
installation's operator, "cli", with the owner's role)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from aiostore.cli.catalog import app
from aiostore.cli.installation import Installation, OrgOption, execute, settings_or_exit
from aiostore.cli.output import out
from aiostore.cli.sheets import findings_table, summary_table
from aiostore.settings import Settings

if TYPE_CHECKING:
    from aiostore.services.changes.core import ChangeSetView

Shops = Annotated[
    list[uuid.UUID], typer.Option("--shop", metavar="CHANNEL_ID", help="A shop to publish to (repeat it).")
]
Products = Annotated[
    list[uuid.UUID] | None,
    typer.Option("--product", metavar="PRODUCT_ID", help="A product (repeat it; default: every product)."),
]
PreviewId = Annotated[uuid.UUID, typer.Argument(help="The preview's (or commit's) id.")]


def _show(view: ChangeSetView, title: str) -> None:
    change_set = view.change_set
    summary: dict[str, Any] = change_set.summary
    expires = f"{change_set.expires_at:%Y-%m-%d %H:%M} UTC"
    out.print(f"{title} [bold]{change_set.id}[/] ({change_set.status}, expires {expires})")
    summary_table("targets:", summary.get("actions", {}) | {"errors": summary.get("errors", 0)})
    calls = Table(
        "shop",
        "platform",
        "create",
        "update",
        "price",
        "stock",
        "calls",
        "minimum",
        title="calls per shop:",
        title_justify="left",
    )
    for shop, plan in summary.get("calls", {}).items():
        calls.add_row(
            shop[:8],
            plan["platform"],
            *(f"{plan[k]:,}" for k in ("create", "update", "price", "stock", "total", "minimum")),
        )
    out.print(calls)
    items = Table("seq", "SKU", "shop", "action", "changes", title="first targets:", title_justify="left")
    for item in view.items:
        diff = ", ".join(sorted((item.after or {}).get("diff", {})))
        items.add_row(
            str(item.seq), escape(item.sku), str(item.channel_account_id)[:8], item.action, escape(diff)
        )
    out.print(items)
    findings_table(
        [(str(i.seq), f["field"], f["severity"], f["message"]) for i in view.items for f in i.findings]
    )
    for job in summary.get("jobs", []):
        mode = "dry run" if job["dry_run"] else "live"
        out.print(f"queued publish job {job['job_id']} for shop {job['channel_account_id'][:8]} ({mode})")


async def _preview(
    settings: Settings,
    org: uuid.UUID | None,
    shops: list[uuid.UUID],
    products: list[uuid.UUID] | None,
    reason: str,
) -> ChangeSetView:
    from aiostore.services.catalog import publish_kind  # noqa: F401  (registers the catalog kind)
    from aiostore.services.catalog.publish import ProductFilter, preview_catalog

    async with Installation(settings) as installation, installation.org(org, shops) as (session, ctx):
        return await preview_catalog(
            session,
            ctx,
            channel_account_ids=shops,
            product_ids=products,
            product_filter=None if products else ProductFilter(),
            reason=reason,
        )


@app.command("preview")
def preview(
    shops: Shops,
    products: Products = None,
    org: OrgOption = None,
    reason: Annotated[str, typer.Option(help="Why (kept on the preview).")] = "",
) -> None:
    """Preview publishing products to shops: each product × shop's action, changed fields, findings and
    the calls per shop; stored until it expires (commit it with `catalog commit ID`)."""
    _show(execute(_preview(settings_or_exit(), org, shops, products, reason)), "preview")


async def _act(
    settings: Settings, org: uuid.UUID | None, change_set_id: uuid.UUID, step: str, **options: Any
) -> ChangeSetView:
    from aiostore.errors import NotFound
    from aiostore.services.catalog import publish_kind  # noqa: F401
    from aiostore.services.catalog.publish import KIND
    from aiostore.services.changes import core
    from aiostore.services.changes.reading import ItemFilter

    async with Installation(settings) as installation, installation.org(org) as (session, ctx):
        change_set = await core.get(session, change_set_id)
        if change_set.kind != KIND:
            raise NotFound("catalog preview not found")
        if step == "commit":
            return await core.commit(session, ctx, change_set.token, partial=False, kinds=(KIND,), **options)
        if step == "revert":
            return await core.revert(session, ctx, change_set_id)
        page = await core.items_page(session, change_set.id, ItemFilter(**options), cursor=None, limit=50)
        return core.ChangeSetView(change_set, page.items, page.next_cursor)


@app.command("show")
def show(
    preview_id: PreviewId,
    org: OrgOption = None,
    action: Annotated[str | None, typer.Option(help="create, update, unchanged, unlist or error")] = None,
    severity: Annotated[str | None, typer.Option(help="error or warning")] = None,
) -> None:
    """A catalog preview (or commit) and its first targets."""
    _show(
        execute(_act(settings_or_exit(), org, preview_id, "show", action=action, severity=severity)),
        "preview",
    )


@app.command("commit")
def commit(
    preview_id: PreviewId,
    org: OrgOption = None,
    acknowledge_warnings: Annotated[
        bool, typer.Option("--acknowledge-warnings", help="Send targets with warnings too.")
    ] = False,
) -> None:
    """Send a catalog preview: one publish job per shop, in the shop's write mode."""
    view = execute(
        _act(settings_or_exit(), org, preview_id, "commit", acknowledge_warnings=acknowledge_warnings)
    )
    _show(view, "committed")


@app.command("revert")
def revert(
    commit_id: Annotated[uuid.UUID, typer.Argument(help="A committed catalog preview's id.")],
    org: OrgOption = None,
) -> None:
    """Preview the way back from a commit (its listings' before-states; created listings unlisted)."""
    _show(execute(_act(settings_or_exit(), org, commit_id, "revert")), "revert preview")
