"""Tenant scoping, twice: the ORM filters every query by org, and RLS enforces it in PostgreSQL.

At the start of each transaction `app.org_id` and `app.user_id` are set with `set_config(..., true)`,
which lasts only until the transaction ends, so a pooled connection never carries one tenant's id
into another's request. The same org id feeds `with_loader_criteria` on every ORM select.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, with_loader_criteria

from aiostore.db.base import TenantScoped

ORG_KEY = "aiostore.org_id"
USER_KEY = "aiostore.user_id"

_SET_CONTEXT = text("SELECT set_config('app.org_id', :org, true), set_config('app.user_id', :user, true)")


def set_tenant(session: Session, org_id: uuid.UUID | None, user_id: uuid.UUID | None = None) -> None:
    """Scope a session that has no open transaction yet: applied when its next transaction begins."""
    session.info[ORG_KEY] = org_id
    session.info[USER_KEY] = user_id


async def bind_tenant(
    session: AsyncSession, org_id: uuid.UUID | None, user_id: uuid.UUID | None = None
) -> None:
    """Scope this session to an org (and user), at once if a transaction is open, and for later ones."""
    set_tenant(session.sync_session, org_id, user_id)
    if session.in_transaction():
        await session.execute(
            _SET_CONTEXT, {"org": str(org_id) if org_id else "", "user": str(user_id) if user_id else ""}
        )


def current_org(session: Session) -> uuid.UUID | None:
    value = session.info.get(ORG_KEY)
    return value if isinstance(value, uuid.UUID) else None


def _apply(conn: Connection, org_id: uuid.UUID | None, user_id: uuid.UUID | None) -> None:
    conn.execute(
        _SET_CONTEXT,
        {"org": str(org_id) if org_id else "", "user": str(user_id) if user_id else ""},
    )


@event.listens_for(Session, "after_begin")
def _set_rls_context(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    if ORG_KEY in session.info or USER_KEY in session.info:
        _apply(connection, session.info.get(ORG_KEY), session.info.get(USER_KEY))


@event.listens_for(Session, "do_orm_execute")
def _scope_queries(state: ORMExecuteState) -> None:
    if not state.is_select or state.execution_options.get("skip_tenant_filter", False):
        return
    org_id: Any = state.session.info.get(ORG_KEY)
    if ORG_KEY not in state.session.info:
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.org_id == org_id,
            include_aliases=True,
        )
    )
