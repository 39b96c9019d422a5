"""Security headers on every response, Secure cookies, proxy headers from trusted proxies only, /metrics."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr, ValidationError

from aiostore.db.session import Database
from aiostore.settings import Environment, Settings
from aiostore.web.app import create_app
from aiostore.web.security import CONTENT_SECURITY_POLICY
from tests.factories import PASSWORD, Caller

PROXY = "10.0.0.7"


def client_at(app: FastAPI, address: str, scheme: str = "http") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url=f"{scheme}://test")


def _app(settings: Settings, db: Database, **update: Any) -> FastAPI:
    return create_app(settings.model_copy(update=update), db)


def _register_body(email: str) -> dict[str, str]:
    return {"email": email, "password": PASSWORD, "display_name": "Siti", "organization_name": "Toko"}


def _cookies(resp: httpx.Response) -> list[str]:
    return [c for c in resp.headers.get_list("set-cookie") if c.startswith("aiostore_")]


async def test_every_response_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    answers = [
        await client.get("/healthz"),
        await client.get("/api/products"),  # 401 problem
        await client.get("/api/nothing-here"),  # 404 problem
        await client.post("/api/auth/login", content=b"x" * 2_000_000),  # 413 from the outer middleware
        await client.post("/api/auth/login", json={"email": "bad"}),  # 422
        await client.get("/docs"),
    ]
    assert [r.status_code for r in answers] == [200, 401, 404, 413, 422, 200]
    for resp in answers:
        assert resp.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert resp.headers["x-frame-options"] == "DENY"
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert resp.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in resp.headers  # development over plain HTTP
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'" and "unsafe" not in CONTENT_SECURITY_POLICY


async def test_development_cookies_are_not_secure_over_http(client: httpx.AsyncClient) -> None:
    resp = await client.post("/api/auth/register", json=_register_body("dev@example.com"))
    assert resp.status_code == 201
    assert all("Secure" not in c for c in _cookies(resp))


async def test_production_sets_hsts_and_secure_cookies(test_settings: Settings, db: Database) -> None:
    app = _app(test_settings, db, env=Environment.PRODUCTION, metrics_public=True)
    client = client_at(app, "198.51.100.7")  # plain HTTP (a TLS proxy not configured as trusted)
    resp = await client.post("/api/auth/register", json=_register_body("prod@example.com"))
    assert resp.status_code == 201
    assert len(_cookies(resp)) == 2 and all("Secure" in c for c in _cookies(resp))
    assert resp.headers["strict-transport-security"] == "max-age=31536000"
    browser = client_at(app, "198.51.100.7", scheme="https")  # a browser sends Secure cookies on HTTPS only
    browser.cookies = client.cookies
    logout = await browser.post("/api/auth/logout", headers={"X-CSRF-Token": resp.json()["csrf_token"]})
    assert logout.status_code == 204 and all("Secure" in c for c in _cookies(logout))


async def test_forwarded_headers_are_ignored_from_untrusted_peers(app: FastAPI, owner: Caller) -> None:
    # Loopback is no proxy unless configured: spoofed X-Forwarded-For does not escape the throttle.
    for peer in ("127.0.0.1", "203.0.113.66"):
        client = client_at(app, peer)
        answers = []
        for i in range(11):
            headers = {"X-Forwarded-For": f"192.0.2.{i}", "X-Forwarded-Proto": "https"}
            resp = await client.post(
                "/api/auth/login", json={"email": owner.email, "password": "wrong!"}, headers=headers
            )
            answers.append(resp.status_code)
            assert "strict-transport-security" not in resp.headers
        assert answers == [401] * 10 + [429], peer


async def test_trusted_proxy_names_the_client_from_the_right(test_settings: Settings, db: Database) -> None:
    app = _app(test_settings, db, trusted_proxies=["10.0.0.0/8"])
    proxy = client_at(app, PROXY)
    headers = {"X-Forwarded-For": "192.0.2.99, 198.51.100.7, 10.0.0.3", "X-Forwarded-Proto": "https"}
    resp = await proxy.post("/api/auth/register", json=_register_body("siti@example.com"), headers=headers)
    assert resp.status_code == 201, resp.text
    assert all("Secure" in c for c in _cookies(resp))  # HTTPS as the trusted proxy says
    assert resp.headers["strict-transport-security"] == "max-age=31536000"
    # The browser's HTTPS request, as the proxy passes it on over plain HTTP.
    cookie = {"Cookie": f"aiostore_session={resp.cookies['aiostore_session']}"}
    audit = (await proxy.get("/api/audit", headers=headers | cookie)).json()["items"]
    # The left-most entry is whatever the client wrote; the right-most untrusted one is who connected.
    assert audit[0]["action"] == "org.created" and audit[0]["client_ip"] == "198.51.100.7"
    direct = client_at(app, "203.0.113.66")
    for _ in range(10):
        await direct.post("/api/auth/login", json={"email": "siti@example.com", "password": "wrong!"})
    spoofed = await direct.post(
        "/api/auth/login",
        json={"email": "siti@example.com", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.8"},
    )
    assert spoofed.status_code == 429  # not a proxy: its header is ignored


def test_trusted_proxies_setting_is_validated() -> None:
    parsed = Settings(_env_file=None, trusted_proxies="10.0.0.0/8, 192.0.2.1 ,::1")  # type: ignore[call-arg, arg-type]
    assert parsed.trusted_proxies == ["10.0.0.0/8", "192.0.2.1", "::1"]
    with pytest.raises(ValidationError, match="not an IP address"):
        Settings(_env_file=None, trusted_proxies="proxy.internal")  # type: ignore[call-arg, arg-type]


async def test_metrics_token(test_settings: Settings, db: Database) -> None:
    app = _app(test_settings, db, metrics_token=SecretStr("scrape-secret-0123456789"))
    client = client_at(app, "198.51.100.7")
    missing = await client.get("/metrics")
    assert missing.status_code == 401 and missing.json()["code"] == "not_authenticated"
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = await client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-0123456789"})
    assert ok.status_code == 200 and "aiostore_http_requests_total" in ok.text


async def test_metrics_closed_in_production_unless_public(test_settings: Settings, db: Database) -> None:
    closed = client_at(_app(test_settings, db, env=Environment.PRODUCTION), "198.51.100.7")
    refused = await closed.get("/metrics")
    assert refused.status_code == 403 and "AIOSTORE_METRICS_TOKEN" in refused.json()["detail"]
    public = _app(test_settings, db, env=Environment.PRODUCTION, metrics_public=True)
    assert (await client_at(public, "198.51.100.7").get("/metrics")).status_code == 200
