"""`aiostore stock import FILE` and `aiostore price import FILE`: the API's /api/stock|price/import, then
(with --commit) its commit, in one run; a Rich bar while the file is read, a summary table after."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from aiostore.cli.installation import Installation, OrgOption, execute, settings_or_exit
from aiostore.cli.output import console, fail, out
from aiostore.cli.sheets import findings_table, progress_bar, summary_table
from aiostore.settings import Settings

if TYPE_CHECKING:
    from aiostore.errors import AppError

stock_app = typer.Typer(
    help="Stock: bulk updates from a spreadsheet, previewed, then committed.", no_args_is_help=True
)
price_app = typer.Typer(
    help="Prices: bulk updates from a spreadsheet, previewed, then committed.", no_args_is_help=True
)

File = Annotated[Path, typer.Argument(help="A CSV or XLSX file (see GET /api/<kind>/import/template).")]
Commit = Annotated[
    bool, typer.Option("--commit", help="Commit the preview at once (else it is only stored).")
]
Partial = Annotated[bool, typer.Option("--partial", help="With --commit: apply the rows without errors.")]
Acknowledge = Annotated[
    bool, typer.Option("--acknowledge-warnings", help="With --commit: apply rows with warnings too.")
]
Reason = Annotated[str, typer.Option(help="Why (kept on the change set and in the audit log).")]


@dataclass
class Outcome:
    token: str = ""
    status: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    findings: list[tuple[str, str, str, str]] = field(default_factory=list)
    problems: int = 0
    refused: AppError | None = None


async def _run(
    settings: Settings, org: uuid.UUID | None, kind: str, path: Path, reason: str, options: dict[str, bool]
) -> Outcome:
    from aiostore.errors import AppError, ValidationFailed
    from aiostore.services.changes import core
    from aiostore.services.sheets import imports

    preview = imports.preview_stock_file if kind == "stock" else imports.preview_price_file
    outcome = Outcome()
    async with Installation(settings) as installation, installation.org(org) as (session, ctx):
        with progress_bar() as bar, path.open("rb") as file:
            task = bar.add_task(f"reading {escape(path.name)}", total=None)
            try:
                read, view = await preview(
                    session,
                    ctx,
                    file,
                    path.name,
                    reason=reason,
                    progress=lambda n: bar.update(task, completed=n),
                )
            except ValidationFailed as exc:  # a file that cannot be read: nothing was previewed
                outcome.findings = [(_row_of(e.field), "", "error", e.message) for e in exc.errors]
                outcome.refused = exc
                return outcome
            bar.update(task, total=read.rows or 1, completed=read.rows or 1)
        for warning in read.warnings:
            console.print(f"[yellow]warning:[/] {escape(warning.text())}", highlight=False, soft_wrap=True)
        change_set = view.change_set
        for severity in ("error", "warning"):
            page = await core.items_page(
                session, change_set.id, core.ItemFilter(severity=severity), cursor=None, limit=50
            )
            for item in page.items:
                for f in item.findings:
                    row = str(item.row or "")
                    outcome.findings.append((row, f"{item.sku} {f['field']}", f["severity"], f["message"]))
        if options["commit"]:
            try:
                view = await core.commit(
                    session, ctx, change_set.token, partial=options["partial"],
                    acknowledge_warnings=options["acknowledge_warnings"],
                )  # fmt: skip
            except AppError as exc:  # the preview stays stored; the reason is shown
                outcome.refused = exc
        outcome.token = change_set.token
        outcome.status = core.status_of(view.change_set)
        outcome.summary = dict(view.change_set.summary)
    return outcome


def _row_of(field_path: str) -> str:
    parts = field_path.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "rows" else ""


def _report(kind: str, outcome: Outcome) -> None:
    if not outcome.token:  # refused before any preview
        findings_table(outcome.findings)
        raise fail(outcome.refused.detail if outcome.refused else "nothing was previewed")
    shown = {k: v for k, v in outcome.summary.items() if isinstance(v, int)}
    summary_table(f"{kind} change set ({outcome.status}):", shown)
    counted = int(outcome.summary.get("errors", 0) or 0) + int(outcome.summary.get("warnings", 0) or 0)
    findings_table(outcome.findings, max(counted, len(outcome.findings)))
    if outcome.refused is not None:
        raise fail(f"not committed: {outcome.refused.detail}")
    if outcome.status == "previewed":
        out.print(
            f"[yellow]previewed[/] {outcome.token}: commit it with --commit, or POST /api/{kind}/update "
            '{"mode": "commit", "token": …}',
            soft_wrap=True,
        )
    elif outcome.status == "awaiting_approval":
        out.print("[yellow]awaiting approval[/] by a second admin (POST /api/changesets/{id}/approve)")
    else:
        out.print(f"[green]committed[/] {outcome.summary.get('applied', 0):,} item(s)")


def _command(kind: str) -> Any:
    def command(
        file: File,
        org: OrgOption = None,
        commit: Commit = False,
        partial: Partial = False,
        acknowledge_warnings: Acknowledge = False,
        reason: Reason = "",
    ) -> None:
        if not file.is_file():
            raise fail(f"no such file: {file}")
        options = {"commit": commit, "partial": partial, "acknowledge_warnings": acknowledge_warnings}
        _report(kind, execute(_run(settings_or_exit(), org, kind, file, reason, options)))

    command.__doc__ = (
        f"Preview a {kind} sheet as a change set (each row's before, after and findings); with --commit, "
        "commit it too. Rows that cannot be read are listed and nothing is previewed."
    )
    return command


stock_app.command("import")(_command("stock"))
price_app.command("import")(_command("price"))
