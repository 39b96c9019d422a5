"""Probes, metrics, docs, request ids, and unknown routes in the problem shape."""

from __future__ import annotations

import httpx


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


async def test_metrics_count_requests(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    await client.get("/api/products")
    text = (await client.get("/metrics")).text
    assert "aiostore_http_requests_total" in text
    assert 'route="/api/products"' in text
    assert "aiostore_http_request_duration_seconds_bucket" in text


async def test_openapi_and_docs(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "/api/products" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200


async def test_request_id_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "abc12345-from-client"})
    assert given.headers["x-request-id"] == "abc12345-from-client"
    made = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert made.headers["x-request-id"] != "bad id with spaces" and len(made.headers["x-request-id"]) == 32


async def test_unknown_route_is_problem_json(client: httpx.AsyncClient) -> None:
    resp = await client.get("/api/nothing-here")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "not_found" and resp.json()["request_id"]
