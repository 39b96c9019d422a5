"""Settings: production refuses to start without its secrets; development makes and keeps them."""

from __future__ import annotations

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
