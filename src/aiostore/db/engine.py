"""Where the database is: an external server by URL, or PostgreSQL embedded from the pgserver wheel.

Two roles: the *owner* URL runs migrations (and creates the roles where the server allows it);
the *application* role, which owns nothing and cannot bypass row-level security, is what the
service connects as.
"""

from __future__ import annotations

import os
import re
import signal
import time
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
_started_here: set[Path] = set()  # embedded servers this process started (not found running)


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
    pgdata = embedded_pgdata(data_dir)
    server = _embedded.get(pgdata)
    if server is None:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        # pgserver keeps its lock file in the user's runtime directory; without one, a private one here
        # (mode 0700, or platformdirs warns and falls back to /tmp).
        runtime = pgdata.parent / "run"
        runtime.mkdir(mode=0o700, exist_ok=True)
        runtime.chmod(0o700)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        import pgserver  # imported lazily: external deployments never touch it

        running = embedded_pid(data_dir) is not None
        # We stop what we started (release_embedded; pgserver's exit hook too, if it is the last user),
        # and leave alone a server someone else started.
        server = pgserver.get_server(pgdata, cleanup_mode=None if running else "stop")
        _embedded[pgdata] = server
        if not running:
            _started_here.add(pgdata)
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DB_NAME}';")  # noqa: S608
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {EMBEDDED_DB_NAME};")
            log.info("db.embedded.created", pgdata=str(pgdata))
    base = make_url(server.get_uri())
    return normalize(base.set(database=EMBEDDED_DB_NAME))


def embedded_pgdata(data_dir: Path) -> Path:
    return (data_dir / "pg").resolve()


def embedded_pid(data_dir: Path) -> int | None:
    """The embedded server's postmaster pid when it is running, else None."""
    try:
        first = (embedded_pgdata(data_dir) / "postmaster.pid").read_text().split("\n", 1)[0]
        pid = int(first.strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def started_embedded() -> frozenset[Path]:
    """The embedded servers this process has started so far."""
    return frozenset(_started_here)


def stop_embedded(data_dir: Path, *, timeout: float = 30.0) -> bool:
    """Stop the embedded server (fast shutdown: sessions end, nothing committed is lost); True if it ran."""
    pgdata = embedded_pgdata(data_dir)
    server = _embedded.pop(pgdata, None)
    if server is not None:
        server.cleanup_mode = None  # pgserver's exit hook must not stop it a second time
    _started_here.discard(pgdata)
    pid = embedded_pid(data_dir)
    if pid is None:
        return False
    os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + timeout
    while embedded_pid(data_dir) == pid and time.monotonic() < deadline:
        time.sleep(0.1)
    log.info("db.embedded.stopped", pgdata=str(pgdata))
    return embedded_pid(data_dir) is None


def release_embedded(data_dir: Path, started_before: frozenset[Path]) -> str | None:
    """At the end of a command: stop the embedded server if this command started it and no other
    process is connected to it. Returns what was done ("stopped", "in use") or None (not ours)."""
    pgdata = embedded_pgdata(data_dir)
    server = _embedded.get(pgdata)
    if pgdata not in _started_here or pgdata in started_before or server is None:
        return None
    # A backend whose client has just closed its connection (this process's pools, disposed a moment ago)
    # is still listed until it has exited: give those a moment to go.
    deadline = time.monotonic() + 3.0
    while (others := _other_clients(server)) != 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    if others != 0:
        log.warning("db.embedded.left_running", pgdata=str(pgdata), reason="other clients are connected")
        return "in use"
    stop_embedded(data_dir)
    return "stopped"


def _other_clients(server: Any) -> int | None:
    """How many other client sessions the server has (None: the answer could not be read)."""
    answer = server.psql(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid();"
    )
    found = re.search(r"^\s*(\d+)\s*$", answer, re.M)
    return None if found is None else int(found.group(1))


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


def create_engine(url: URL, *, pool_size: int = 10, pre_ping: bool = True, **kwargs: Any) -> AsyncEngine:
    """`pre_ping`: test each connection with a round trip when it leaves the pool (a connection the server
    dropped is replaced instead of failing the request)."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=pre_ping,
        pool_recycle=1800,
        # Errors never carry the statement's values (an e-mail, a password hash) into a log line.
        hide_parameters=True,
        **kwargs,
    )
