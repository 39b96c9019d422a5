"""No password, token or buyer PII in the log output of a full request cycle."""

from __future__ import annotations

import json
import logging

import psycopg
import pytest
from fastapi import FastAPI

from aiostore.db.engine import DatabaseURLs
from aiostore.log import configure_logging, scrub_text
from tests.factories import PASSWORD, new_client


async def test_full_cycle_logs_no_secrets(app: FastAPI, capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging("DEBUG", json_logs=True)
    try:
        client = new_client(app)
        reg = await client.post(
            "/api/auth/register",
            json={
                "email": "rahasia@example.com",
                "password": PASSWORD,
                "display_name": "Budi Santoso",
                "organization_name": "Toko Rahasia",
            },
        )
        csrf = reg.json()["csrf_token"]
        session_cookie = client.cookies["aiostore_session"]
        token = (await client.post("/api/tokens", json={"name": "t"}, headers={"X-CSRF-Token": csrf})).json()[
            "token"
        ]
        bot = new_client(app, {"Authorization": f"Bearer {token}"})
        await bot.get("/api/products")
        await client.post(
            "/api/auth/login", json={"email": "rahasia@example.com", "password": "wrong-password-1"}
        )
        logging.getLogger("aiostore.test").info("user said %s", "hello")
        err = capsys.readouterr().err
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(line.get("event") == "request.completed" for line in lines)
    assert all("request_id" in line for line in lines if line.get("event") == "request.completed")
    for secret in (
        PASSWORD,
        "wrong-password-1",
        token,
        session_cookie,
        csrf,
        "rahasia@example.com",
        "Budi Santoso",
    ):
        assert secret not in err


async def test_a_500_from_a_failed_statement_logs_neither_its_values_nor_the_database_detail(
    app: FastAPI, urls: DatabaseURLs, capsys: pytest.CaptureFixture[str]
) -> None:
    """A registration whose INSERT fails: the 500's traceback held the email and the argon2 hash."""
    async with await psycopg.AsyncConnection.connect(urls.owner_conninfo(), autocommit=True) as admin:
        await admin.execute(FAIL_INSERT)
        root = logging.getLogger()
        saved = (root.handlers[:], root.level)
        configure_logging("DEBUG", json_logs=True)
        try:
            resp = await new_client(app).post(
                "/api/auth/register",
                json={
                    "email": "boom-balapan@example.com",
                    "password": PASSWORD,
                    "display_name": "Siti Rahayu",
                    "organization_name": "Toko Boom",
                },
            )
            err = capsys.readouterr().err
        finally:
            root.handlers[:], _ = saved
            root.setLevel(saved[1])
            await admin.execute(UNFAIL_INSERT)
    assert resp.status_code == 500 and resp.json()["status"] == 500
    assert "request.failed" in err and "refused for the test" in err  # the traceback is logged
    assert "boom-balapan" not in err and "$argon2" not in err and PASSWORD not in err


FAIL_INSERT = """
CREATE OR REPLACE FUNCTION test_fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'refused for the test: %', NEW.email; END $$;
CREATE TRIGGER test_fail_insert BEFORE INSERT ON users FOR EACH ROW
  WHEN (NEW.email LIKE 'boom-%') EXECUTE FUNCTION test_fail_insert();
"""
UNFAIL_INSERT = "DROP TRIGGER test_fail_insert ON users; DROP FUNCTION test_fail_insert();"


def test_scrubbing_covers_what_libraries_write() -> None:
    for text, secret in [
        ("GET https://x/api?app_key=1&access_token=50000abc&sign=ABC123 200", "50000abc"),
        ("GET https://x/api?app_key=1&access_token=50000abc&sign=ABC123 200", "ABC123"),
        ('{"refresh_token": "r-123456", "expire_in": 3600}', "r-123456"),
        ("{'Authorization': 'Bearer sekret-value'}", "sekret-value"),
        ("X-Lazada-Signature: f00dfeed", "f00dfeed"),
        ("token aio_AAAAAAAAAAAAAAAAAAAAAA_theSecretPart1", "theSecretPart1"),
        ("gAAAAABnZ3h5enV2d3h5ejAxMjM0NTY3ODkwMTIzNDU2Nzg5", "gAAAAABnZ3h5enV2d3h5ejAx"),
        ("hash $argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "aGFzaA"),
        ("Key (email)=(siti@example.com) already exists.", "siti@example.com"),
        ("buyer +628234496680 called", "8234496680"),
        ("buyer 081234567890 called", "081234567890"),
        (
            "[SQL: INSERT x]\n[parameters: ('a', 'secret-param')]\n(Background on this error at: y)",
            "secret-param",
        ),
    ]:
        scrubbed = scrub_text(text)
        assert secret not in scrubbed, (text, scrubbed)
        assert scrub_text(scrubbed) == scrubbed
    for harmless in (
        "2026-12-06T10:00:00Z",
        "order 220905ABCD, 3 units",
        "status_code=200 duration 0.123456789",
    ):
        assert scrub_text(harmless) == harmless
