"""The role ladder: every role can do all that the one below it can."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aiostore.domain.inventory import available_to_sell
from aiostore.domain.permissions import ROLE_PERMISSIONS, Permission, Role, allows


def test_roles_are_nested() -> None:
    ladder = [Role.VIEWER, Role.OPERATOR, Role.ADMIN, Role.OWNER]
    for lower, higher in zip(ladder, ladder[1:], strict=False):
        assert ROLE_PERMISSIONS[lower] < ROLE_PERMISSIONS[higher]
        assert higher.at_least(lower) and not lower.at_least(higher)


def test_the_table_as_the_issue_states_it() -> None:
    assert allows(Role.VIEWER, Permission.READ) and not allows(Role.VIEWER, Permission.CATALOG_WRITE)
    assert allows(Role.OPERATOR, Permission.CATALOG_WRITE) and allows(Role.OPERATOR, Permission.SYNC_RUN)
    assert not allows(Role.OPERATOR, Permission.CHANNELS_MANAGE)
    assert allows(Role.ADMIN, Permission.CHANNELS_MANAGE) and allows(Role.ADMIN, Permission.MEMBERS_MANAGE)
    assert not allows(Role.ADMIN, Permission.ORG_MANAGE) and allows(Role.OWNER, Permission.ORG_MANAGE)
    assert not allows(Role.OPERATOR, Permission.PII_READ) and allows(Role.ADMIN, Permission.PII_READ)
    assert not allows(Role.OPERATOR, Permission.CHANGES_APPROVE) and allows(
        Role.ADMIN, Permission.CHANGES_APPROVE
    )
    assert not allows(Role.OPERATOR, Permission.CATALOG_PUBLISH) and allows(
        Role.ADMIN, Permission.CATALOG_PUBLISH
    )


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6))
def test_available_never_negative(on_hand: int, reserved: int, buffer: int) -> None:
    available = available_to_sell(on_hand, reserved, buffer)
    assert available >= 0
    assert available == max(0, on_hand - reserved - buffer)
