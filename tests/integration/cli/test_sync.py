"""`aiostore sync pull|push --no-wait`: the same jobs and audit entries as the API, and bad input."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from aiostore.db.models import AuditLog, Listing, SyncJob
from aiostore.db.session import Database
from aiostore.services import channels
from tests.factories import Caller
from tests.integration.cli.conftest import cli, make_channel, make_listing, make_variant


async def _jobs(db: Database, org: uuid.UUID) -> list[SyncJob]:
    async with db.transaction(org) as session:
        return list((await session.scalars(select(SyncJob).order_by(SyncJob.created_at, SyncJob.kind))).all())


async def _audit(db: Database, org: uuid.UUID, action: str) -> list[AuditLog]:
    async with db.transaction(org) as session:
        return list((await session.scalars(select(AuditLog).where(AuditLog.action == action))).all())


async def test_pull_creates_jobs(cli_env: dict[str, str], db: Database, owner: Caller) -> None:
    org = owner.org_id
    shopee = await make_channel(db, org, platform="shopee")
    lazada = await make_channel(db, org, platform="lazada", market="MY")
    await make_channel(db, org, platform="tiktokshop", status=channels.DISCONNECTED)

    one = await cli("sync", "pull", "--channel", str(shopee), "--kind", "products", "--no-wait")
    assert one.exit_code == 0, one.output
    assert "queued 1 job(s)" in one.output and "pull_products · shopee ID Toko shopee" in one.output
    assert "write mode is dry" in one.output
    [job] = await _jobs(db, org)
    assert (job.kind, job.channel_account_id, job.status) == ("pull_products", shopee, "queued")
    assert (job.started_by, job.started_by_user_id, job.dry_run) == ("cli", None, True)
    assert job.queue_job_id is not None  # deferred in the same transaction
    [entry] = await _audit(db, org, "sync.pull_requested")
    assert (entry.entity_id, entry.actor_type, entry.actor_label) == (str(job.id), "system", "cli")
    assert entry.changes == {"kind": {"before": None, "after": "pull_products"}}

    # No --channel: every connected channel of the (only) org; no --kind: products and orders.
    every = await cli("sync", "pull", "--no-wait")
    assert every.exit_code == 0, every.output
    created = (await _jobs(db, org))[1:]
    assert sorted((j.channel_account_id == shopee, j.kind) for j in created) == [
        (False, "pull_orders"),
        (False, "pull_products"),
        (True, "pull_orders"),
        (True, "pull_products"),
    ]
    assert {j.channel_account_id for j in created} == {shopee, lazada}


async def test_push_creates_jobs(cli_env: dict[str, str], db: Database, owner: Caller) -> None:
    org = owner.org_id
    shopee = await make_channel(db, org, platform="shopee")
    lazada = await make_channel(db, org, platform="lazada", market="MY")
    variant = await make_variant(db, org, "TEE-RED", on_hand=5)
    on_shopee = await make_listing(db, org, shopee, "1", "1", "TEE-RED", variant_id=variant)
    on_lazada = await make_listing(db, org, lazada, "9", "0", "TEE-RED", variant_id=variant)

    by_sku = await cli("sync", "push", "--sku", "tee-red", "--no-wait")
    assert by_sku.exit_code == 0, by_sku.output
    jobs = await _jobs(db, org)
    assert {(j.kind, j.channel_account_id) for j in jobs} == {
        ("push_listings", shopee),
        ("push_listings", lazada),
    }
    assert {tuple(j.params["listing_ids"]) for j in jobs} == {(str(on_shopee),), (str(on_lazada),)}
    assert all(j.started_by == "cli" for j in jobs)
    async with db.transaction(org) as session:
        assert all(x.stock_dirty for x in (await session.scalars(select(Listing))).all())
    entries = await _audit(db, org, "sync.push_requested")
    assert {(e.entity_id, e.actor_label) for e in entries} == {(str(j.id), "cli") for j in jobs}

    by_listing = await cli("sync", "push", "--listing", str(on_lazada), "--no-wait", "--org", str(org))
    assert by_listing.exit_code == 0, by_listing.output
    newest = (await _jobs(db, org))[-1]
    assert (newest.channel_account_id, newest.params) == (lazada, {"listing_ids": [str(on_lazada)]})


async def test_sync_bad_input(
    cli_env: dict[str, str], db: Database, owner: Caller, other_org: Caller
) -> None:
    org = owner.org_id
    shopee = await make_channel(db, org, platform="shopee")
    gone = await make_channel(db, org, platform="lazada", market="MY", status=channels.DISCONNECTED)
    variant = await make_variant(db, org, "TEE-RED")
    await make_variant(db, org, "LONELY-1")  # a master SKU no listing is linked to
    await make_listing(db, org, shopee, "1", "1", "TEE-RED", variant_id=variant)
    unlinked = await make_listing(db, org, shopee, "2", "0", "NEW-1")
    stray = uuid.uuid4()

    async def refused(*args: str) -> str:
        result = await cli("sync", *args, "--no-wait")
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        return result.output

    assert f"error: no such channel: {stray}" in await refused("pull", "--channel", str(stray))
    assert f"--channel {gone}: this channel is disconnected" in await refused("pull", "--channel", str(gone))
    assert f"no such organization: {stray}" in await refused("pull", "--org", str(stray))
    assert "Invalid value for '--kind'" in (await cli("sync", "pull", "--kind", "stock")).output
    assert "--sku NOPE-9: no such master SKU" in await refused("push", "--sku", "TEE-RED", "--sku", "NOPE-9")
    assert "--sku LONELY-1: no listing is linked to this SKU" in await refused("push", "--sku", "LONELY-1")
    assert f"--listing {stray}: no such listing" in await refused("push", "--listing", str(stray))
    assert f"--listing {unlinked}: this listing is not linked" in await refused(
        "push", "--listing", str(unlinked)
    )
    assert "give --sku or --listing" in await refused("push")
    assert "give --sku or --listing" in await refused("push", "--sku", "TEE-RED", "--listing", str(unlinked))
    assert await _jobs(db, org) == []  # nothing half done

    # Another org's channel is no channel of this org; without --org the channel picks its own org.
    rival = await make_channel(db, other_org.org_id)
    assert f"no such channel: {rival}" in await refused("pull", "--channel", str(rival), "--org", str(org))
    assert "several organizations use this installation" in await refused("push", "--sku", "TEE-RED")
    mixed = await refused("pull", "--channel", str(rival), "--channel", str(shopee))
    assert "these channels belong to 2 organizations" in mixed
    theirs = await cli("sync", "pull", "--channel", str(rival), "--no-wait")
    assert theirs.exit_code == 0, theirs.output
    assert [j.channel_account_id for j in await _jobs(db, other_org.org_id)] == [rival, rival]


async def test_api_and_cli_make_the_same_jobs(cli_env: dict[str, str], db: Database, owner: Caller) -> None:
    org = owner.org_id
    shopee = await make_channel(db, org, platform="shopee")
    variant = await make_variant(db, org, "TEE-RED")
    listing = await make_listing(db, org, shopee, "1", "1", "TEE-RED", variant_id=variant)

    api = await owner.post(
        "/api/sync/pull", json={"channel_account_ids": [str(shopee)], "kinds": ["products"]}
    )
    assert api.status_code == 202, api.text
    assert (
        await cli("sync", "pull", "--channel", str(shopee), "--kind", "products", "--no-wait")
    ).exit_code == 0
    # The API pushes what matches; the CLI refuses a SKU it does not know.
    api = await owner.post("/api/sync/push", json={"skus": ["TEE-RED", "NOPE-9"]})
    assert api.status_code == 202, api.text
    assert (await cli("sync", "push", "--sku", "TEE-RED", "--sku", "NOPE-9", "--no-wait")).exit_code == 1
    assert (await cli("sync", "push", "--sku", "TEE-RED", "--no-wait")).exit_code == 0

    jobs = await _jobs(db, org)
    shape = {(j.kind, j.channel_account_id, j.dry_run, str(j.params), j.started_by) for j in jobs}
    assert shape == {
        ("pull_products", shopee, True, "{}", "user"),
        ("pull_products", shopee, True, "{}", "cli"),
        ("push_listings", shopee, True, str({"listing_ids": [str(listing)]}), "user"),
        ("push_listings", shopee, True, str({"listing_ids": [str(listing)]}), "cli"),
    }
    for action in ("sync.pull_requested", "sync.push_requested"):
        entries = await _audit(db, org, action)
        assert sorted(e.actor_type for e in entries) == ["system", "user"]
        assert len({str(e.changes) for e in entries}) == 1  # the same record of the change

    refused = await owner.post("/api/sync/push", json={"skus": ["NOPE-9"]})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "skus", "code": "not_found", "message": "no linked listing matches"}
    ]
