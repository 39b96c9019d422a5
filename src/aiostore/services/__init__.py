"""Use cases. Services take a session and an OrgContext, flush but never commit."""
