"""The process's HTTP client for marketplace calls: one connection pool per origin.

httpx keeps one pool per client, and httpcore, each time it hands out or takes back a connection, looks
at every connection of the pool (whether it has expired, which is a poll() on its socket when idle). A
worker calling four platforms kept 21 to 29 connections in that one pool during bench/propagation.py, so
every call paid for the other platforms' connections, twice (4.8% of the worker's profile samples at
10 sales a second; the HTTP client's share of them halved with a pool per origin). Here each origin
(scheme, host, port) has a pool of its own, created on its first call, with the limits the one pool had;
after the first 32 origins (the platforms' hosts come first), further ones (sellers' image hosts) share
one pool, so that their number never grows the process's pools without bound.

The outbound proxy settings of the environment (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY), which
httpx honours for its own pool, are honoured per origin the same way.
"""

from __future__ import annotations

import urllib.request

import httpx

from aiostore.http.client import DEFAULT_TIMEOUT

LIMITS = httpx.Limits(max_connections=100)  # per origin: a platform's own quota bounds its calls
# Origins with a pool of their own: the platforms' hosts, met first and called most. Further origins
# (the sellers' image hosts a publish downloads from) share one pool, so their number never grows the
# process's pools without bound.
OWN_POOLS = 32


def _proxy(scheme: str, host: str) -> str | None:
    """The environment's proxy for this origin, as httpx would choose it (None: go direct)."""
    proxies = urllib.request.getproxies_environment()
    if not proxies or urllib.request.proxy_bypass(host):  # NO_PROXY
        return None
    return proxies.get(scheme) or proxies.get("all")


class PoolPerOrigin(httpx.AsyncBaseTransport):
    """An httpx transport that sends each request through its origin's own pool."""

    def __init__(self, limits: httpx.Limits = LIMITS, own_pools: int = OWN_POOLS) -> None:
        self._limits, self._own_pools = limits, own_pools
        self._pools: dict[tuple[str, str, int | None], httpx.AsyncHTTPTransport] = {}

    def pool_for(self, url: httpx.URL) -> httpx.AsyncHTTPTransport:
        key = (url.scheme, url.host, url.port)
        pool = self._pools.get(key)
        if pool is None:
            proxy = _proxy(url.scheme, url.host)
            if len(self._pools) >= self._own_pools:  # the shared pool of further origins, per proxy
                key = ("", "", None) if proxy is None else ("", proxy, None)
                pool = self._pools.get(key)
            if pool is None:
                pool = httpx.AsyncHTTPTransport(limits=self._limits, proxy=proxy)
                self._pools[key] = pool
        return pool

    @property
    def origins(self) -> int:
        """Pools open (a shared one counts once)."""
        return len(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.pool_for(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()


def marketplace_client(transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """The client connectors share in a process; `transport` wraps the pools (the demo's router)."""
    return httpx.AsyncClient(transport=transport or PoolPerOrigin(), timeout=DEFAULT_TIMEOUT)
