"""Who is acting, in which organization, with which role: passed to every service call."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from aiostore.domain.permissions import Permission, Role, allows


class ActorKind(StrEnum):
    USER = "user"
    TOKEN = "token"  # noqa: S105
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    user_id: uuid.UUID | None
    label: str
    token_id: uuid.UUID | None = None

    @property
    def audit_id(self) -> uuid.UUID | None:
        return self.token_id if self.kind is ActorKind.TOKEN else self.user_id


SYSTEM = Actor(ActorKind.SYSTEM, None, "system")
CLI = Actor(ActorKind.SYSTEM, None, "cli")  # the operator of the installation, at its command line


@dataclass(frozen=True, slots=True)
class OrgContext:
    org_id: uuid.UUID
    role: Role
    actor: Actor
    request_id: str | None = None
    client_ip: str | None = None

    def can(self, permission: Permission) -> bool:
        return allows(self.role, permission)
