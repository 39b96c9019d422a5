"""Where the database is: an external server by URL, or PostgreSQL embedded from the pgserver wheel.

Two roles: the *owner* URL runs migrations (and creates the roles where the server allows it);
the *application* role, which owns nothing and cannot bypass row-level security, is what the
service connects as.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from aiostore.settings import Settings

log = structlog.get_logger(__name__)

EMBEDDED_DB_NAME = "aiostore"
_embedded: dict[Path, Any] = {}


@dataclass(frozen=True, slots=True)
class DatabaseURLs:
    owner: URL
    app: URL
    embedded: bool

    def app_conninfo(self) -> str:
        """The application URL as a libpq conninfo string (for procrastinate's psycopg pool)."""
        return str(self.app.set(drivername="postgresql").render_as_string(hide_password=False))

    def owner_conninfo(self) -> str:
        return str(self.owner.set(drivername="postgresql").render_as_string(hide_password=False))


def normalize(url: str | URL) -> URL:
    """Any PostgreSQL URL, as SQLAlchemy's async psycopg 3 URL."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise ValueError(f"only PostgreSQL is supported, got {parsed.drivername!r}")
    return parsed.set(drivername="postgresql+psycopg")


def start_embedded(data_dir: Path) -> URL:
    """Start (or join) the embedded server in data_dir/pg; returns the superuser URL of our database."""
    pgdata = (data_dir / "pg").resolve()
    server = _embedded.get(pgdata)
    if server is None:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(pgdata.parent))
        import pgserver  # imported lazily: external deployments never touch it

        server = pgserver.get_server(pgdata, cleanup_mode="stop")
        _embedded[pgdata] = server
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DB_NAME}';")  # noqa: S608
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {EMBEDDED_DB_NAME};")
            log.info("db.embedded.created", pgdata=str(pgdata))
    base = make_url(server.get_uri())
    return normalize(base.set(database=EMBEDDED_DB_NAME))


def resolve_urls(settings: Settings) -> DatabaseURLs:
    """The owner and application URLs for these settings, starting the embedded server if needed."""
    if settings.database_url:
        owner = normalize(settings.database_url)
        embedded = False
    else:
        owner = start_embedded(settings.data_dir)
        embedded = True
    if settings.app_database_url:
        app = normalize(settings.app_database_url)
    else:
        password = settings.db_app_password.get_secret_value() if settings.db_app_password else None
        app = owner.set(username=settings.db_app_role, password=password)
    return DatabaseURLs(owner=owner, app=app, embedded=embedded)


def create_engine(url: URL, *, pool_size: int = 10, **kwargs: Any) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        # Errors never carry the statement's values (an e-mail, a password hash) into a log line.
        hide_parameters=True,
        **kwargs,
    )
