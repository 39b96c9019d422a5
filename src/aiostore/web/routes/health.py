"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from aiostore import __version__
from aiostore.db import migrate
from aiostore.web.deps import Public, get_db
from aiostore.web.security import metrics_access

router = APIRouter(tags=["health"])


@router.get("/healthz", dependencies=[Public("liveness probe")])
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok", "version": __version__}


@router.get("/readyz", dependencies=[Public("readiness probe")])
async def readyz(request: Request) -> JSONResponse:
    """The database answers and its schema is at the code's migration head."""
    db = get_db(request)
    checks: dict[str, str] = {}
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
        current = await migrate.current_revision(db.urls, as_app=True)
        head = migrate.head_revision()
        checks["migrations"] = "ok" if current == head else f"at {current}, code expects {head}"
    except Exception as exc:  # any failure means not ready; the reason goes in the answer
        checks.setdefault("database", f"unreachable: {type(exc).__name__}")
    ready = all(v == "ok" for v in checks.values()) and len(checks) == 2
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks}, status_code=200 if ready else 503
    )


@router.get(
    "/metrics",
    dependencies=[Public("Prometheus scrape, guarded by settings"), Depends(metrics_access)],
    include_in_schema=False,
)
async def metrics() -> Response:
    """Prometheus metrics (see web/security.py for who may read them)."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
