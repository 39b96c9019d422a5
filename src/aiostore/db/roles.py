"""The two database roles: an owner that runs migrations and an application role that owns nothing.

Created by `aiostore db upgrade` where the connecting user may create roles (the embedded server,
or an external server with a superuser/CREATEROLE URL); otherwise they must exist already and are
named by settings (AIOSTORE_DB_OWNER_ROLE, AIOSTORE_DB_APP_ROLE, AIOSTORE_APP_DATABASE_URL).
"""

from __future__ import annotations

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

log = structlog.get_logger(__name__)


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"role name {name!r} must be letters, digits and underscores")
    return f'"{name}"'


async def _exists(conn: AsyncConnection, role: str) -> bool:
    found = await conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    return found is not None


async def ensure_roles(
    conn: AsyncConnection, *, owner_role: str, app_role: str, app_password: str | None
) -> bool:
    """Create missing roles where allowed. Returns True when migrations can run as owner_role."""
    me = await conn.execute(text("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"))
    row = me.one()
    can_create = bool(row.rolsuper or row.rolcreaterole)
    owner, app = _ident(owner_role), _ident(app_role)
    if can_create:
        if not await _exists(conn, owner_role):
            await conn.execute(text(f"CREATE ROLE {owner} NOLOGIN NOSUPERUSER NOBYPASSRLS"))
            log.info("db.role.created", role=owner_role)
        if not await _exists(conn, app_role):
            await conn.execute(
                text(f"CREATE ROLE {app} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
            )
            log.info("db.role.created", role=app_role)
        if app_password:
            await conn.execute(
                text(f"ALTER ROLE {app} PASSWORD {_literal(app_password)}")  # noqa: S608
            )
        if not row.rolsuper:
            await conn.execute(text(f"GRANT {owner} TO current_user"))
    if not await _exists(conn, owner_role):
        return False
    # PostgreSQL 16 split SET from membership; before it, a member may always SET ROLE.
    version = int(await conn.scalar(text("SHOW server_version_num")) or 0)
    privilege = "SET" if version >= 160000 else "MEMBER"
    member = await conn.scalar(
        text("SELECT pg_has_role(current_user, :r, :p)"), {"r": owner_role, "p": privilege}
    )
    if not member:
        return False
    db = await conn.scalar(text("SELECT current_database()"))
    await conn.execute(text(f'GRANT CONNECT, TEMPORARY ON DATABASE "{db}" TO {owner}'))
    await conn.execute(text(f"GRANT USAGE, CREATE ON SCHEMA public TO {owner}"))
    if await _exists(conn, app_role):
        await conn.execute(text(f'GRANT CONNECT ON DATABASE "{db}" TO {app}'))
    return True


async def grant_app(conn: AsyncConnection, *, app_role: str) -> None:
    """Give the application role what it needs on everything the owner created (run after migrations)."""
    if not await _exists(conn, app_role):
        log.warning("db.role.missing", role=app_role)
        return
    app = _ident(app_role)
    for stmt in (
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {app}",
        f"REVOKE ALL ON TABLE alembic_version FROM {app}",
        f"GRANT SELECT ON TABLE alembic_version TO {app}",
    ):
        await conn.execute(text(stmt))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
