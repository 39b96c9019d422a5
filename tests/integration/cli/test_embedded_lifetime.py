"""The embedded PostgreSQL is stopped by the command that started it, left alone when it was already
running, and stopped on request by `aiostore db stop`. Commands are quiet unless -v."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiostore.db.engine import embedded_pgdata, embedded_pid


@pytest.fixture(autouse=True)
def _clean_tables() -> None:
    """Nothing here uses the test database (overrides the integration-wide table cleaner)."""


@pytest.fixture
def home() -> Iterator[Path]:
    """A directory of our own: pytest's numbered temporary directories are shared by every pytest run of
    the user and pruned by them, which a server living in one for a while does not survive."""
    path = Path(tempfile.mkdtemp(prefix="aiostore-lifetime-"))
    try:
        yield path
    finally:
        if embedded_pid(path / "data") is not None:
            _aiostore(path / "data", "db", "stop")
        shutil.rmtree(path, ignore_errors=True)


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIOSTORE_")}
    env.pop("XDG_RUNTIME_DIR", None)  # the command picks its own private runtime directory
    return env | {"AIOSTORE_DATA_DIR": str(data_dir), "AIOSTORE_LOG_JSON": "false"}


def _aiostore(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "aiostore.cli.main", *args],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_the_starter_stops_it_others_leave_it(home: Path) -> None:
    data = home / "data"
    first = _aiostore(data, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert "database at" in first.stdout
    assert first.stderr.strip() == "", first.stderr  # quiet: no info lines, no runtime-dir warning
    assert embedded_pid(data) is None  # it started the server, so it stopped it

    verbose = _aiostore(data, "-v", "db", "current")
    assert verbose.returncode == 0 and "up to date" in verbose.stdout
    assert "db.embedded.stopped" in verbose.stderr and "RuntimeDirWarning" not in verbose.stderr
    assert embedded_pid(data) is None

    # Someone else starts it (another tool, or `aiostore serve`): commands leave it running.
    started = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import sys, pgserver; pgserver.get_server(sys.argv[1], cleanup_mode=None)",
            str(embedded_pgdata(data)),
        ],
        env=_env(data) | {"XDG_RUNTIME_DIR": str(data / "run")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    pid = embedded_pid(data)
    assert pid is not None
    try:
        joined = _aiostore(data, "db", "current")
        assert joined.returncode == 0 and "up to date" in joined.stdout, joined.stderr
        assert embedded_pid(data) == pid
        stopped = _aiostore(data, "db", "stop")
        assert stopped.returncode == 0 and "stopped" in stopped.stdout, stopped.stderr
        assert embedded_pid(data) is None
        again = _aiostore(data, "db", "stop")
        assert again.returncode == 0 and "not running" in again.stdout
    finally:
        if embedded_pid(data) is not None:
            _aiostore(data, "db", "stop")


def test_db_stop_with_an_external_database_says_so(tmp_path: Path) -> None:
    env_url = {"AIOSTORE_DATABASE_URL": "postgresql://nobody:x@127.0.0.1:1/none"}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "aiostore.cli.main", "db", "stop"],
        env=_env(tmp_path) | env_url,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and "external database" in done.stderr


def test_stopping_serve_stops_the_database_it_started(home: Path) -> None:
    import socket
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    data = home / "data"
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "aiostore.cli.main", "serve", "--no-demo"],
        env=_env(data) | {"AIOSTORE_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        assert embedded_pid(data) is not None
    finally:
        proc.terminate()  # SIGTERM, as a service manager or Ctrl-C's cousin would
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert "embedded database stopped" in output
    assert embedded_pid(data) is None


def test_stopping_serve_lets_the_worker_finish_its_jobs_first(home: Path) -> None:
    """SIGTERM while the demo's orders keep the embedded worker busy: the app's shutdown stops the worker
    (each job it runs finishes and its end is recorded) before the platforms' HTTP client and the job
    queue close. Stopped the other way round, the pushes in flight failed on the closed client and the
    queue could not record their end."""
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    data, log = home / "data", home / "serve.log"
    env = _env(data) | {"AIOSTORE_PORT": str(port), "AIOSTORE_DEMO_ORDER_SECONDS": "0.2"}
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "aiostore.cli.main", "serve", "--demo"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and proc.poll() is None:
                text = log.read_text()
                if "demo ready" in text and text.count("demo.order_placed") >= 10:
                    break
                time.sleep(0.2)
        finally:
            proc.terminate()
            proc.wait(timeout=90)
    output = log.read_text()
    assert text.count("demo.order_placed") >= 10, output[-3000:]
    assert proc.returncode == 0, output[-3000:]
    for failure in ("has been closed", "App was not open", "never retrieved", "Traceback"):
        assert failure not in output, output[max(0, output.index(failure) - 2000) :][:4000]
    assert "embedded database stopped" in output
