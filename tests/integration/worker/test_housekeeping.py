"""The real procrastinate worker runs a job deferred in our database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from aiostore.db.engine import DatabaseURLs
from aiostore.db.models import IdempotencyKey, LoginFailure, OAuthState, UserSession
from aiostore.db.session import Database
from aiostore.security.crypto import TokenCipher
from aiostore.services import idempotency, oauth_state
from aiostore.settings import Settings
from aiostore.worker import runtime
from aiostore.worker.app import configure
from aiostore.worker.tasks.housekeeping import purge_expired
from tests.factories import Caller


async def test_purge_expired_idempotency_keys(
    urls: DatabaseURLs, db: Database, test_settings: Settings, owner: Caller
) -> None:
    cipher = TokenCipher(test_settings.encryption_keys)
    for key, ttl in (("old", timedelta(seconds=-1)), ("fresh", timedelta(hours=1))):
        wanted = idempotency.Claim(owner.org_id, owner.user_id, key, "POST", "/x", "f", ttl)
        async with db.transaction(owner.org_id, owner.user_id) as session:
            assert await idempotency.claim(session, wanted, cipher) == wanted
            await idempotency.record(session, wanted, idempotency.StoredResponse(201, b"{}", {}), cipher)
    runtime.install(runtime.make(test_settings, db))
    queue = configure(urls)
    async with queue.open_async():
        await purge_expired.defer_async(timestamp=int(datetime.now(UTC).timestamp()))
        await queue.run_worker_async(queues=["housekeeping"], wait=False, install_signal_handlers=False)
    async with db.transaction(owner.org_id, owner.user_id) as session:
        keys = (await session.scalars(select(IdempotencyKey.key))).all()
        assert keys == ["fresh"]
        assert await session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


async def test_purge_old_login_attempts_and_expired_oauth_states(
    urls: DatabaseURLs, db: Database, test_settings: Settings, owner: Caller
) -> None:
    now = datetime.now(UTC)
    async with db.transaction() as session:
        user_session = await session.scalar(select(UserSession).where(UserSession.user_id == owner.user_id))
        assert user_session is not None
        for name, expires in (("old", now - timedelta(seconds=1)), ("live", now + timedelta(minutes=10))):
            await oauth_state.remember(
                session,
                f"state-{name}",
                user_session_id=user_session.id,
                user_id=owner.user_id,
                org_id=owner.org_id,
                platform="shopee",
                market="ID",
                expires_at=expires,
            )
        session.add_all(
            [
                LoginFailure(scope="pair", key="old", at=now - timedelta(days=2)),
                LoginFailure(scope="pair", key="recent", at=now),
            ]
        )
    runtime.install(runtime.make(test_settings, db))
    queue = configure(urls)
    async with queue.open_async():
        await purge_expired.defer_async(timestamp=int(now.timestamp()))
        await queue.run_worker_async(queues=["housekeeping"], wait=False, install_signal_handlers=False)
    async with db.transaction() as session:
        assert (await session.scalars(select(LoginFailure.key))).all() == ["recent"]
        states = (await session.scalars(select(OAuthState.expires_at))).all()
        assert len(states) == 1 and states[0] > now
