"""`aiostore demo reset`: delete the demo organization; the service builds it afresh on the next
"Try the demo" (or at start with `aiostore serve --demo`), from new sandboxes."""

from __future__ import annotations

import asyncio

import typer

from aiostore.cli.installation import settings_or_exit
from aiostore.cli.output import fail, out
from aiostore.settings import Settings

app = typer.Typer(help="The demo organization (sandbox shops): reset it.", no_args_is_help=True)


async def _reset(settings: Settings) -> bool:
    from aiostore.db.engine import resolve_urls
    from aiostore.db.session import Database
    from aiostore.services.demo.build import delete_org, demo_org

    db = Database.connect(resolve_urls(settings), pool_size=1)
    try:
        org_id = await demo_org(db)
        if org_id is None:
            return False
        await delete_org(db, org_id)
        return True
    finally:
        await db.dispose()


@app.command("reset")
def reset() -> None:
    """Delete the demo organization and everything in it; other organizations are untouched."""
    settings = settings_or_exit()
    try:
        deleted = asyncio.run(_reset(settings))
    except Exception as exc:
        raise fail(f"cannot reset the demo: {exc}") from exc
    if deleted:
        out.print("[green]deleted[/] the demo organization; the next visit to Try the demo builds it afresh")
    else:
        out.print("there is no demo organization")
