"""Persistence: SQLAlchemy 2 async models, sessions, tenancy, Alembic migrations."""
