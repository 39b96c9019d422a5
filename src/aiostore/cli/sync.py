"""`aiostore sync pull|push|backfill`: the same jobs as POST /api/sync/pull|push (a backfill: pull_orders
jobs over a window), then their progress live.

Both call services/sync/requests.py like the API does; the jobs record `started_by="cli"` and the
audit log the system actor "cli".
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aiostore.cli.installation import Installation, OrgOption, execute, settings_or_exit
from aiostore.cli.output import console, fail, out
from aiostore.domain.sync import PullKind
from aiostore.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from aiostore.db.models import ChannelAccount, SyncJob
    from aiostore.services.context import OrgContext

app = typer.Typer(
    help="Pull from shops and push to them: each request becomes jobs that a worker runs.",
    no_args_is_help=True,
)

STARTED_BY = "cli"

Wait = Annotated[
    bool,
    typer.Option(
        "--wait/--no-wait",
        help="Show each job's progress until it ends (exit 1 if any does not succeed), or only queue them.",
    ),
]
Timeout = Annotated[
    float | None,
    typer.Option(
        min=0, metavar="SECONDS", help="With --wait: stop waiting after this long (the jobs go on)."
    ),
]


def channel_label(channel: ChannelAccount | None) -> str:
    if channel is None:
        return "-"
    return f"{channel.platform} {channel.market} {channel.shop_name or channel.shop_id}"


def channel_labels(known: Iterable[ChannelAccount]) -> dict[uuid.UUID, str]:
    return {c.id: channel_label(c) for c in known}


def _job_labels(created: Sequence[SyncJob], known: Iterable[ChannelAccount]) -> dict[uuid.UUID, str]:
    shops = channel_labels(known)
    return {
        j.id: f"{j.kind} · {shops.get(j.channel_account_id, '-') if j.channel_account_id else '-'}"
        for j in created
    }


async def _report(
    installation: Installation,
    org_id: uuid.UUID,
    created: list[SyncJob],
    labels: dict[uuid.UUID, str],
    wait_seconds: float | None,
) -> bool:
    table = Table("job", "what", "status", title=f"queued {len(created)} job(s)", title_justify="left")
    for job in created:
        table.add_row(str(job.id), escape(labels[job.id]), job.status)
    out.print(table)
    if installation.dry_run:
        console.print(
            "[yellow]write mode is dry:[/] writes are recorded, not sent (AIOSTORE_WRITE_MODE=live)"
        )
    if installation.listener is None:  # --no-wait
        return True
    from aiostore.cli.progress import watch

    console.print("waiting for a worker to run them (Ctrl-C stops waiting; the jobs go on)")
    return await watch(
        installation, installation.listener, org_id, created, labels, wait_seconds=wait_seconds
    )


# What a pull-like command queues for the shops chosen: (session, ctx, channel ids, dry run) -> jobs.
Queue = Callable[["AsyncSession", "OrgContext", list[uuid.UUID], bool], Awaitable[list["SyncJob"]]]


async def _pull(
    settings: Settings,
    org: uuid.UUID | None,
    channel_ids: list[uuid.UUID],
    queue: Queue,
    wait: bool,
    wait_seconds: float | None,
) -> bool:
    """Queue jobs on the chosen shops (default: every connected shop of the org), then report them."""
    from aiostore.errors import NotFound
    from aiostore.services import channels

    async with Installation(settings) as installation:
        if wait:
            await installation.start_listening()  # before the commit: no change of our jobs is missed
        async with installation.org(org, channel_ids) as (session, ctx):
            known = await channels.list_channels(session, ctx)
            ids = channel_ids or [c.id for c in known if c.status != channels.DISCONNECTED]
            if not ids:
                raise NotFound("the organization has no connected channel to pull from")
            created = await queue(session, ctx, ids, installation.dry_run)
        return await _report(installation, ctx.org_id, created, _job_labels(created, known), wait_seconds)


def _pulls(kinds: list[PullKind]) -> Queue:
    async def queue(
        session: AsyncSession, ctx: OrgContext, ids: list[uuid.UUID], dry_run: bool
    ) -> list[SyncJob]:
        from aiostore.services.sync import requests

        return await requests.request_pull(session, ctx, ids, kinds, dry_run=dry_run, started_by=STARTED_BY)

    return queue


def _backfills(since: datetime, until: datetime) -> Queue:
    async def queue(
        session: AsyncSession, ctx: OrgContext, ids: list[uuid.UUID], dry_run: bool
    ) -> list[SyncJob]:
        from aiostore.services.sync import requests

        return await requests.request_backfill(
            session, ctx, ids, since, until, dry_run=dry_run, started_by=STARTED_BY
        )

    return queue


def parse_moment(value: str, *, end_of_day: bool) -> datetime:
    """An ISO date (a whole UTC day: its start, or with `end_of_day` the next day's start) or an ISO
    date and time (UTC unless it names its offset)."""
    value = value.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime.combine(day, time.min, tzinfo=UTC)
            return start + timedelta(days=1) if end_of_day else start
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is no ISO date (2026-12-01) nor date and time") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _push(
    settings: Settings,
    org: uuid.UUID | None,
    skus: list[str],
    listing_ids: list[uuid.UUID],
    prices: bool,
    wait: bool,
    wait_seconds: float | None,
) -> bool:
    from aiostore.services import channels
    from aiostore.services.sync import requests

    async with Installation(settings) as installation:
        if wait:
            await installation.start_listening()
        async with installation.org(org) as (session, ctx):
            created = await requests.request_push(
                session,
                ctx,
                listing_ids=listing_ids or None,
                skus=skus or None,
                prices=prices,
                dry_run=installation.dry_run,
                started_by=STARTED_BY,
                require_all=True,
            )
            known = await channels.list_channels(session, ctx)
        return await _report(installation, ctx.org_id, created, _job_labels(created, known), wait_seconds)


@app.command("pull")
def pull(
    org: OrgOption = None,
    channel: Annotated[
        list[uuid.UUID] | None,
        typer.Option(
            "--channel",
            metavar="CHANNEL_ID",
            help="Channel to pull from (repeat for more); default: every connected channel of the org.",
        ),
    ] = None,
    kind: Annotated[
        list[PullKind] | None,
        typer.Option(
            "--kind",
            metavar="products|orders",
            help="What to pull (repeat for both); default: products and orders.",
        ),
    ] = None,
    wait: Wait = True,
    timeout: Timeout = None,
) -> None:
    """Pull products (as listings matched to master SKUs) and/or orders from shops, as jobs."""
    settings = settings_or_exit()
    channel_ids = list(dict.fromkeys(channel or []))
    kinds = list(dict.fromkeys(kind or list(PullKind)))
    ok = execute(
        _pull(settings, org, channel_ids, _pulls(kinds), wait, timeout),
        labels={"channel_account_ids": ("--channel", channel_ids)},
    )
    if not ok:
        raise typer.Exit(1)


@app.command("backfill")
def backfill(
    since: Annotated[
        str,
        typer.Option(
            "--from", metavar="DATE|DATETIME", help="Start of the window (a date: its start, in UTC)."
        ),
    ],
    until: Annotated[
        str | None,
        typer.Option(
            "--to", metavar="DATE|DATETIME", help="End of the window (a date: its end, in UTC); default: now."
        ),
    ] = None,
    org: OrgOption = None,
    shop: Annotated[
        list[uuid.UUID] | None,
        typer.Option(
            "--shop",
            metavar="CHANNEL_ID",
            help="Shop (channel) to backfill (repeat for more); default: every connected shop of the org.",
        ),
    ] = None,
    wait: Wait = True,
    timeout: Timeout = None,
) -> None:
    """Pull the orders changed in a window, from any time, one job per shop: orders already taken by
    webhooks or pulls are not duplicated and their stock does not move again."""
    start = parse_moment(since, end_of_day=False)
    end = parse_moment(until, end_of_day=True) if until else datetime.now(UTC)
    end = min(end, datetime.now(UTC))  # "--to today": up to now
    settings = settings_or_exit()
    channel_ids = list(dict.fromkeys(shop or []))
    ok = execute(
        _pull(settings, org, channel_ids, _backfills(start, end), wait, timeout),
        labels={"channel_account_ids": ("--shop", channel_ids), "from": ("--from", ()), "to": ("--to", ())},
    )
    if not ok:
        raise typer.Exit(1)


@app.command("push")
def push(
    org: OrgOption = None,
    sku: Annotated[
        list[str] | None,
        typer.Option(
            "--sku", metavar="SKU", help="Master SKU whose listings to push, on every shop (repeat for more)."
        ),
    ] = None,
    listing: Annotated[
        list[uuid.UUID] | None,
        typer.Option("--listing", metavar="LISTING_ID", help="Listing to push (repeat for more)."),
    ] = None,
    prices: Annotated[
        bool,
        typer.Option(
            "--prices",
            help="Also send the prices that committed price changes left pending for these listings "
            "(never any other price).",
        ),
    ] = False,
    wait: Wait = True,
    timeout: Timeout = None,
) -> None:
    """Push the stock of listings (chosen, or every listing of chosen SKUs), one job per shop; with
    --prices, also their pending committed prices."""
    skus = list(dict.fromkeys(s.strip() for s in sku or [] if s.strip()))
    listing_ids = list(dict.fromkeys(listing or []))
    if bool(skus) == bool(listing_ids):
        raise fail("give --sku or --listing (one of them, at least once)")
    settings = settings_or_exit()
    ok = execute(
        _push(settings, org, skus, listing_ids, prices, wait, timeout),
        labels={"skus": ("--sku", skus), "listing_ids": ("--listing", listing_ids)},
    )
    if not ok:
        raise typer.Exit(1)
