"""No password, token or buyer PII in the log output of a full request cycle."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi import FastAPI

from aiostore.log import configure_logging
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
