"""The command line: help, version, db commands, user create, and `serve` as a real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from aiostore import __version__
from aiostore.cli.main import app
from aiostore.settings import get_settings

runner = CliRunner()


def test_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "worker", "db", "user", "sync", "jobs", "catalog"):
        assert command in result.output
    assert runner.invoke(app, ["db", "--help"]).exit_code == 0
    assert "upgrade" in runner.invoke(app, ["db", "--help"]).output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_db_current_and_upgrade(cli_env: dict[str, str]) -> None:
    current = runner.invoke(app, ["db", "current"])
    assert current.exit_code == 0, current.output
    assert "up to date" in current.output
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0


def test_user_create_and_bad_input(cli_env: dict[str, str]) -> None:
    ok = runner.invoke(
        app,
        [
            "user",
            "create",
            "--email",
            "cli@example.com",
            "--org",
            "Toko CLI",
            "--password",
            "a long password",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert "created" in ok.output
    again = runner.invoke(
        app,
        [
            "user",
            "create",
            "--email",
            "cli@example.com",
            "--org",
            "Toko CLI",
            "--password",
            "a long password",
        ],
    )
    assert again.exit_code == 1 and "already exists" in again.output
    short = runner.invoke(
        app, ["user", "create", "--email", "x@example.com", "--org", "T", "--password", "short"]
    )
    assert short.exit_code == 1 and "--password" in short.output
    bad_email = runner.invoke(
        app, ["user", "create", "--email", "nope", "--org", "T", "--password", "long enough!"]
    )
    assert bad_email.exit_code == 1 and "--email" in bad_email.output


def test_unreachable_database_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIOSTORE_DATABASE_URL", "postgresql://nobody:x@127.0.0.1:1/none")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "current"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "error:" in result.output and "Traceback" not in result.output


def test_production_without_secrets_refuses_to_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIOSTORE_ENV", "production")
    monkeypatch.delenv("AIOSTORE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["serve"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "AIOSTORE_SECRET_KEY" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_runs_migrates_and_answers(cli_env: dict[str, str]) -> None:
    port = _free_port()
    env = {**os.environ, **cli_env, "AIOSTORE_PORT": str(port)}
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "aiostore.cli.main", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        ready = None
        while time.monotonic() < deadline:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None:
                    break
                time.sleep(0.3)
        assert ready is not None and ready.status_code == 200, (
            proc.stdout.read() if proc.poll() is not None else ""
        )
        assert httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5).status_code == 200
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=30)
    assert f"listening on http://127.0.0.1:{port}" in output
