"""`aiostore catalog preview|show|commit|revert`: the publish services from the command line."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from aiostore.db.models import ProductPlatformMapping, SyncJob
from aiostore.db.session import Database
from tests.factories import Caller
from tests.integration.cli.conftest import cli, make_channel
from tests.integration.publish import support

pytestmark = pytest.mark.db


async def test_preview_show_commit_and_revert(cli_env: dict[str, str], db: Database, owner: Caller) -> None:
    org = owner.org_id
    shop = await make_channel(db, org)
    made = await owner.post("/api/products", json=support.body("CLI"))
    assert made.status_code == 201, made.text
    product = uuid.UUID(made.json()["id"])
    refused = await cli("catalog", "preview", "--shop", str(shop))
    assert refused.exit_code == 0, refused.output
    assert "publish.no_category" not in refused.output  # the finding's message is shown, not its code
    assert "map the product to a shopee category first" in refused.output
    preview_id = re.search(r"preview ([0-9a-f-]{36})", refused.output)
    assert preview_id is not None
    commit = await cli("catalog", "commit", preview_id.group(1), "--acknowledge-warnings")
    assert commit.exit_code == 1 and "map the product to a shopee category first" in commit.output

    async with db.transaction(org) as s:
        s.add(ProductPlatformMapping(org_id=org, product_id=product, platform="shopee", market="ID",
                                     category_id="100", attributes=[]))  # fmt: skip
    shown = await cli("catalog", "preview", "--shop", str(shop), "--product", str(product))
    assert shown.exit_code == 0, shown.output
    found = re.search(r"preview ([0-9a-f-]{36})", shown.output)
    assert found is not None and "create" in shown.output
    listed = await cli("catalog", "show", found.group(1), "--action", "create")
    assert listed.exit_code == 0 and "CLI-M" in listed.output
    unacknowledged = await cli("catalog", "commit", found.group(1))
    assert unacknowledged.exit_code == 1 and "not in the cached tree" in unacknowledged.output
    done = await cli("catalog", "commit", found.group(1), "--acknowledge-warnings")
    assert done.exit_code == 0, done.output
    assert "queued publish job" in done.output and "(dry run)" in done.output
    async with db.transaction(org) as s:
        jobs = list(await s.scalars(select(SyncJob).where(SyncJob.kind == "publish")))
    assert [(j.started_by, j.dry_run) for j in jobs] == [("cli", True)]
    back = await cli("catalog", "revert", found.group(1))
    assert back.exit_code == 0, back.output
    assert "revert preview" in back.output and "│ unchanged │" in back.output  # nothing went live (dry)
    again = await cli("catalog", "commit", found.group(1))
    assert again.exit_code == 1 and "committed" in again.output
