"""Login throttling: an attacker slows down, the account's owner still gets in, offices still work."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select, text

from aiostore.db.models import LoginFailure
from aiostore.db.session import Database
from aiostore.services import accounts
from aiostore.settings import Settings
from aiostore.web.app import create_app
from tests.factories import PASSWORD, Caller

ATTACKER = "203.0.113.66"
OWNER_HOME = "198.51.100.7"
OFFICE = "192.0.2.10"


def client_at(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def _login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def _time_passes(db: Database, seconds: int) -> None:
    """Move every counted attempt into the past, as if `seconds` had gone by."""
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE login_failures SET at = at - make_interval(secs => :s)"), {"s": seconds}
        )


async def test_attacker_address_does_not_lock_the_owner_out(app: FastAPI, owner: Caller) -> None:
    attacker = client_at(app, ATTACKER)
    answers = [(await _login(attacker, owner.email, "not the password")).status_code for _ in range(14)]
    assert answers == [401] * 10 + [429] * 4
    blocked = await _login(attacker, owner.email, PASSWORD)  # even the right password waits there
    assert blocked.status_code == 429 and blocked.json()["code"] == "too_many_requests"
    assert 0 < int(blocked.headers["retry-after"]) <= 10
    home = await _login(client_at(app, OWNER_HOME), owner.email, PASSWORD)
    assert home.status_code == 200, home.text
    assert home.json()["email"] == owner.email


async def test_refused_attempts_do_not_extend_the_delay(app: FastAPI, db: Database, owner: Caller) -> None:
    attacker = client_at(app, ATTACKER)
    for _ in range(10):
        await _login(attacker, owner.email, "not the password")
    async with db.transaction() as session:
        before = await session.scalar(select(func.count()).select_from(LoginFailure))
    waits = [int((await _login(attacker, owner.email, "guess")).headers["retry-after"]) for _ in range(5)]
    assert waits == sorted(waits, reverse=True)  # never growing while refused
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(LoginFailure)) == before


async def test_delays_double_and_a_success_clears_them(app: FastAPI, db: Database, owner: Caller) -> None:
    client = client_at(app, ATTACKER)
    for _ in range(10):
        assert (await _login(client, owner.email, "not the password")).status_code == 401
    first = await _login(client, owner.email, "not the password")
    assert first.status_code == 429 and 0 < int(first.headers["retry-after"]) <= 10
    await _time_passes(db, 10)
    assert (await _login(client, owner.email, "not the password")).status_code == 401
    second = await _login(client, owner.email, "not the password")
    assert second.status_code == 429 and 10 < int(second.headers["retry-after"]) <= 20
    await _time_passes(db, 20)
    assert (await _login(client, owner.email, "not the password")).status_code == 401
    third = await _login(client, owner.email, PASSWORD)
    assert third.status_code == 429 and 20 < int(third.headers["retry-after"]) <= 40
    await _time_passes(db, 40)
    assert (await _login(client, owner.email, PASSWORD)).status_code == 200
    # The owner's success cleared this address's count for the account: a typo is a plain 401.
    for _ in range(3):
        assert (await _login(client, owner.email, "typo")).status_code == 401


async def test_one_address_many_users_each_logs_in(app: FastAPI, db: Database) -> None:
    emails = [f"staff{i}@example.com" for i in range(12)]
    async with db.transaction() as session:
        for email in emails:
            await accounts.create_user(session, email=email, password=PASSWORD, display_name=email)
    office = client_at(app, OFFICE)
    for email in emails:  # more people than the per-account threshold, each with a typo first
        assert (await _login(office, email, "typo typo")).status_code == 401
        assert (await _login(office, email, PASSWORD)).status_code == 200, email


async def test_one_address_failing_across_accounts_is_slowed(test_settings: Settings, db: Database) -> None:
    app = create_app(test_settings.model_copy(update={"login_address_max_failures": 15}), db)
    stuffer = client_at(app, ATTACKER)
    for i in range(15):
        assert (await _login(stuffer, f"victim{i}@example.com", "leaked password")).status_code == 401
    blocked = await _login(stuffer, "victim99@example.com", "leaked password")
    assert blocked.status_code == 429 and 0 < int(blocked.headers["retry-after"]) <= 10
    elsewhere = await _login(client_at(app, OWNER_HOME), "victim99@example.com", "leaked password")
    assert elsewhere.status_code == 401


async def test_parallel_guesses_are_all_counted(app: FastAPI, owner: Caller) -> None:
    attacker = client_at(app, ATTACKER)
    answers = await asyncio.gather(*(_login(attacker, owner.email, f"guess {i}") for i in range(14)))
    assert sorted(r.status_code for r in answers) == [401] * 10 + [429] * 4


async def test_registration_probes_are_throttled(app: FastAPI, owner: Caller) -> None:
    prober = client_at(app, ATTACKER)
    body = {"email": owner.email, "password": PASSWORD, "display_name": "x", "organization_name": "x"}
    for _ in range(10):
        resp = await prober.post("/api/auth/register", json=body)
        assert resp.status_code == 409
    blocked = await prober.post("/api/auth/register", json=body | {"email": "fresh@example.com"})
    assert blocked.status_code == 429 and 0 < int(blocked.headers["retry-after"]) <= 10
    elsewhere = await client_at(app, OWNER_HOME).post("/api/auth/register", json=body | {"email": "new@x.io"})
    assert elsewhere.status_code == 201
