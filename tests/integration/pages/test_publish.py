"""Publish pages: products chosen on the catalog (checkboxes on the list, a button on a product), shops
chosen, the preview (action, field diff, findings in both languages, the call plan, filters and paging),
the commit (refusals beside the form with what changed, then the queued jobs linked), revert, the roles
(viewer reads, operator previews, admins and owners commit), another organisation (404), bad input."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from aiostore.db.models import ChangeSet, Product, ProductPlatformMapping, SyncJob
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token
from tests.integration.changes.support import shop
from tests.integration.pages.conftest import HTML, form, get_page, squash, submit
from tests.integration.publish.support import body

CATEGORY = "101220"  # a Shopee category id the reference cache has not read: a warning, not an error


async def _product(owner: Caller, db: Database, sku: str = "PUB", **changes: Any) -> str:
    """A product mapped to a Shopee category whose definition was never read (the API's mapping route
    wants the category cached: the sandbox tests cover that path)."""
    made = await owner.post("/api/products", json=body(sku, **changes))
    assert made.status_code == 201, made.text
    product_id: str = made.json()["id"]
    async with db.transaction(owner.org_id, owner.user_id) as s:
        s.add(
            ProductPlatformMapping(
                org_id=owner.org_id, product_id=uuid.UUID(product_id), platform="shopee", market="ID",
                category_id=CATEGORY,
            )
        )  # fmt: skip
    return product_id


async def _get(caller: Caller, url: str, **headers: str) -> httpx.Response:
    """A page, by a session or an API token (the caller's own headers carry either)."""
    return await caller.get(url, headers=HTML | headers)


async def _post(caller: Caller, url: str, data: dict[str, Any], **headers: str) -> httpx.Response:
    """A form posted by a session (with its CSRF field) or by an API token (its own headers)."""
    if "X-CSRF-Token" in caller.headers:
        return await submit(caller, url, form(caller, **data), **headers)
    return await caller.post(url, data=data, headers=HTML | headers)


async def _preview(caller: Caller, products: list[str], shops: list[uuid.UUID]) -> str:
    data = {"product": products, "shop": [str(s) for s in shops], "idempotency_key": uuid.uuid4().hex}
    resp = await _post(caller, "/publish", data)
    assert resp.status_code == 303, resp.text
    location = resp.headers["location"]
    assert location.endswith("?done=previewed")
    return location.split("/publish/")[1].split("?")[0]


async def _commit(caller: Caller, preview: str, **flags: str) -> httpx.Response:
    return await _post(caller, f"/publish/{preview}/commit", {"idempotency_key": uuid.uuid4().hex, **flags})


async def test_a_product_goes_from_the_catalog_to_queued_publish_jobs(owner: Caller, db: Database) -> None:
    product = await _product(owner, db)
    shopee, _ = await shop(db, owner, [], platform="shopee")
    listed = squash((await get_page(owner, "/catalog")).text)
    assert '<form method="get" action="/publish/new" id="publish-form">' in listed
    assert f'name="product" value="{product}"' in listed and "Publish the chosen products" in listed
    detail = squash((await get_page(owner, f"/catalog/{product}")).text)
    assert f'<input type="hidden" name="product" value="{product}">' in detail
    chosen = squash((await get_page(owner, f"/publish/new?product={product}")).text)
    assert "Kaos Polos Katun Premium PUB" in chosen and f'name="shop" value="{shopee}"' in chosen
    assert 'name="idempotency_key"' in chosen

    preview = await _preview(owner, [product], [shopee])
    page = squash((await get_page(owner, f"/publish/{preview}?done=previewed")).text)
    assert "<h1>Publish preview</h1>" in page
    assert "1 products × shops: 1 to create, 0 to update, 0 to unlist, 0 unchanged, 0 with errors" in page
    assert '<span class="cs-status create">create</span>' in page
    assert "<li>Title: — → <strong>Kaos Polos Katun Premium PUB</strong></li>" in page
    assert "<li>Stock: — → <strong>PUB-L: 5, PUB-M: 10</strong></li>" in page
    assert "Brand: —" not in page  # a field with nothing on either side is not a change
    assert '<li class="finding warning"><strong>warning: Category</strong>' in page
    plan = '<td class="num">1</td><td class="num">0</td><td class="num">1</td><td class="num">0</td>'
    # one create and one upload call carrying its two images (Shopee takes 8 a call): the minimum
    assert plan + '<td class="num">0</td><td class="num">2</td><td class="num">2</td>' in page
    assert "Publish to the shops" in page and "I have read the warnings" in page
    api = (await owner.get(f"/api/catalog/previews/{preview}")).json()
    [finding] = api["items"][0]["findings"]
    indonesian = squash((await get_page(owner, f"/publish/{preview}", **{"Accept-Language": "id"})).text)
    assert finding["message_id"] != finding["message"] and finding["message_id"] in indonesian
    assert finding["message"] in page

    assert "No targets match." in (await get_page(owner, f"/publish/{preview}?action=update")).text
    by_shop = squash((await get_page(owner, f"/publish/{preview}?shop={shopee}&severity=warning")).text)
    assert '<span class="cs-status create">create</span>' in by_shop
    fragment = await get_page(owner, f"/publish/{preview}?action=create", **{"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="list">') and "<h1>" not in fragment.text

    refused = await _commit(owner, preview)
    assert refused.status_code == 422
    shown = squash(refused.text)
    assert 'role="alert" class="form-error refused"' in shown and "Some targets have warnings." in shown
    assert finding["message"] in shown.split("refused")[1]  # the warning named beside the form
    assert await _jobs(db, owner) == []

    key = uuid.uuid4().hex
    done = await _post(
        owner, f"/publish/{preview}/commit", {"idempotency_key": key, "acknowledge_warnings": "true"}
    )
    assert done.headers["location"] == f"/publish/{preview}?done=published"
    again = await _post(
        owner, f"/publish/{preview}/commit", {"idempotency_key": key, "acknowledge_warnings": "true"}
    )
    assert again.status_code == 303  # the same form posted twice: the first answer replayed
    [job] = await _jobs(db, owner)
    assert (job.kind, job.channel_account_id) == ("publish", shopee)
    committed = squash((await get_page(owner, f"/publish/{preview}?done=published")).text)
    assert "Committed. The jobs below send each shop its listings" in committed
    assert f'<a href="/jobs/{job.id}">shopee ID</a>: 1 target' in committed
    assert "Publish to the shops" not in committed and "Preview the revert" in committed
    assert (await get_page(owner, f"/changes/{preview}")).headers["location"] == f"/publish/{preview}"
    listed = squash((await get_page(owner, "/changes")).text)
    assert f'href="/publish/{preview}"' in listed and ">publish</td>" in listed

    reverted = await _post(owner, f"/publish/{preview}/revert", {"idempotency_key": uuid.uuid4().hex})
    assert reverted.status_code == 303, reverted.text
    revert_id = reverted.headers["location"].split("/publish/")[1].split("?")[0]
    revert_page = squash((await get_page(owner, f"/publish/{revert_id}")).text)
    assert "<h1>Publish revert preview</h1>" in revert_page and f'href="/publish/{preview}"' in revert_page


async def _jobs(db: Database, owner: Caller) -> list[SyncJob]:
    async with db.transaction(owner.org_id, owner.user_id) as s:
        return list((await s.scalars(select(SyncJob).where(SyncJob.kind == "publish"))).all())


async def test_a_stale_preview_is_refused_with_what_changed(owner: Caller, db: Database) -> None:
    product = await _product(owner, db)
    shopee, _ = await shop(db, owner, [], platform="shopee")
    preview = await _preview(owner, [product], [shopee])
    async with db.transaction(owner.org_id, owner.user_id) as s:
        await s.execute(update(Product).where(Product.id == uuid.UUID(product)).values(title="Kaos Baru PUB"))
    refused = await _commit(owner, preview, acknowledge_warnings="true")
    assert refused.status_code == 409
    shown = squash(refused.text)
    assert "A product or its listing on a shop changed since this preview. Preview again." in shown
    assert "PUB-M: the master product (price, stock, mapping, overrides) changed since the preview" in shown
    assert "Publish to the shops" in shown  # the form stays, to retry after a new preview
    assert await _jobs(db, owner) == []
    data = {"idempotency_key": uuid.uuid4().hex, "acknowledge_warnings": "true"}
    in_indonesian = await _post(owner, f"/publish/{preview}/commit", data, **{"Accept-Language": "id"})
    assert in_indonesian.status_code == 409
    assert "Sebuah produk atau listingnya di toko berubah sejak pratinjau ini." in in_indonesian.text
    no_key = await _post(owner, f"/publish/{preview}/commit", {"acknowledge_warnings": "true"})
    assert no_key.status_code == 422 and "The form was incomplete." in no_key.text


async def test_roles_viewer_reads_operator_previews_admin_commits(
    app: FastAPI, owner: Caller, other_org: Caller, db: Database
) -> None:
    product = await _product(owner, db)
    shopee, _ = await shop(db, owner, [], platform="shopee")
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    assert "Publish the chosen products" not in (await _get(viewer, "/catalog")).text
    assert (await _get(viewer, f"/publish/new?product={product}")).status_code == 403
    assert "Publish the chosen products" in (await _get(operator, "/catalog")).text

    preview = await _preview(operator, [product], [shopee])
    seen = squash((await _get(viewer, f"/publish/{preview}")).text)
    assert "<h1>Publish preview</h1>" in seen and "Kaos Polos Katun Premium PUB" in seen
    assert "Publish to the shops" not in seen and f'action="/publish/{preview}/' not in seen
    as_operator = squash((await _get(operator, f"/publish/{preview}")).text)
    assert "An admin or owner publishes this preview." in as_operator
    assert "Publish to the shops" not in as_operator
    assert (await _commit(operator, preview, acknowledge_warnings="true")).status_code == 403
    assert (await _commit(viewer, preview, acknowledge_warnings="true")).status_code == 403
    assert (await _get(other_org, f"/publish/{preview}")).status_code == 404
    assert (await _commit(other_org, preview, acknowledge_warnings="true")).status_code == 404
    assert await _jobs(db, owner) == []

    done = await _commit(admin, preview, acknowledge_warnings="true")
    assert done.status_code == 303 and len(await _jobs(db, owner)) == 1
    assert "Preview the revert" not in (await _get(viewer, f"/publish/{preview}")).text
    assert (await _post(viewer, f"/publish/{preview}/revert", {})).status_code == 403
    assert "Preview the revert" in (await _get(operator, f"/publish/{preview}")).text


async def test_bad_choices_and_filters_are_named(owner: Caller, other_org: Caller, db: Database) -> None:
    product = await _product(owner, db)
    shopee, _ = await shop(db, owner, [], platform="shopee")
    theirs, _ = await shop(db, other_org, [], platform="lazada")
    empty = await get_page(owner, "/publish/new")
    assert empty.status_code == 422 and "No products chosen." in empty.text
    bad_id = await get_page(owner, "/publish/new?product=nope")
    assert bad_id.status_code == 422 and 'aria-describedby="e-product"' in bad_id.text

    no_shop = await _post(owner, "/publish", {"product": [product], "idempotency_key": uuid.uuid4().hex})
    assert no_shop.status_code == 422
    shown = squash(no_shop.text)
    assert "Choose at least one connected shop." in shown and f'value="{product}" checked' in shown
    foreign_shop = await _post(
        owner, "/publish", {"product": [product], "shop": [str(theirs)], "idempotency_key": uuid.uuid4().hex}
    )
    assert foreign_shop.status_code == 422 and "Choose at least one connected shop." in foreign_shop.text
    unknown = await _post(
        owner,
        "/publish",
        {"product": [str(uuid.uuid4())], "shop": [str(shopee)], "idempotency_key": uuid.uuid4().hex},
    )
    assert unknown.status_code == 422
    assert "Choose at least one product of this organisation." in unknown.text
    garbage = await _post(
        owner, "/publish", {"product": ["x"], "shop": [str(shopee)], "idempotency_key": uuid.uuid4().hex}
    )
    assert garbage.status_code == 422 and 'aria-describedby="e-product"' in garbage.text
    async with db.transaction(owner.org_id, owner.user_id) as s:
        assert (await s.scalars(select(ChangeSet))).all() == []  # nothing previewed by a refused choice

    preview = await _preview(owner, [product], [shopee])
    for bad in ("action=sent", "severity=fatal", "shop=nope", "cursor=nope"):
        resp = await get_page(owner, f"/publish/{preview}?{bad}")
        assert resp.status_code == 422, bad
        assert 'class="field-error"' in resp.text or 'role="alert" class="form-error"' in resp.text
    assert (await get_page(owner, f"/publish/{uuid.uuid4()}")).status_code == 404
    stock = await owner.post(
        "/api/stock/update", json={"mode": "preview", "items": [{"sku": "PUB-M", "delta": 1}], "reason": "x"}
    )
    assert (await get_page(owner, f"/publish/{stock.json()['id']}")).status_code == 404  # not a publish
