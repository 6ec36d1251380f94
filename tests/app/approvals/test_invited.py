"""Grants made by invitation: the admin signs to a one-time key, the member's own key
receives them (app.approvals.invited), checked as `standing` checks every grant."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from app.approvals import signing
from app.approvals.checks import grant_ok
from app.approvals.invited import admin_signatures, claim, claimed_once, invitation_key
from vault.approvals.store import GrantRow

ADMIN = signing.new_private_key()
INVITATION = signing.new_private_key()
AT = "2026-12-07T10:00:00+00:00"


def _passed_on(member_key: bytes, *, name: str = "Bea", role: str = "officer") -> GrantRow:
    member = signing.address_of(member_key)
    admin_sig = admin_signatures(
        ADMIN,
        invitation_key=signing.address_of(INVITATION),
        name="Bea",
        roles=("officer", "analyst"),
        at=AT,
    )[role]
    sig = claim(
        INVITATION,
        member=member,
        name="Bea",
        role=role,
        at=AT,
        admin_signature=bytes.fromhex(admin_sig[2:]),
    )
    return GrantRow(1, "m", member, name, role, AT, signing.address_of(ADMIN), sig, None)


MEMBER = signing.new_private_key()


def test_a_grant_passed_on_verifies_for_its_member_name_role_and_time_only() -> None:
    good = _passed_on(MEMBER)
    assert grant_ok(good)
    assert invitation_key(
        good.member_address, good.member_name, good.role, good.granted_at, good.signature
    ) == signing.address_of(INVITATION)
    assert not grant_ok(replace(good, member_name="Eve"))  # another name
    assert not grant_ok(replace(good, role="admin"))  # a role the admin did not sign
    assert not grant_ok(replace(good, granted_at="2026-12-07T09:00:00+00:00"))
    other = signing.address_of(signing.new_private_key())
    assert not grant_ok(replace(good, member_address=other))  # someone else's address
    assert not grant_ok(replace(good, granted_by=other))  # not the admin who signed
    forged = good.signature[:65] + bytes(65)
    assert not grant_ok(replace(good, signature=forged))


def test_an_invitation_counts_for_one_member_only() -> None:
    first = _passed_on(MEMBER)
    second = _passed_on(signing.new_private_key())
    assert claimed_once([first], [True]) == [True]
    assert claimed_once([first, second], [True, True]) == [False, False]
    both_roles = [first, _passed_on(MEMBER, role="analyst")]
    assert claimed_once(both_roles, [True, True]) == [True, True]
    voided = claimed_once([first], [True], void={signing.address_of(INVITATION)})
    assert voided == [False]


@given(st.permutations(range(3)))
def test_claimed_once_gives_the_same_answer_in_any_order(order: list[int]) -> None:
    grants = [_ROWS[i] for i in order]
    answer = dict(zip(order, claimed_once(grants, [True] * 3), strict=True))
    assert answer == {0: False, 1: False, 2: True}


_ROWS = [
    _passed_on(MEMBER),
    _passed_on(signing.new_private_key()),
    GrantRow(
        3,
        "r",
        signing.address_of(ADMIN),
        "root",
        "admin",
        AT,
        signing.address_of(ADMIN),
        signing.sign(
            ADMIN,
            "RoleGrant",
            signing.grant_message(signing.address_of(ADMIN), "root", "admin", AT),
        ),
        None,
    ),
]
