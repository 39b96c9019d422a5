"""Bulk writes in one statement from arrays: many rows inserted (`INSERT … SELECT … FROM unnest(…)`)
or updated by key (`UPDATE … FROM unnest(…)`), instead of one statement per row (10,000 of them cost
seconds; a multi-row VALUES list of 10,000 rows costs more to build than to run). COPY is no option:
PostgreSQL refuses COPY FROM into a table with row-level security.

The arrays travel as the execution's parameters, not as values bound into the statement: SQLAlchemy
keeps each statement it compiled (its compiled cache, 500 per engine) together with the values bound
into it, so a statement that carried a change set's 10 MB JSON document would hold it for the life of
the process."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, BindParameter, ColumnElement, Text, TextClause, any_, bindparam, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.sqltypes import NullType

from aiostore.db.base import Base

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]
Rows = Sequence[Mapping[str, Any]]


def among(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], values: Iterable[Any]
) -> ColumnElement[bool]:
    """`column = ANY(:array)`: one array parameter instead of `IN (:p1, …, :p10000)`, whose 10,000
    placeholders cost more to render and convert than the query costs to run. An expression of no
    known type (`func.lower(…)`) is compared as text."""
    kind = column.type
    element = Text() if isinstance(kind, NullType) else kind
    return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(element)))


@dataclass(frozen=True)
class _Shape:
    """The part of an array statement that depends only on the table, its columns and the prefix."""

    source: str  # `ROWS FROM (unnest(…), …) AS v(names)`
    values: tuple[str, ...]  # each column's value expression
    params: tuple[BindParameter[Any], ...]  # the parameters, without values
    json: tuple[bool, ...]  # which columns travel as one JSON document


@lru_cache(maxsize=256)
def _shape(model: type[Base], names: tuple[str, ...], prefix: str) -> _Shape:
    table = model.__table__
    sources: list[str] = []
    values: list[str] = []
    params: list[BindParameter[Any]] = []
    kinds: list[bool] = []
    for n, name in enumerate(names):
        kind = table.c[name].type
        sql_type = kind.compile(dialect=_DIALECT)
        kinds.append(isinstance(kind, JSON))
        if kinds[-1]:
            sources.append(f"jsonb_array_elements(CAST(:{prefix}{n} AS jsonb))")
            values.append(f"CAST(NULLIF(v.{name}, 'null'::jsonb) AS {sql_type})")  # None is SQL NULL
            params.append(bindparam(f"{prefix}{n}", type_=Text()))
        else:
            sources.append(f"unnest(CAST(:{prefix}{n} AS {sql_type}[]))")
            values.append(f"v.{name}")
            params.append(bindparam(f"{prefix}{n}"))  # the driver adapts the list, as it would a bound one
    source = f"ROWS FROM ({', '.join(sources)}) AS v({', '.join(names)})"
    return _Shape(source, tuple(values), tuple(params), tuple(kinds))


def _arrays(
    model: type[Base], names: Sequence[str], rows: Rows, *, prefix: str = "a"
) -> tuple[str, list[str], list[BindParameter[Any]], dict[str, Any]]:
    """`ROWS FROM (unnest(…), …) AS v(names)` with one array per column, each column's value
    expression, the parameters (without values) and their values. JSON columns travel as one
    JSON document each (`jsonb_array_elements`): as a text array every quote inside would be escaped
    one by one. The shape is built once per table, columns and prefix."""
    shape = _shape(model, tuple(names), prefix)
    arguments: dict[str, Any] = {}
    for n, (name, is_json) in enumerate(zip(names, shape.json, strict=True)):
        column = [row[name] for row in rows]
        # compact JSON: no spaces
        arguments[f"{prefix}{n}"] = (
            json.dumps(column, separators=(",", ":"), check_circular=False) if is_json else column
        )
    return shape.source, list(shape.values), list(shape.params), arguments


_STATEMENTS: dict[str, TextClause] = {}
_MAX_STATEMENTS = 256


def statement(sql: str, params: Sequence[BindParameter[Any]]) -> TextClause:
    """`text(sql).bindparams(*params)`, made once per SQL text (`params` are what `insert_sql` or
    `_arrays` returned with it, which the text determines): parsing a long statement for its
    parameters on every call cost more than building the rest of it."""
    found = _STATEMENTS.get(sql)
    if found is None:
        if len(_STATEMENTS) >= _MAX_STATEMENTS:
            _STATEMENTS.pop(next(iter(_STATEMENTS)))  # the oldest
        found = _STATEMENTS[sql] = text(sql).bindparams(*params)
    return found


def insert_sql(
    model: type[Base], rows: Rows, *, prefix: str = "a"
) -> tuple[str, list[BindParameter[Any]], dict[str, Any]]:
    """`insert_rows`' statement, its parameters and their values, for a caller that makes it part of
    a statement of its own (a CTE); `prefix` names the parameters (`<prefix>0`, ...)."""
    if "id" in model.__table__.c and "id" not in rows[0]:
        rows = [{"id": uuid.uuid4(), **row} for row in rows]
    names = list(rows[0])
    source, values, params, arguments = _arrays(model, names, rows, prefix=prefix)
    sql = (
        f"INSERT INTO {model.__tablename__} ({', '.join(names)}) "  # noqa: S608  (names from the model)
        f"SELECT {', '.join(values)} FROM {source}"
    )
    return sql, params, arguments


async def insert_rows(
    session: AsyncSession,
    model: type[Base],
    rows: Rows,
    *,
    skip_conflicts_on: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert rows (each names the same columns; a missing `id` is a new UUID) in one statement. Other
    defaults are the database's (`created_at`, `updated_at`: now). With `skip_conflicts_on` (a unique
    key's columns), a row whose key exists, or repeats one earlier in `rows`, is skipped. Returns the
    `returning` columns of each row inserted (none when not asked)."""
    if not rows:
        return []
    sql, params, arguments = insert_sql(model, rows)
    if skip_conflicts_on:
        sql += f" ON CONFLICT ({', '.join(skip_conflicts_on)}) DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    result = await session.execute(statement(sql, params), arguments)
    return [tuple(row) for row in result.all()] if returning else []


async def update_by_key(
    session: AsyncSession,
    model: type[Base],
    key: str,
    rows: Rows,
    *,
    match: Sequence[str] = (),
    sets: Mapping[str, str] | None = None,
) -> None:
    """Set each row's other columns on the row of `model`'s table whose `key` column equals the row's
    `key` (each row names the same columns); `updated_at` is set to now when the table has it.

    `match` names columns that are compared, not set: a row whose stored value differs is left alone
    (an optimistic version check). `sets` gives a column its own SQL expression instead of the plain
    value, with `{v}` for the row's value and `t.` for the stored row (`"t.state || {v}"`).
    Row-level security applies as to any statement of the session."""
    if not rows:
        return
    names = list(rows[0])
    if key not in names:
        raise ValueError(f"every row needs its {key}")
    source, values, params, arguments = _arrays(model, names, rows)
    own = sets or {}
    pairs = [(n, v) for n, v in zip(names, values, strict=True) if n != key and n not in match]
    assignments = [f"{n} = {own[n].format(v=v) if n in own else v}" for n, v in pairs]
    if "updated_at" in model.__table__.c and "updated_at" not in names:
        assignments.append("updated_at = now()")
    where = " AND ".join(f"t.{n} = v.{n}" for n in (key, *match))
    sql = (
        f"UPDATE {model.__tablename__} AS t SET {', '.join(assignments)} "  # noqa: S608  (names from the model)
        f"FROM {source} WHERE {where}"
    )
    await session.execute(statement(sql, params), arguments)
