"""A shop's own write mode through `PUT /api/channels/{id}/write-mode`: admins and up, audited once
per change, the same mode again is a no-op, bad input names `write_mode`, another org's shop is a 404."""

from __future__ import annotations

from typing import Any

from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token, signup
from tests.integration.api.test_channels import World, _authorize, world  # noqa: F401  (fixture)


async def _changes(owner: Caller) -> list[dict[str, Any]]:
    found = await owner.get("/api/audit", params={"action": "channel.write_mode_changed"})
    assert found.status_code == 200, found.text
    return [e["changes"] for e in found.json()["items"]]


async def test_admin_sets_the_mode_audited_once_per_change(world: World, db: Database) -> None:  # noqa: F811
    channel = (await _authorize(world, world.owner)).json()
    assert channel["write_mode"] is None  # a new shop follows the installation's AIOSTORE_WRITE_MODE
    url = f"/api/channels/{channel['id']}/write-mode"
    admin = await member_token(world.app, db, world.owner.org_id, Role.ADMIN)
    dry = await admin.put(url, json={"write_mode": "dry"})
    assert dry.status_code == 200, dry.text
    assert dry.json()["write_mode"] == "dry"
    again = await admin.put(url, json={"write_mode": "dry"})
    assert again.status_code == 200 and again.json()["write_mode"] == "dry"
    assert (await world.owner.put(url, json={"write_mode": "live"})).json()["write_mode"] == "live"
    assert (await world.owner.get(f"/api/channels/{channel['id']}")).json()["write_mode"] == "live"
    changes = await _changes(world.owner)
    assert len(changes) == 2  # the repeated "dry" changed nothing
    assert all(set(c) == {"write_mode"} for c in changes)
    modes = [(c["write_mode"]["before"], c["write_mode"]["after"]) for c in reversed(changes)]
    assert modes == [(None, "dry"), ("dry", "live")]


async def test_refusals(world: World, db: Database) -> None:  # noqa: F811
    channel = (await _authorize(world, world.owner)).json()
    url = f"/api/channels/{channel['id']}/write-mode"
    for bad in ({"write_mode": "loud"}, {}, {"write_mode": None}, {"write_mode": "dry", "extra": 1}):
        answer = await world.owner.put(url, json=bad)
        assert answer.status_code == 422, bad
        fields = [e["field"] for e in answer.json()["errors"]]
        assert ("extra" in fields) if "extra" in bad else fields == ["write_mode"], (bad, fields)
    for role in (Role.OPERATOR, Role.VIEWER):
        member = await member_token(world.app, db, world.owner.org_id, role)
        refused = await member.put(url, json={"write_mode": "dry"})
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    rival = await signup(world.app, email="rival-mode@example.com", org="Rival")
    missing = await rival.put(url, json={"write_mode": "dry"})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert (await world.owner.get(f"/api/channels/{channel['id']}")).json()["write_mode"] == channel[
        "write_mode"
    ]
    assert await _changes(world.owner) == []
    await rival.client.aclose()
