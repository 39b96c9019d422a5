"""Migrations: up, down and up again on a fresh database; the models match the migrations."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from aiostore.db import migrate
from aiostore.db.base import Base
from aiostore.db.engine import DatabaseURLs, create_engine
from aiostore.settings import Settings


async def test_upgrade_downgrade_upgrade(fresh: DatabaseURLs, test_settings: Settings) -> None:
    await migrate.upgrade(fresh, test_settings)
    assert await migrate.current_revision(fresh) == migrate.head_revision()
    assert await migrate.is_current(fresh)
    await migrate.downgrade(fresh, test_settings, "base")
    assert await migrate.current_revision(fresh) is None
    engine = create_engine(fresh.owner, pool_size=1)
    async with engine.connect() as conn:
        left = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        )
    await engine.dispose()
    assert left == 0
    await migrate.upgrade(fresh, test_settings)
    assert await migrate.is_current(fresh)


async def test_tables_are_owned_by_the_owner_role(urls: DatabaseURLs, test_settings: Settings) -> None:
    engine = create_engine(urls.owner, pool_size=1)
    async with engine.connect() as conn:
        owners = set(
            (
                await conn.scalars(
                    text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
                )
            ).all()
        )
    await engine.dispose()
    assert owners == {test_settings.db_owner_role}


async def test_models_match_migrations(urls: DatabaseURLs) -> None:
    engine = create_engine(urls.owner, pool_size=1)
    async with engine.connect() as conn:

        def diff(sync_conn):  # type: ignore[no-untyped-def]
            ctx = MigrationContext.configure(
                sync_conn,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, type_, parent: (
                        not (type_ == "table" and name and name.startswith("procrastinate"))
                    ),
                },
            )
            return compare_metadata(ctx, Base.metadata)

        changes = await conn.run_sync(diff)
    await engine.dispose()
    assert changes == []
