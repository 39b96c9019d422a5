"""Settings: production refuses to start without its secrets; development makes and keeps them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from aiostore.settings import ConfigurationError, Settings, check_startup


def test_production_without_secrets_names_them(tmp_path: Path) -> None:
    s = Settings(_env_file=None, env="production", data_dir=tmp_path)  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError) as err:
        check_startup(s)
    message = str(err.value)
    for name in ("AIOSTORE_SECRET_KEY", "AIOSTORE_ENCRYPTION_KEYS", "AIOSTORE_DATABASE_URL"):
        assert name in message
    assert not (tmp_path / "secrets.json").exists()


def test_production_with_secrets_starts(tmp_path: Path) -> None:
    s = Settings(  # type: ignore[call-arg]
        _env_file=None,
        env="production",
        data_dir=tmp_path,
        secret_key="s" * 40,
        encryption_keys=Fernet.generate_key().decode(),
        database_url="postgresql://a:b@db/x",
        db_app_password="pw",
    )
    assert check_startup(s) is s


def test_development_generates_and_keeps_secrets(tmp_path: Path) -> None:
    first = check_startup(Settings(_env_file=None, data_dir=tmp_path))  # type: ignore[call-arg]
    second = check_startup(Settings(_env_file=None, data_dir=tmp_path))  # type: ignore[call-arg]
    assert first.secret_key is not None and second.secret_key is not None
    assert first.secret_key.get_secret_value() == second.secret_key.get_secret_value()
    assert (tmp_path / "secrets.json").stat().st_mode & 0o777 == 0o600


def _keys(data_dir: Path) -> tuple[str, str]:
    s = check_startup(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    assert s.secret_key is not None
    return s.secret_key.get_secret_value(), s.encryption_keys[0].get_secret_value()


def test_processes_starting_at_once_on_a_fresh_folder_share_one_set_of_secrets(tmp_path: Path) -> None:
    """`aiostore serve` and `aiostore worker` started together: one set of keys, the one on disk."""
    code = (
        "import sys; from pathlib import Path; from tests.unit.test_settings import _keys;"
        " print(*_keys(Path(sys.argv[1])))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIOSTORE_")}
    command = [sys.executable, "-c", code, str(tmp_path)]
    started = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)  # noqa: S603
        for _ in range(6)
    ]
    outputs = {p.communicate(timeout=60)[0].strip() for p in started}
    assert all(p.returncode == 0 for p in started)
    stored = json.loads((tmp_path / "secrets.json").read_text())
    assert outputs == {f"{stored['secret_key']} {stored['encryption_key']}"}


def test_threads_racing_on_a_fresh_folder_share_one_set_of_secrets(tmp_path: Path) -> None:
    barrier = threading.Barrier(12)

    def start() -> tuple[str, str]:
        barrier.wait()
        return _keys(tmp_path)

    with ThreadPoolExecutor(12) as pool:
        found = set(pool.map(lambda _: start(), range(12)))
    assert len(found) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secrets.json"]  # no temporary file left


def test_a_secrets_file_missing_a_key_is_completed_keeping_the_other(tmp_path: Path) -> None:
    (tmp_path / "secrets.json").write_text(json.dumps({"secret_key": "k" * 48}))
    secret_key, encryption_key = _keys(tmp_path)
    assert secret_key == "k" * 48
    assert json.loads((tmp_path / "secrets.json").read_text()) == {
        "secret_key": "k" * 48,
        "encryption_key": encryption_key,
    }
    assert _keys(tmp_path) == (secret_key, encryption_key)


def test_env_prefix_and_key_list(monkeypatch: pytest.MonkeyPatch) -> None:
    k1, k2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("AIOSTORE_ENCRYPTION_KEYS", f"{k1}, {k2}")
    monkeypatch.setenv("AIOSTORE_PORT", "9001")
    monkeypatch.setenv("AIOSTORE_WRITE_MODE", "live")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert [k.get_secret_value() for k in s.encryption_keys] == [k1, k2]
    assert s.port == 9001 and s.write_mode.value == "live"


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIOSTORE_ENCRYPTION_KEYS", "not-a-key")
    with pytest.raises(ValidationError, match="encryption_keys"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.delenv("AIOSTORE_ENCRYPTION_KEYS")
    monkeypatch.setenv("AIOSTORE_WRITE_MODE", "sometimes")
    with pytest.raises(ValidationError, match="write_mode"):
        Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BREAKER_RECOVERY_SECONDS", "0"),
        ("BREAKER_RECOVERY_SECONDS", "-5"),
        ("BREAKER_RECOVERY_SECONDS", "3601"),
        ("BREAKER_RECOVERY_SECONDS", "soon"),
        ("BREAKER_THRESHOLD", "0"),
        ("BREAKER_THRESHOLD", "2.5"),
    ],
)
def test_bad_breaker_settings_name_the_field(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(f"AIOSTORE_{name}", value)
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert [e["loc"] for e in refused.value.errors()] == [(name.lower(),)]


def test_breaker_settings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).breaker_recovery_seconds == 30.0  # type: ignore[call-arg]
    monkeypatch.setenv("AIOSTORE_BREAKER_RECOVERY_SECONDS", "90")
    monkeypatch.setenv("AIOSTORE_BREAKER_THRESHOLD", "3")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (s.breaker_threshold, s.breaker_recovery_seconds) == (3, 90.0)
