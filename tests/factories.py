"""Small async helpers that build callers and data through the real API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from aiostore.db.base import Base
from aiostore.db.engine import DatabaseURLs, create_engine
from aiostore.db.models import Membership
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from aiostore.services import accounts, auth
from aiostore.services.context import Actor, ActorKind, OrgContext

PASSWORD = "correct horse battery staple"  # noqa: S105


@dataclass
class Caller:
    client: httpx.AsyncClient
    user_id: uuid.UUID
    org_id: uuid.UUID
    email: str
    headers: dict[str, str] = field(default_factory=dict)

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.client.request(method, url, headers=headers, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)


def new_client(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers)


async def signup(app: FastAPI, *, email: str | None = None, org: str = "Toko Maju") -> Caller:
    """Register through the API; the caller holds the session cookie and sends the CSRF header."""
    email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
    client = new_client(app)
    resp = await client.post(
        "/api/auth/register",
        json={
            "email": email,
            "password": PASSWORD,
            "display_name": email.split("@")[0],
            "organization_name": org,
        },
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    return Caller(
        client,
        uuid.UUID(body["user_id"]),
        uuid.UUID(body["org_id"]),
        email,
        {"X-CSRF-Token": body["csrf_token"]},
    )


async def member_token(app: FastAPI, db: Database, org_id: uuid.UUID, role: Role) -> Caller:
    """A user with `role` in the org, calling with an API token of that role."""
    email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.com"
    async with db.transaction(None, None) as session:
        user = await accounts.create_user(session, email=email, password=PASSWORD, display_name=role.value)
    async with db.transaction(org_id, user.id) as session:
        session.add(Membership(org_id=org_id, user_id=user.id, role=role.value))
        await session.flush()
        ctx = OrgContext(org_id, role, Actor(ActorKind.USER, user.id, email))
        created = await auth.create_api_token(
            session, ctx, name=f"{role.value} token", role=role, expires_at=None
        )
    headers = {"Authorization": f"Bearer {created.secret}"}
    return Caller(new_client(app), user.id, org_id, email, headers)


def product_body(sku: str = "KAOS-001", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Kaos Polos Premium",
        "brand": "Maju",
        "category": "Fashion/Tops",
        "variants": [
            {
                "sku": f"{sku}-M",
                "option_values": {"size": "M"},
                "prices": {"ID": "150000", "SG": "12.90"},
                "inventory": {"on_hand": 10, "safety_buffer": 1},
            },
            {
                "sku": f"{sku}-L",
                "option_values": {"size": "L"},
                "prices": {"ID": "155000", "MY": "39.90"},
                "inventory": {"on_hand": 5},
            },
        ],
    }
    body.update(overrides)
    return body


QUEUE_TABLES = (
    "procrastinate_jobs",
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_workers",
)


async def truncate_all(urls: DatabaseURLs) -> None:
    """Empty every table, ours and the job queue's (as the owner role)."""
    engine = create_engine(urls.owner, pool_size=1)
    tables = ", ".join([t.name for t in Base.metadata.sorted_tables] + list(QUEUE_TABLES))
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()
