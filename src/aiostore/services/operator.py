"""The operator of an installation (the command line) acting in one organization.

The CLI is run by whoever runs the installation, not by a member of an org, so it names the org it
acts in (`--org`), or lets it be inferred. It connects as the *application* role, like the service:
row-level security still holds, and every query below runs with `app.org_id` set to one org.

Inferring the org needs one look across orgs. The least privileged way that works is the global
`channel_routes` table (platform shop -> org, ids only; it exists so that webhooks and schedules can
find a shop's org), which the application role may already read. `organizations` itself is under
RLS and cannot be counted without the owner role (a superuser on an embedded database), so the CLI
does not ask for it. Hence the rule, as the operator sees it:

- a channel named on the command line belongs to exactly one org: that org;
- otherwise, when exactly one org has ever connected a channel, that org (an org without channels has
  nothing to pull, push, import or watch, so it cannot be the one meant);
- otherwise (none, or several) the org must be given.

An org that is given is checked under RLS (it is visible only as the current org), so a wrong id is
"no such organization", never another tenant's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db import tenancy
from aiostore.db.models import ChannelRoute, Organization
from aiostore.domain.permissions import Role
from aiostore.errors import NotFound, ValidationFailed
from aiostore.services.context import CLI, OrgContext


class OrgRequired(ValidationFailed):
    code = "org_required"
    title = "Name the organization"


async def _org_of_channels(
    session: AsyncSession, org_id: uuid.UUID | None, channel_ids: Sequence[uuid.UUID]
) -> uuid.UUID | None:
    rows = await session.execute(
        select(ChannelRoute.channel_account_id, ChannelRoute.org_id).where(
            ChannelRoute.channel_account_id.in_(list(channel_ids))
        )
    )
    owner = {channel: org for channel, org in rows.all()}
    for channel_id in channel_ids:
        if channel_id not in owner or (org_id is not None and owner[channel_id] != org_id):
            raise NotFound(f"no such channel: {channel_id}")
    orgs = set(owner.values())
    if org_id is None and len(orgs) > 1:
        raise OrgRequired(f"these channels belong to {len(orgs)} organizations; act in one at a time")
    return org_id or next(iter(orgs), None)


async def _only_org(session: AsyncSession) -> uuid.UUID:
    orgs = list((await session.scalars(select(ChannelRoute.org_id).distinct().limit(2))).all())
    if len(orgs) == 1:
        return orgs[0]
    if not orgs:
        raise OrgRequired("no organization has connected a channel yet; name the organization")
    raise OrgRequired("several organizations use this installation; name the organization")


async def enter_org(
    session: AsyncSession, org_id: uuid.UUID | None, channel_ids: Sequence[uuid.UUID] = ()
) -> OrgContext:
    """Resolve the org (see the module's docstring) and scope this session's transaction to it.

    Acts as the system actor "cli" with the owner's role: the operator of the installation may do
    anything in any org, and the audit log says it was the command line.
    """
    if channel_ids:
        org_id = await _org_of_channels(session, org_id, channel_ids)
    if org_id is None:
        org_id = await _only_org(session)
    await tenancy.bind_tenant(session, org_id)
    if await session.scalar(select(Organization.id).where(Organization.id == org_id)) is None:
        raise NotFound(f"no such organization: {org_id}")
    return OrgContext(org_id, Role.OWNER, CLI)
