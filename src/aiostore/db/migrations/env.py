"""Alembic environment: runs on the connection aiostore.db.migrate hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from aiostore.db import models  # noqa: F401  (registers every table)
from aiostore.db.base import Base

target_metadata = Base.metadata


def _include(name: str | None, type_: str, *_: object) -> bool:
    # procrastinate's own tables live in the same schema; its migrations are applied by ours.
    return not (type_ == "table" and name is not None and name.startswith("procrastinate"))


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_name=lambda name, type_, parent: _include(name, type_),
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `aiostore db upgrade`, not the alembic command")
run(connection)
