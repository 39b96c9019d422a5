"""Test-wide fixtures: one real PostgreSQL per run, migrated by Alembic, used as the application role.

AIOSTORE_TEST_DATABASE_URL (a role that may create databases and roles) selects an external server;
otherwise an embedded server is started from the pgserver wheel in a temporary folder.

Under pytest-xdist every worker has its own: its temporary folder (so its own embedded server), its own
database and, on an external server, its own pair of roles (roles belong to the whole cluster: two workers
creating or altering the same role at once collide).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import URL, text
from sqlalchemy.ext.asyncio import create_async_engine

from aiostore.db import migrate
from aiostore.db.engine import DatabaseURLs, normalize, start_embedded
from aiostore.db.session import Database
from aiostore.log import configure_logging
from aiostore.settings import Settings

APP_PASSWORD = "test-app-role-password"  # noqa: S105


def pytest_configure(config: pytest.Config) -> None:
    # The service's own log setup (plain tracebacks, redaction) for every test.
    configure_logging("INFO", json_logs=False)


def _admin_url(tmp: Path) -> URL:
    external = os.environ.get("AIOSTORE_TEST_DATABASE_URL")
    if external:
        return normalize(external)
    return start_embedded(tmp)


def _roles() -> dict[str, str]:
    """The owner and application roles of this worker on an external server (default names otherwise)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not os.environ.get("AIOSTORE_TEST_DATABASE_URL"):
        return {}
    return {"db_owner_role": f"aiostore_owner_{worker}", "db_app_role": f"aiostore_app_{worker}"}


def database_env(settings: Settings) -> dict[str, str]:
    """The environment of an `aiostore` command a test runs: the test database, as the test's roles."""
    assert settings.database_url
    return {
        "AIOSTORE_DATABASE_URL": settings.database_url,
        "AIOSTORE_DB_OWNER_ROLE": settings.db_owner_role,
        "AIOSTORE_DB_APP_ROLE": settings.db_app_role,
        "AIOSTORE_DB_APP_PASSWORD": APP_PASSWORD,
        "AIOSTORE_DATA_DIR": str(settings.data_dir),
    }


@pytest.fixture(scope="session")
async def test_settings(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Settings]:
    tmp = tmp_path_factory.mktemp("aiostore")
    admin = _admin_url(tmp)
    name = f"aiostore_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    owner_url = admin.set(database=name)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp,
        database_url=owner_url.render_as_string(hide_password=False),
        db_app_password=APP_PASSWORD,  # type: ignore[arg-type]
        login_max_failures=10,
        demo=False,  # tests that want the demo build their app with it
        demo_order_seconds=0,
        readback_delay_seconds=0,  # a settle would otherwise sleep through each read-back's wait
        **_roles(),
    ).with_development_secrets()
    yield settings
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


@pytest.fixture(scope="session")
async def urls(test_settings: Settings) -> DatabaseURLs:
    assert test_settings.database_url
    owner = normalize(test_settings.database_url)
    app = owner.set(username=test_settings.db_app_role, password=APP_PASSWORD)
    urls = DatabaseURLs(owner=owner, app=app, embedded=False)
    await migrate.upgrade(urls, test_settings)
    return urls


@pytest.fixture(scope="session")
async def db(urls: DatabaseURLs) -> AsyncIterator[Database]:
    database = Database.connect(urls, pool_size=5)
    yield database
    await database.dispose()
