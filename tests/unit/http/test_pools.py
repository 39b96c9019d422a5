"""The marketplace client keeps one connection pool per origin, and the environment's proxy per origin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from aiostore.http.pools import PoolPerOrigin, _proxy, marketplace_client


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A keep-alive HTTP/1.1 server that answers every request with its own port."""
    port = writer.get_extra_info("sockname")[1]
    try:
        while await reader.readuntil(b"\r\n\r\n"):
            body = str(port).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


@pytest.fixture
async def ports() -> AsyncIterator[list[int]]:
    servers = [await asyncio.start_server(_answer, "127.0.0.1", 0) for _ in range(2)]
    yield [s.sockets[0].getsockname()[1] for s in servers]
    for s in servers:
        s.close()


async def test_each_origin_has_its_own_pool(ports: list[int]) -> None:
    transport = PoolPerOrigin()
    async with marketplace_client(transport) as client:
        for _ in range(3):
            answers = await asyncio.gather(*(client.get(f"http://127.0.0.1:{p}/x") for p in ports * 2))
            assert [r.text for r in answers] == [str(p) for p in ports * 2]
        assert transport.origins == 2
        for port in ports:
            connections = transport.pool_for(httpx.URL(f"http://127.0.0.1:{port}/"))._pool.connections
            assert connections, port  # kept alive
            assert {c._origin.port for c in connections} == {port}  # only this origin's
    assert transport.origins == 0  # closed with the client


async def test_origins_beyond_the_own_pools_share_one(ports: list[int]) -> None:
    transport = PoolPerOrigin(own_pools=1)
    async with marketplace_client(transport) as client:
        hosts = [
            f"http://127.0.0.1:{ports[0]}/",
            f"http://127.0.0.1:{ports[1]}/",
            f"http://localhost:{ports[1]}/",
        ]
        for url in hosts * 2:
            assert (await client.get(url)).status_code == 200
        assert transport.origins == 2  # the first origin's own pool, and one for every other
        first, *others = (transport.pool_for(httpx.URL(url)) for url in hosts)
        assert others[0] is others[1] and first is not others[0]


def test_the_environments_proxy_is_chosen_per_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert _proxy("https", "partner.shopeemobile.com") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1,.sandbox.internal")
    assert _proxy("https", "partner.shopeemobile.com") == "http://proxy.internal:3128"
    assert _proxy("http", "api.example.com") is None  # HTTPS_PROXY is for https only
    assert _proxy("https", "127.0.0.1") is None
    assert _proxy("https", "shopee.sandbox.internal") is None
    monkeypatch.setenv("ALL_PROXY", "http://all.internal:8080")
    assert _proxy("http", "api.example.com") == "http://all.internal:8080"
