"""Bulk writes in one statement: many rows updated by key from arrays (`UPDATE … FROM unnest(…)`),
instead of one UPDATE per row (10,000 of them cost seconds)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import BindParameter, bindparam, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.base import Base

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


async def update_by_key(
    session: AsyncSession, model: type[Base], key: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Set each row's other columns on the row of `model`'s table whose `key` column equals the row's `key`
    (every row names the same columns); `updated_at` is set to now when the table has it. Row-level
    security applies as to any statement of the session."""
    if not rows:
        return
    table, names = model.__table__, list(rows[0])
    if key not in names:
        raise ValueError(f"every row needs its {key}")
    arrays = ", ".join(
        f"CAST(:a{n} AS {table.c[name].type.compile(dialect=_DIALECT)}[])" for n, name in enumerate(names)
    )
    sets = [f"{name} = v.{name}" for name in names if name != key]
    if "updated_at" in table.c and "updated_at" not in names:
        sets.append("updated_at = now()")
    sql = (
        f"UPDATE {model.__tablename__} AS t SET {', '.join(sets)} "  # noqa: S608  (names come from the model)
        f"FROM unnest({arrays}) AS v({', '.join(names)}) WHERE t.{key} = v.{key}"
    )
    params: list[BindParameter[Any]] = [
        bindparam(f"a{n}", [row[name] for row in rows]) for n, name in enumerate(names)
    ]
    await session.execute(text(sql).bindparams(*params))
