"""What the spreadsheet commands share: reading a file with a progress bar, and printing what an import
found (a summary table and the rows' findings)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from aiostore.cli.output import console, fail, out

if TYPE_CHECKING:
    from aiostore.services.sheets.reading import Progress as RowProgress
    from aiostore.services.sheets.reading import SheetRead

MAX_SHOWN = 50  # findings listed; the summary counts all


def progress_bar() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def read_file(path: Path, reader: Callable[[IO[bytes], str, RowProgress], SheetRead]) -> SheetRead:
    """`reader` over the file at `path`, with a bar counting the rows read; errors of the file itself
    (unreadable, a column missing) end the command with their message."""
    from aiostore.errors import AppError

    if not path.is_file():
        raise fail(f"no such file: {path}")
    with progress_bar() as bar, path.open("rb") as file:
        task = bar.add_task(f"reading {escape(path.name)}", total=None)
        try:
            read = reader(file, path.name, lambda rows: bar.update(task, completed=rows))
        except AppError as exc:
            raise fail(exc.detail) from exc
        bar.update(task, total=read.rows or 1, completed=read.rows or 1)
    for warning in read.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning.text())}", highlight=False, soft_wrap=True)
    return read


def summary_table(title: str, counts: Mapping[str, Any]) -> None:
    table = Table(*counts.keys(), title=title, title_justify="left")
    table.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in counts.values()))
    out.print(table)


def findings_table(findings: Sequence[tuple[str, str, str, str]], total: int | None = None) -> None:
    """(row, column or field, severity, message) rows, the first MAX_SHOWN of them."""
    if not findings:
        return
    table = Table("row", "column", "", "message", title="findings:", title_justify="left")
    for row, column, severity, message in findings[:MAX_SHOWN]:
        style = "red" if severity == "error" else "yellow"
        table.add_row(row, escape(column), f"[{style}]{severity}[/]", escape(message))
    out.print(table)
    more = (total if total is not None else len(findings)) - min(len(findings), MAX_SHOWN)
    if more > 0:
        out.print(f"... and {more:,} more")


def file_errors(read: SheetRead) -> None:
    """The rows' own errors (what could not be read): listed, then exit 1; nothing is previewed."""
    errors = read.errors
    if not errors:
        return
    findings_table([(str(f.row or ""), f.column or "", "error", f.message) for f in errors])
    raise fail(f"{len(errors):,} error(s) in {len({f.row for f in errors}):,} row(s); nothing was imported")
