"""Creating users from the command line."""

from __future__ import annotations

import uuid

from email_validator import EmailNotValidError, validate_email

from aiostore.db import migrate
from aiostore.db.engine import resolve_urls
from aiostore.db.session import Database
from aiostore.errors import AppError
from aiostore.services import accounts
from aiostore.settings import Settings


async def create_user(
    settings: Settings, *, email: str, password: str, name: str, org: str
) -> tuple[uuid.UUID, uuid.UUID]:
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"--email: {exc}") from exc
    if len(password) < 10:
        raise ValueError("--password: at least 10 characters")
    if not org.strip():
        raise ValueError("--org: the organization needs a name")
    urls = resolve_urls(settings)
    await migrate.upgrade(urls, settings)
    db = Database.connect(urls, pool_size=1)
    try:
        async with db.transaction() as session:
            done = await accounts.register(
                session,
                email=email,
                password=password,
                display_name=name or email.split("@")[0],
                org_name=org.strip(),
            )
            return done.user.id, done.org.id
    except AppError as exc:
        raise ValueError(exc.detail) from exc
    finally:
        await db.dispose()
