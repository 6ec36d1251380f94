"""Who holds which role, from signed grants and revocations (pure; no vault)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.approvals.roles import GrantFact, RevokeFact, trust

ROOT, ANA, BEN, CAT = "0xR00t", "0xAna", "0xBen", "0xCat"
T0 = datetime(2026, 12, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def grant(member: str, role: str, hours: float, by: str = ROOT, valid: bool = True) -> GrantFact:
    return GrantFact(member, role, at(hours), by, valid)


def revoke(member: str, role: str, hours: float, by: str = ROOT, valid: bool = True) -> RevokeFact:
    return RevokeFact(member, role, at(hours), by, valid)


BASE = [grant(ROOT, "admin", 0, ROOT), grant(ANA, "officer", 1), grant(BEN, "admin", 1)]


def test_a_revoked_role_is_gone_now_but_counts_before_the_revocation() -> None:
    result = trust(ROOT, BASE, [revoke(ANA, "officer", 5, by=BEN)])
    assert "officer" not in result.roles.get(ANA, frozenset())
    assert result.held(ANA, at(4)) == {"officer"} and result.held(ANA, at(6)) == frozenset()
    assert result.grant_standing[1].startswith("revoked ")
    assert result.revoke_standing == ("",)
    # A newer grant gives the role back.
    again = trust(ROOT, [*BASE, grant(ANA, "officer", 7, by=BEN)], [revoke(ANA, "officer", 5)])
    assert "officer" in again.roles[ANA]


def test_only_the_root_revokes_an_admin_and_nobody_the_root() -> None:
    by_admin = trust(ROOT, [*BASE, grant(CAT, "admin", 2)], [revoke(BEN, "admin", 3, by=CAT)])
    assert "admin" in by_admin.roles[BEN]
    assert by_admin.revoke_standing == ("only the root admin revokes an admin role",)
    on_root = trust(ROOT, BASE, [revoke(ROOT, "admin", 3)])
    assert "admin" in on_root.roles[ROOT]
    assert on_root.revoke_standing == ("the root admin's role cannot be revoked",)


def test_a_revoked_admin_vouches_for_earlier_grants_only() -> None:
    grants = [*BASE, grant(CAT, "officer", 2, by=BEN), grant(ANA, "desk_head", 9, by=BEN)]
    result = trust(ROOT, grants, [revoke(BEN, "admin", 5)])
    assert "admin" not in result.roles.get(BEN, frozenset())
    assert result.roles[CAT] == {"officer"}
    assert "desk_head" not in result.roles[ANA]
    assert result.grant_standing[-1] == "the granter is not an admin"
    # And a revocation signed after that is not honoured either.
    late = trust(ROOT, grants, [revoke(BEN, "admin", 5), revoke(CAT, "officer", 6, by=BEN)])
    assert (
        late.roles[CAT] == {"officer"} and late.revoke_standing[1] == "the revoker is not an admin"
    )


def test_invalid_signatures_and_non_admins_change_nothing() -> None:
    result = trust(
        ROOT,
        [*BASE, grant(CAT, "admin", 2, by=ANA), grant(CAT, "officer", 2, valid=False)],
        [revoke(ANA, "officer", 3, valid=False), revoke(ANA, "officer", 3, by=ANA)],
    )
    assert CAT not in result.roles and result.roles[ANA] == {"officer"}
    assert result.grant_standing[-2:] == (
        "the granter is not an admin",
        "the signature does not verify",
    )
    assert result.revoke_standing == (
        "the signature does not verify",
        "the revoker is not an admin",
    )


members = st.sampled_from([ROOT, ANA, BEN, CAT])
roles = st.sampled_from(["admin", "officer", "desk_head"])
hours = st.integers(min_value=0, max_value=10)
grants = st.builds(grant, members, roles, hours, members, st.booleans())
revocations = st.builds(revoke, members, roles, hours, members, st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(grants, max_size=8), st.lists(revocations, max_size=5), st.randoms())
def test_the_same_grants_and_revocations_in_any_order_give_the_same_roles(
    gs: list[GrantFact], rs: list[RevokeFact], rnd: object
) -> None:
    first = trust(ROOT, gs, rs)
    shuffled_g, shuffled_r = list(gs), list(rs)
    rnd.shuffle(shuffled_g)  # type: ignore[attr-defined]
    rnd.shuffle(shuffled_r)  # type: ignore[attr-defined]
    second = trust(ROOT, shuffled_g, shuffled_r)
    assert first.roles == second.roles and first.revoked == second.revoked
    # A revocation never takes a role away from decisions signed before it.
    for member, gone in first.revoked.items():
        for role, until in gone:
            assert role in first.held(member, until - timedelta(seconds=1))
