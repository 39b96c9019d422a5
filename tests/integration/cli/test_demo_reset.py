"""`aiostore demo reset` deletes the demo organization, and nothing else."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from aiostore.db.models import Organization
from aiostore.db.session import Database
from aiostore.services import accounts
from aiostore.services.demo.build import DEMO_EMAIL, DEMO_NAME, demo_org
from tests.factories import Caller
from tests.integration.cli.conftest import cli


async def test_reset_deletes_only_the_demo(cli_env: dict[str, str], db: Database, owner: Caller) -> None:
    nothing = await cli("demo", "reset")
    assert nothing.exit_code == 0 and "there is no demo organization" in nothing.output

    async with db.transaction() as session:
        user = await accounts.create_user(
            session, email=DEMO_EMAIL, password=secrets.token_urlsafe(16), display_name="Demo seller"
        )
        org = await accounts.create_org(session, user, DEMO_NAME)
        org.is_demo = True
        demo_id = org.id
    assert await demo_org(db) == demo_id

    done = await cli("demo", "reset")
    assert done.exit_code == 0, done.output
    assert "deleted" in done.output
    assert await demo_org(db) is None
    async with db.transaction(demo_id) as session:
        assert await session.scalar(select(Organization).where(Organization.id == demo_id)) is None
    async with db.transaction(owner.org_id) as session:  # another organization is untouched
        assert await session.scalar(select(Organization).where(Organization.id == owner.org_id)) is not None
