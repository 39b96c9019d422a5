"""Roles and what each may do: the one permission table every endpoint refers to."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2, Role.OWNER: 3}


class Permission(StrEnum):
    READ = "read"  # catalog, stock, listings, orders, jobs, channels, members
    AUDIT_READ = "audit:read"
    CATALOG_WRITE = "catalog:write"  # products, variants, stock, prices, listings
    CATALOG_PUBLISH = "catalog:publish"  # commit a catalog preview: send listings to the shops
    SYNC_RUN = "sync:run"
    ORDERS_WRITE = "orders:write"  # ship, cancel
    PII_READ = "pii:read"  # unmasked buyer names, phones, addresses, emails
    CHANNELS_MANAGE = "channels:manage"
    MEMBERS_MANAGE = "members:manage"
    TOKENS_MANAGE = "tokens:manage"
    RULES_MANAGE = "rules:manage"  # the organisation's content-rule overrides
    RATES_MANAGE = "rates:manage"  # the reporting currency and the organisation's exchange rates
    ORG_MANAGE = "org:manage"
    ALERTS_MANAGE = "alerts:manage"  # alert rules and outbound webhook endpoints
    # approve or reject a change set someone else committed; set the change policy's thresholds
    CHANGES_APPROVE = "changes:approve"


_VIEWER = {Permission.READ}
_OPERATOR = _VIEWER | {Permission.CATALOG_WRITE, Permission.SYNC_RUN, Permission.ORDERS_WRITE}
_ADMIN = _OPERATOR | {
    Permission.CHANNELS_MANAGE,
    Permission.MEMBERS_MANAGE,
    Permission.TOKENS_MANAGE,
    Permission.RULES_MANAGE,
    Permission.RATES_MANAGE,
    Permission.AUDIT_READ,
    Permission.PII_READ,
    Permission.ALERTS_MANAGE,
    Permission.CHANGES_APPROVE,
    Permission.CATALOG_PUBLISH,
}
_OWNER = _ADMIN | {Permission.ORG_MANAGE}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset(_VIEWER),
    Role.OPERATOR: frozenset(_OPERATOR),
    Role.ADMIN: frozenset(_ADMIN),
    Role.OWNER: frozenset(_OWNER),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
