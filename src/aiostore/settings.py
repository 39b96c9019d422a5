"""Settings from the environment (prefix AIOSTORE_) and an optional .env file.

In development mode missing secrets are generated once and kept in the data folder, so a laptop
install needs no configuration; in production mode the service refuses to start without them.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from aiostore.connectors.plugin import PlatformSettings


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class WriteMode(StrEnum):
    DRY = "dry"
    LIVE = "live"


def _platform_settings() -> dict[str, PlatformSettings]:
    from aiostore.connectors import registry

    return registry.load_settings()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AIOSTORE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path(".aiostore")
    public_url: str | None = None

    database_url: str | None = None
    app_database_url: str | None = None
    db_owner_role: str = "aiostore_owner"
    db_app_role: str = "aiostore_app"
    db_app_password: SecretStr | None = None
    db_pool_size: int = Field(default=10, ge=1)

    secret_key: SecretStr | None = None
    encryption_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)

    write_mode: WriteMode = WriteMode.DRY
    run_worker: bool = True
    worker_concurrency: int = Field(default=8, ge=1, le=64)
    # Shops whose push tasks a worker process runs at once, in slots of their own (worker/app.py).
    push_lanes: int = Field(default=8, ge=1, le=256)
    # Webhooks of each platform a worker process handles at once, in slots of their own.
    webhook_lanes: int = Field(default=4, ge=1, le=64)
    sync_orders_interval_minutes: int = Field(default=5, ge=1)
    sync_products_interval_hours: int = Field(default=24, ge=1)
    # Order gaps (services/sync/gaps.py): a check without a window looks this far back; a shop whose
    # pushes are silent this long while its usual order rate would have brought this many orders in
    # that time gets a check of the silent window.
    order_gap_window_hours: int = Field(default=24, ge=1, le=24 * 90)
    order_gap_silence_minutes: int = Field(default=15, ge=1)
    order_gap_expected_orders: float = Field(default=3.0, gt=0)
    # Listings dirty this long with no push on its way (a dead-lettered push) get one from the sweep.
    sync_sweep_after_minutes: int = Field(default=5, ge=1)
    # Reconciliation (services/reconciliation): how often each shop is compared with the master, the
    # platform read calls one shop's run may spend (a large shop goes on where the last run stopped),
    # the stock repairs one shop's run may write, the read calls a push's read-back may spend, and how
    # long a read-back waits after the first write it reads (the writes of a burst join it meanwhile).
    reconcile_interval_minutes: int = Field(default=60, ge=1)
    reconcile_read_calls: int = Field(default=200, ge=2, le=100_000)
    reconcile_max_repairs: int = Field(default=500, ge=0, le=100_000)
    readback_read_calls: int = Field(default=50, ge=0, le=100_000)
    readback_delay_seconds: float = Field(default=2.0, ge=0, le=3600)
    token_refresh_margin_minutes: int = Field(default=30, ge=1)
    sync_retry_base_seconds: float = Field(default=2.0, gt=0, le=600)
    sync_max_attempts: int = Field(default=5, ge=1, le=50)
    # Each platform's circuit breaker (http/breaker.py, shared by every process: http/shared.py): it
    # opens after this many consecutive failures (5xx, time-outs) and stays open this long before one
    # probe goes through. A job that meets an open circuit spends no attempt: it waits for the probe.
    breaker_threshold: int = Field(default=5, ge=1, le=1000)
    breaker_recovery_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Platform reference data (per platform and market): how long each kind is kept before a refresh.
    reference_categories_ttl_hours: int = Field(default=168, ge=1)
    reference_attributes_ttl_hours: int = Field(default=72, ge=1)
    reference_brands_ttl_hours: int = Field(default=24, ge=1)
    # Following a platform's review of created or edited listings (catalog.follow_review): the first
    # look after this many seconds, then doubling up to the cap; given up after the hours.
    review_poll_seconds: float = Field(default=60.0, gt=0, le=3600)
    review_poll_max_seconds: float = Field(default=3600.0, gt=0, le=86400)
    review_follow_hours: int = Field(default=72, ge=1, le=720)

    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Spreadsheet uploads (POST /api/*/import): streamed to a spooled file, 413 above this size.
    import_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    # A change set awaiting a second person's approval expires this many hours after its commit.
    changeset_approval_ttl_hours: int = Field(default=72, ge=1, le=24 * 90)
    cookie_secure: bool = False
    # Peers (addresses or CIDR networks) whose X-Forwarded-For/-Proto are believed; none by default.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    metrics_token: SecretStr | None = None
    metrics_public: bool = False
    # Origins (scheme://host[:port]) whose pages may call the API with the browser's credentials;
    # empty, the default, allows none but the service's own.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    session_ttl_hours: int = Field(default=24 * 14, ge=1)
    login_max_failures: int = Field(default=5, ge=1)
    login_address_max_failures: int = Field(default=100, ge=1)
    login_delay_seconds: int = Field(default=10, ge=1, le=3600)
    login_max_delay_seconds: int = Field(default=900, ge=1, le=86400)
    login_window_minutes: int = Field(default=60, ge=1)
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    sse_max_streams_per_user: int = Field(default=10, ge=1, le=1000)

    # The demo organization (POST /demo): None = on in development (with the in-service worker and no
    # marketplace configured), off in production unless set.
    demo: bool | None = None
    demo_order_seconds: float = Field(default=5.0, ge=0)  # 0: no new demo orders

    # Alerts: e-mail over SMTP (no host: no e-mail is sent), grouping and retries of deliveries,
    # and whether webhook endpoints may be private or loopback addresses (refused by default: SSRF).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_from: str = "AIOStore <alerts@localhost>"
    smtp_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    alert_group_seconds: int = Field(default=60, ge=0, le=3600)
    alert_retry_base_seconds: float = Field(default=30.0, gt=0, le=3600)
    alert_max_attempts: int = Field(default=8, ge=1, le=50)
    alert_webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    alert_webhook_allow_private: bool = False

    # Publishing fetches each master image (http/https, at most this many bytes, JPEG/PNG/WebP) to upload
    # it the platform's way; private, loopback or link-local addresses are refused (SSRF) unless the URL
    # is under this service's own URL or this is true (sandboxes and tests on a private network).
    image_fetch_max_bytes: int = Field(default=10 * 2**20, ge=1024, le=50 * 2**20)
    image_fetch_timeout_seconds: float = Field(default=20.0, gt=0, le=120)
    image_fetch_allow_private: bool = False

    log_level: str = "INFO"
    log_json: bool | None = None

    webhook_tolerance_seconds: int = Field(default=300, ge=1)  # a push signed longer ago is a replay

    # Each platform's own settings (AIOSTORE_<PLATFORM>_*), modelled and read by its plugin
    # (connectors/<platform>/__init__.py); connectors.registry discovers them.
    platforms: dict[str, PlatformSettings] = Field(default_factory=_platform_settings, exclude=True)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip().rstrip("/") for o in value.split(",") if o.strip()]
        return value

    @field_validator("encryption_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [k.strip() for k in value.split(",") if k.strip()]
        return value

    @field_validator("encryption_keys")
    @classmethod
    def _valid_fernet(cls, value: list[SecretStr]) -> list[SecretStr]:
        for i, key in enumerate(value):
            try:
                Fernet(key.get_secret_value().encode())
            except ValueError as exc:
                raise ValueError(f"key {i} is not a Fernet key (32 url-safe base64 bytes)") from exc
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as exc:
                raise ValueError(f"{entry!r} is not an IP address or CIDR network") from exc
        return value

    def with_platform(self, name: str, **values: object) -> Settings:
        """These settings with ``values`` set on platform ``name``'s own settings."""
        current = self.platforms[name]
        changed = type(current).model_validate({**dict(current), **values})
        return self.model_copy(update={"platforms": {**self.platforms, name: changed}})

    @property
    def service_url(self) -> str:
        """Where people and platforms reach this service: the public URL, else http://host:port."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    def missing_production_secrets(self) -> list[str]:
        """Names of the settings production mode requires and that are not set."""
        missing = []
        if self.secret_key is None or len(self.secret_key.get_secret_value()) < 32:
            missing.append("AIOSTORE_SECRET_KEY (at least 32 characters)")
        if not self.encryption_keys:
            missing.append("AIOSTORE_ENCRYPTION_KEYS")
        if self.database_url is None:
            missing.append("AIOSTORE_DATABASE_URL")
        if self.database_url is not None and self.app_database_url is None and self.db_app_password is None:
            missing.append("AIOSTORE_APP_DATABASE_URL or AIOSTORE_DB_APP_PASSWORD")
        return missing

    def with_development_secrets(self) -> Settings:
        """Fill missing secrets from (or into) the data folder; only outside production."""
        if self.is_production:
            return self
        stored = _development_secrets(self.data_dir / "secrets.json")
        update: dict[str, object] = {}
        if self.secret_key is None:
            update["secret_key"] = SecretStr(stored["secret_key"])
        if not self.encryption_keys:
            update["encryption_keys"] = [SecretStr(stored["encryption_key"])]
        return self.model_copy(update=update)


def _development_secrets(path: Path) -> dict[str, str]:
    """The data folder's secrets, made once whichever of the processes starting on it comes first.

    The file appears whole (a private temporary file linked into place), and a process that finds it
    made meanwhile reads it: `aiostore serve` and `aiostore worker` started at once on a fresh folder
    used to write different keys, the last write winning on disk while the first process kept its own
    (a token it encrypted could not be read by the other), or one read the other's half-written file."""
    while True:
        try:
            stored: dict[str, str] = json.loads(path.read_text())
        except FileNotFoundError:
            stored = {}
        if "secret_key" in stored and "encryption_key" in stored:
            return stored
        made = {
            "secret_key": secrets.token_urlsafe(48),
            "encryption_key": Fernet.generate_key().decode(),
            **stored,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(json.dumps(made))
            if stored:  # an older file with one key: completed in place
                os.replace(temporary, path)
                return made
            try:
                os.link(temporary, path)
            except FileExistsError:
                continue  # another process made it first: read its
            return made
        finally:
            temporary.unlink(missing_ok=True)


class ConfigurationError(RuntimeError):
    """The service cannot start with these settings; the message says why."""


def check_startup(settings: Settings) -> Settings:
    """Validate the settings for starting a service; returns the settings to run with."""
    if settings.is_production:
        missing = settings.missing_production_secrets()
        if missing:
            raise ConfigurationError("production mode needs: " + ", ".join(missing))
        return settings
    return settings.with_development_secrets()


@lru_cache
def get_settings() -> Settings:
    return Settings()
