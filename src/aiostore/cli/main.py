"""`aiostore`: serve, worker, db, user, sandbox, sync, jobs, catalog, stock, price."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Annotated, Any, TypeVar

import typer

from aiostore import __version__
from aiostore.cli import catalog as catalog_cli
from aiostore.cli import changes as changes_cli
from aiostore.cli import demo as demo_cli
from aiostore.cli import jobs as jobs_cli
from aiostore.cli import publish as publish_cli  # noqa: F401  (its commands join `catalog`)
from aiostore.cli import sandbox as sandbox_cli
from aiostore.cli import sync as sync_cli
from aiostore.cli.installation import settings_or_exit
from aiostore.cli.output import console, fail, out
from aiostore.log import configure_logging
from aiostore.settings import ConfigurationError

T = TypeVar("T")

app = typer.Typer(
    name="aiostore",
    help="AIOStore: one catalog, one stock pool and all orders across four SEA marketplaces.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(
    help="Database: upgrade, downgrade, current revision; stop the embedded server.", no_args_is_help=True
)
user_app = typer.Typer(help="Accounts: create users and their organizations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def run_service(coro: Coroutine[Any, Any, T]) -> T:
    """A long-running process (the web service, a worker) on uvloop (installed with uvicorn[standard]):
    its event loop costs less per request than asyncio's own (webhook intake: 0.38 -> 0.32 ms of CPU per
    push). A worker's jobs ran on uvloop inside `aiostore serve` already; `aiostore worker` now does too."""
    try:
        import uvloop
    except ImportError:  # a platform without it (Windows): asyncio's loop
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


def _version(value: bool) -> None:
    if value:
        out.print(f"aiostore {__version__}")
        raise typer.Exit()


SERVICES = ("serve", "worker")  # long-running: they log as AIOSTORE_LOG_LEVEL says


@app.callback()
def main(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose", "-v", count=True, help="More output: -v info lines (the job queue's too), -vv debug."
        ),
    ] = 0,
) -> None:
    """AIOStore command line."""
    from aiostore.db.engine import release_embedded, started_embedded

    settings = settings_or_exit()
    service = ctx.invoked_subcommand in SERVICES
    level = settings.log_level if service else "WARNING"
    if verbose:
        level = "DEBUG" if verbose > 1 else "INFO"
    configure_logging(level, settings.log_json, libraries=level if verbose else "WARNING")
    # The embedded database is stopped by the command that started it (unless others use it).
    started_before = started_embedded()
    ctx.call_on_close(lambda: _release(release_embedded(settings.data_dir, started_before), service))


def _release(done: str | None, service: bool) -> None:
    if done == "stopped" and service:
        console.print("[dim]embedded database stopped[/]")
    elif done == "in use":
        console.print(
            "[dim]embedded database left running: other processes use it (`aiostore db stop` stops it)[/]"
        )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (AIOSTORE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (AIOSTORE_PORT, default 8000).")] = None,
    worker: Annotated[bool, typer.Option(help="Run a job worker inside the service.")] = True,
    demo: Annotated[
        bool | None,
        typer.Option(
            "--demo/--no-demo",
            help="Offer the demo organization (four sandbox shops in this process); default: AIOSTORE_DEMO.",
        ),
    ] = None,
) -> None:
    """Run the service: starts the embedded database if no URL is set, applies migrations, serves the API.

    The embedded database is stopped when the service stops, unless it was already running."""
    from aiostore.cli.serving import serve_forever

    settings = settings_or_exit()
    update: dict[str, Any] = {}
    if demo is not None:
        update["demo"] = demo
    if host:
        update["host"] = host
    if port:
        update["port"] = port
    if not worker:
        update["run_worker"] = False
    try:
        run_service(serve_forever(settings.model_copy(update=update), console))
    except ConfigurationError as exc:
        raise fail(str(exc)) from exc
    except OSError as exc:
        raise fail(f"cannot start: {exc}") from exc


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Jobs run at once by this worker.")] = 4,
) -> None:
    """Run a job worker (any number, on any machine sharing the database)."""
    from aiostore.worker.app import run_worker

    settings = settings_or_exit()
    try:
        run_service(run_worker(settings, concurrency=concurrency, console=console))
    except ConfigurationError as exc:
        raise fail(str(exc)) from exc


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Create the roles where allowed and migrate the schema up to a revision (default: head)."""
    from aiostore.db import migrate
    from aiostore.db.engine import resolve_urls

    settings = settings_or_exit()
    try:
        urls = resolve_urls(settings)
        run(migrate.upgrade(urls, settings, revision))
        out.print(f"[green]database at[/] {run(migrate.current_revision(urls))}")
    except Exception as exc:
        raise fail(f"upgrade failed: {exc}") from exc


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")]) -> None:
    """Migrate the schema down to a revision."""
    from aiostore.db import migrate
    from aiostore.db.engine import resolve_urls

    settings = settings_or_exit()
    try:
        urls = resolve_urls(settings)
        run(migrate.downgrade(urls, settings, revision))
        out.print(f"[yellow]database at[/] {run(migrate.current_revision(urls))}")
    except Exception as exc:
        raise fail(f"downgrade failed: {exc}") from exc


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded database (whichever process started it); stop `aiostore serve` first."""
    from aiostore.db.engine import embedded_pgdata, stop_embedded

    settings = settings_or_exit()
    if settings.database_url:
        raise fail("AIOSTORE_DATABASE_URL names an external database: there is no embedded one to stop")
    where = embedded_pgdata(settings.data_dir)
    if stop_embedded(settings.data_dir):
        out.print(f"[green]stopped[/] the embedded database in {where}", soft_wrap=True)
    else:
        out.print(f"the embedded database in {where} is not running", soft_wrap=True)


@db_app.command("current")
def db_current() -> None:
    """Show the schema revision of the database and of the code."""
    from aiostore.db import migrate
    from aiostore.db.engine import resolve_urls

    settings = settings_or_exit()
    try:
        current = run(migrate.current_revision(resolve_urls(settings)))
    except Exception as exc:
        raise fail(f"cannot read the database: {exc}") from exc
    head = migrate.head_revision()
    state = "[green]up to date[/]" if current == head else "[yellow]behind: run `aiostore db upgrade`[/]"
    out.print(f"database: {current or 'empty'}  code: {head}  {state}")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Login email.")],
    org: Annotated[str, typer.Option(help="Name of the organization to create, owned by this user.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password: Annotated[
        str,
        typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters."),
    ] = "",
) -> None:
    """Create a user and an organization they own (for a first login)."""
    from aiostore.cli.users import create_user

    settings = settings_or_exit()
    try:
        user_id, org_id = run(create_user(settings, email=email, password=password, name=name, org=org))
    except ValueError as exc:
        raise fail(str(exc)) from exc
    out.print(f"[green]created[/] {email} (user {user_id}) owning {org!r} (org {org_id})")


app.add_typer(sandbox_cli.app, name="sandbox")
app.add_typer(sync_cli.app, name="sync")
app.add_typer(jobs_cli.app, name="jobs")
app.add_typer(catalog_cli.app, name="catalog")
app.add_typer(changes_cli.stock_app, name="stock")
app.add_typer(changes_cli.price_app, name="price")
app.add_typer(demo_cli.app, name="demo")


if __name__ == "__main__":
    app()
