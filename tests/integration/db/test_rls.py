"""Row-level security, proven as the application role the service connects as."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from aiostore.db.engine import DatabaseURLs, create_engine
from aiostore.db.session import Database

TENANT_TABLES = (
    "product_platform_mappings",
    "memberships",
    "invitations",
    "api_tokens",
    "products",
    "variants",
    "variant_prices",
    "inventory",
    "channel_accounts",
    "listings",
    "customers",
    "orders",
    "order_lines",
    "change_sets",
    "change_set_items",
    "sync_jobs",
    "sync_job_items",
    "webhook_events",
    "audit_log",
    "idempotency_keys",
    "inventory_ledger",
    "content_rule_overrides",
    "allocation_rules",
    "promotion_reservations",
    "alert_rules",
    "alert_states",
    "notifications",
    "alert_preferences",
    "alert_webhooks",
    "alert_deliveries",
    "reconciliation_findings",
)


async def _seed(urls: DatabaseURLs) -> tuple[uuid.UUID, uuid.UUID]:
    """Two orgs with one product each, written by the owner (setup only)."""
    a, b = uuid.uuid4(), uuid.uuid4()
    engine = create_engine(urls.owner, pool_size=1)
    async with engine.begin() as conn:
        for org, title in ((a, "A's product"), (b, "B's product")):
            await conn.execute(text("SELECT set_config('app.org_id', :o, true)"), {"o": str(org)})
            await conn.execute(text("INSERT INTO organizations (id, name) VALUES (:o, 'org')"), {"o": org})
            await conn.execute(
                text(
                    "INSERT INTO products (id, org_id, title, description, status, images, attributes) "
                    "VALUES (:id, :o, :t, '', 'active', '[]', '{}')"
                ),
                {"id": uuid.uuid4(), "o": org, "t": title},
            )
    await engine.dispose()
    return a, b


async def _as_org(conn: AsyncConnection, org: uuid.UUID | None) -> None:
    await conn.execute(text("SELECT set_config('app.org_id', :o, true)"), {"o": str(org) if org else ""})


async def test_app_role_has_no_privilege_to_bypass(db: Database) -> None:
    async with db.engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            )
        ).one()
        assert (row.rolsuper, row.rolbypassrls) == (False, False)
        owned = await conn.scalar(
            text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
        )
        assert owned == 0


async def test_every_tenant_table_has_forced_rls(db: Database) -> None:
    async with db.engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                    "WHERE relname = ANY(:names) AND relkind = 'r'"
                ),
                {"names": [*TENANT_TABLES, "organizations"]},
            )
        ).all()
    assert {r.relname for r in rows} == {*TENANT_TABLES, "organizations"}
    assert all(r.relrowsecurity and r.relforcerowsecurity for r in rows)


async def test_no_org_set_sees_nothing(urls: DatabaseURLs, db: Database) -> None:
    await _seed(urls)
    async with db.engine.begin() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM products")) == 0
        assert await conn.scalar(text("SELECT count(*) FROM organizations")) == 0


async def test_org_set_sees_only_its_rows(urls: DatabaseURLs, db: Database) -> None:
    a, b = await _seed(urls)
    async with db.engine.begin() as conn:
        await _as_org(conn, a)
        titles = (await conn.scalars(text("SELECT title FROM products"))).all()
        assert titles == ["A's product"]
    # The setting is transaction-local: the pooled connection forgets it.
    async with db.engine.begin() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM products")) == 0
        await _as_org(conn, b)
        assert (await conn.scalars(text("SELECT title FROM products"))).all() == ["B's product"]
        assert (
            await conn.execute(text("UPDATE products SET title = 'x' WHERE org_id = :a"), {"a": a})
        ).rowcount == 0
        assert (await conn.execute(text("DELETE FROM products WHERE org_id = :a"), {"a": a})).rowcount == 0


async def test_writing_another_orgs_row_is_refused(urls: DatabaseURLs, db: Database) -> None:
    a, b = await _seed(urls)
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.engine.begin() as conn:
            await _as_org(conn, a)
            await conn.execute(
                text(
                    "INSERT INTO products (id, org_id, title, description, status, images, attributes) "
                    "VALUES (:id, :o, 'sneaky', '', 'active', '[]', '{}')"
                ),
                {"id": uuid.uuid4(), "o": b},
            )
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.engine.begin() as conn:
            await _as_org(conn, a)
            await conn.execute(text("UPDATE products SET org_id = :b"), {"b": b})


async def test_orm_scopes_queries_without_rls(urls: DatabaseURLs) -> None:
    """The first lock on its own: on a connection RLS does not bind (the migration superuser),
    the ORM's automatic org filter still returns only the session's org."""
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from aiostore.db.models import Product
    from aiostore.db.tenancy import set_tenant

    a, _ = await _seed(urls)
    engine = create_engine(urls.owner, pool_size=1)
    async with async_sessionmaker(engine)() as session:
        async with session.begin():
            assert await session.scalar(text("SELECT count(*) FROM products")) == 2  # RLS not in play
        set_tenant(session.sync_session, a)
        async with session.begin():
            assert (await session.scalars(select(Product.title))).all() == ["A's product"]
    await engine.dispose()


async def test_invitee_reads_own_invitations_and_changes_none(urls: DatabaseURLs, db: Database) -> None:
    """A user may read the invitations sent to their email (and the inviting org's name), nothing more."""
    a, _ = await _seed(urls)
    invitee, stranger = uuid.uuid4(), uuid.uuid4()
    engine = create_engine(urls.owner, pool_size=1)
    async with engine.begin() as conn:
        for user, email in ((invitee, "Invitee@Example.com"), (stranger, "stranger@example.com")):
            await conn.execute(
                text(
                    "INSERT INTO users (id, email, password_hash, display_name, is_active) "
                    "VALUES (:id, :e, 'x', 'x', true)"
                ),
                {"id": user, "e": email},
            )
        await conn.execute(
            text(
                "INSERT INTO invitations (id, org_id, email, role, token_hash, expires_at) "
                "VALUES (:id, :o, 'invitee@example.com', 'viewer', :h, now() + interval '1 day')"
            ),
            {"id": uuid.uuid4(), "o": a, "h": uuid.uuid4().hex},
        )
    await engine.dispose()
    async with db.engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.user_id', :u, true)"), {"u": str(invitee)})
        assert await conn.scalar(text("SELECT count(*) FROM invitations")) == 1
        assert (await conn.scalars(text("SELECT id FROM organizations"))).all() == [a]
        assert await conn.scalar(text("SELECT count(*) FROM products")) == 0
        changed = await conn.execute(text("UPDATE invitations SET role = 'owner'"))
        assert changed.rowcount == 0
        assert (await conn.execute(text("DELETE FROM invitations"))).rowcount == 0
    async with db.engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.user_id', :u, true)"), {"u": str(stranger)})
        assert await conn.scalar(text("SELECT count(*) FROM invitations")) == 0
        assert await conn.scalar(text("SELECT count(*) FROM organizations")) == 0
