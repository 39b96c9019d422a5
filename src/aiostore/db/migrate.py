"""Migrations run programmatically: roles first, then Alembic as the owner role, then grants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import structlog
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from aiostore.db.engine import DatabaseURLs, create_engine
from aiostore.db.roles import ensure_roles, grant_app
from aiostore.settings import Settings

log = structlog.get_logger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _run(connection: Connection, fn: Any, *args: Any) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    fn(cfg, *args)


async def _as_owner(conn: AsyncConnection, settings: Settings) -> None:
    password = settings.db_app_password.get_secret_value() if settings.db_app_password else None
    can_set = await ensure_roles(
        conn, owner_role=settings.db_owner_role, app_role=settings.db_app_role, app_password=password
    )
    if can_set:
        await conn.execute(text(f'SET ROLE "{settings.db_owner_role}"'))


async def upgrade(urls: DatabaseURLs, settings: Settings, revision: str = "head") -> None:
    engine = create_engine(urls.owner, pool_size=1)
    try:
        async with engine.begin() as conn:
            # One migration at a time, whichever process gets here first.
            await conn.execute(text("SELECT pg_advisory_xact_lock(80551)"))
            await _as_owner(conn, settings)
            await conn.run_sync(_run, command.upgrade, revision)
            await grant_app(conn, app_role=urls.app.username or settings.db_app_role)
        log.info("db.upgraded", revision=revision)
    finally:
        await engine.dispose()


async def downgrade(urls: DatabaseURLs, settings: Settings, revision: str) -> None:
    engine = create_engine(urls.owner, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("SELECT pg_advisory_xact_lock(80551)"))
            await _as_owner(conn, settings)
            await conn.run_sync(_run, command.downgrade, revision)
        log.info("db.downgraded", revision=revision)
    finally:
        await engine.dispose()


async def current_revision(urls: DatabaseURLs, *, as_app: bool = False) -> str | None:
    engine = create_engine(urls.app if as_app else urls.owner, pool_size=1)
    try:
        async with engine.connect() as conn:

            def _current(sync_conn: Connection) -> str | None:
                return MigrationContext.configure(sync_conn).get_current_revision()

            return await conn.run_sync(_current)
    finally:
        await engine.dispose()


async def is_current(urls: DatabaseURLs) -> bool:
    return await current_revision(urls, as_app=True) == head_revision()
