"""The installation as its operator reaches it from the command line: settings, database, one org.

Commands that act in an organization (sync, jobs, catalog) connect as the application role, so RLS
holds for them as for the service, and name the org with `--org` or let it be inferred (see
services/operator.py for the rule and why it needs no more privilege than that). Service errors and
database failures become one red line and exit code 1.

The database layers are imported when a command runs, not when the CLI starts (`aiostore --help`
and `aiostore sandbox` stay quick).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from aiostore.cli.output import fail
from aiostore.settings import Settings, get_settings

if TYPE_CHECKING:
    import psycopg
    from sqlalchemy.ext.asyncio import AsyncSession

    from aiostore.services.context import OrgContext

T = TypeVar("T")

OrgOption = Annotated[
    uuid.UUID | None,
    typer.Option(
        "--org",
        metavar="ORG_ID",
        help="Organization to act in; may be left out when a --channel names it, or when only one "
        "organization has connected channels.",
    ),
]

# API field paths in service errors -> the command line's option and the values given to it.
Labels = Mapping[str, tuple[str, Sequence[object]]]


def settings_or_exit() -> Settings:
    try:
        return get_settings()
    except Exception as exc:  # pydantic's ValidationError names the setting
        raise fail(f"invalid settings: {exc}") from exc


class Installation:
    """One command's database pool; `org()` opens a transaction in an org, `start_listening()` a
    connection that hears every change of a sync job."""

    def __init__(self, settings: Settings) -> None:
        from aiostore.db.engine import resolve_urls
        from aiostore.db.session import Database

        self.settings = settings
        self.urls = resolve_urls(settings)
        self.db = Database.connect(self.urls, pool_size=2)
        self.listener: psycopg.AsyncConnection[Any] | None = None

    async def __aenter__(self) -> Installation:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self.listener is not None:
                await self.listener.close()
        finally:
            await self.db.dispose()

    @property
    def dry_run(self) -> bool:
        """Jobs record their writes instead of sending them unless AIOSTORE_WRITE_MODE=live."""
        return self.settings.write_mode.value != "live"

    @asynccontextmanager
    async def org(
        self, org_id: uuid.UUID | None, channel_ids: Sequence[uuid.UUID] = ()
    ) -> AsyncIterator[tuple[AsyncSession, OrgContext]]:
        """A transaction in the org (committed on a clean exit) and the CLI's context in it."""
        from aiostore.services import operator

        async with self.db.transaction() as session:
            ctx = await operator.enter_org(session, org_id, channel_ids)
            yield session, ctx

    async def start_listening(self) -> psycopg.AsyncConnection[Any]:
        """LISTEN on `aiostore_jobs`, where the sync_jobs trigger announces every change of a job.

        Start before committing the jobs to watch: notifications are delivered from then on, in
        commit order, so their creation and every later change arrive. Closed with the installation.
        """
        import psycopg

        if self.listener is None:
            conn = await psycopg.AsyncConnection.connect(self.urls.app_conninfo(), autocommit=True)
            await conn.execute("LISTEN aiostore_jobs")
            self.listener = conn
        return self.listener


def describe(detail: str, errors: Sequence[tuple[str, str]], labels: Labels | None = None) -> str:
    """A service error as one line, its field paths (`skus.1`) named as options (`--sku X-2`)."""
    if not errors:
        return detail
    parts = []
    for path, message in errors:
        name, _, index = path.partition(".")
        option, values = (labels or {}).get(name, (name, ()))
        if index.isdigit() and int(index) < len(values):
            option = f"{option} {values[int(index)]}"
        parts.append(f"{option}: {message}")
    return "; ".join(parts)


def execute(coro: Coroutine[Any, Any, T], labels: Labels | None = None) -> T:
    """Run a command's coroutine; a service error or an unreachable database is one line, exit 1."""
    import psycopg
    from sqlalchemy.exc import DBAPIError

    from aiostore.errors import AppError
    from aiostore.settings import ConfigurationError

    try:
        return asyncio.run(coro)
    except AppError as exc:
        raise fail(describe(exc.detail, [(e.field, e.message) for e in exc.errors], labels)) from exc
    except DBAPIError as exc:
        raise fail(f"database: {_first_line(exc.orig or exc)}") from exc
    except (psycopg.Error, OSError, ConfigurationError) as exc:
        raise fail(f"database: {_first_line(exc)}") from exc
    except KeyboardInterrupt as exc:
        raise fail("interrupted; jobs already queued go on (see `aiostore jobs list`)", 130) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
