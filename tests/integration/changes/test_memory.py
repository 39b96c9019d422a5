"""What a large change set leaves behind: items stored in chunks, commits that read plain columns,
and no statement kept in SQLAlchemy's compiled cache with the items' values bound into it."""

from __future__ import annotations

import pytest
from sqlalchemy.sql.elements import TextClause

from aiostore.db.session import Database
from aiostore.services.changes import core
from tests.factories import Caller
from tests.integration.changes.support import catalog, commit, inventory, preview, shop


def _bulk_statements(db: Database) -> list[TextClause]:
    """The cached bulk writes (services' `INSERT … SELECT … FROM ROWS FROM (unnest(…))`)."""
    cache = db.engine.sync_engine._compiled_cache  # noqa: SLF001  (what the engine keeps)
    assert cache is not None
    statements = [compiled.statement for compiled in list(cache.values())]
    return [s for s in statements if isinstance(s, TextClause) and "ROWS FROM (" in s.text]


async def test_items_stored_in_chunks_commit_whole_and_no_cached_statement_keeps_their_values(
    owner: Caller, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core, "STORE_CHUNK", 2)  # three items: two statements
    ids = await catalog(owner)
    await catalog(owner, "T")
    channel, _ = await shop(db, owner, [ids["S-M"], ids["S-L"]])
    items = [{"sku": "S-M", "set": 7}, {"sku": "T-M", "delta": 2}, {"sku": "S-L", "set": 4}]
    shown = await preview(owner, "stock", items)
    assert [(i["seq"], i["sku"], i["after"]["on_hand"]) for i in shown["items"]] == [
        (0, "S-M", 7),
        (1, "T-M", 12),
        (2, "S-L", 4),
    ]
    done = await commit(owner, "stock", shown["token"])
    assert done.status_code == 200, done.text
    answered = done.json()["items"]
    assert all(i["applied"] for i in answered)
    # the commit read the items without their shops; the answer still shows them whole
    assert [s["channel_account_id"] for s in answered[0]["after"]["shops"]] == [str(channel)]
    assert [s["pushed"] for s in answered[2]["after"]["shops"]] == [4]
    assert (await inventory(db, owner, "T-M"))[0] == 12
    statements = _bulk_statements(db)
    assert statements, "the change set's bulk writes are cached statements"
    for statement in statements:
        assert [p.value for p in statement._bindparams.values()] == [None] * len(statement._bindparams)


async def test_a_revert_and_a_price_commit_read_the_before_state(owner: Caller, db: Database) -> None:
    ids = await catalog(owner)
    _, (listing,) = await shop(db, owner, [ids["S-M"]], platform="shopee")
    shown = await preview(owner, "price", [{"sku": "S-M", "market": "ID", "price": "140000"}])
    done = await commit(owner, "price", shown["token"])
    assert done.status_code == 200, done.text
    assert done.json()["items"][0]["after"]["shops"][0] == {
        "listing_id": str(listing),
        "channel_account_id": done.json()["items"][0]["before"]["shops"][0]["channel_account_id"],
        "shop_name": "shopee ID",
        "platform": "shopee",
        "price": "140000",
    }
    back = await owner.post(f"/api/changesets/{shown['id']}/revert", headers={"Idempotency-Key": "r-1"})
    assert back.status_code == 200, back.text
    item = back.json()["items"][0]
    assert (item["before"]["price"], item["after"]["price"]) == ("140000", "150000")
