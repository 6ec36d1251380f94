"""Role grants made by invitation: the admin signs before the member's key exists.

An admin inviting someone cannot sign a grant to a key that does not exist
yet, and must never know the member's own key. So `desk invite` makes a
one-time invitation key and the admin signs an ordinary EIP-712 RoleGrant of
each role to that key's address, under the member's name and the invitation's
time. The invitation carries the invitation key (sealed under its code). The
joining device makes its own member key and passes each grant on: the
invitation key signs the same RoleGrant to the member's address.

The stored grant row names the admin as granter and holds both signatures
(admin's then the invitation key's, 130 bytes), so it travels in the usual
`approvals.role_granted` event. The rules (`invited_grant_ok`):

- the invitation key's signature must recover a key from the RoleGrant to the
  member (its address is the invitation's id);
- the admin's signature must verify over the RoleGrant of the same name, role
  and time to that invitation key;
- an invitation key counts for one member only: claimed for two, neither
  counts (`standing` applies this), so a copied invitation gains nothing. Two
  devices that join with one invitation while neither can see the other both
  count on their own until a device has seen both announcements; from then on
  neither counts anywhere.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from app.approvals import signing
from vault.approvals.store import GrantRow

SIGNATURE = 65
#: the stored signature of a grant made by invitation: admin's, then the claim
INVITED = 2 * SIGNATURE


def admin_signatures(
    admin_key: bytes, *, invitation_key: str, name: str, roles: tuple[str, ...], at: str
) -> dict[str, str]:
    """Per role, the admin's RoleGrant to the invitation key (hex)."""
    return {
        role: "0x"
        + signing.sign(
            admin_key, "RoleGrant", signing.grant_message(invitation_key, name, role, at)
        ).hex()
        for role in roles
    }


def claim(
    invitation_secret: bytes, *, member: str, name: str, role: str, at: str, admin_signature: bytes
) -> bytes:
    """The stored signature of the grant of `role` to `member`: the admin's, then the
    invitation key's RoleGrant to the member."""
    passed_on = signing.sign(
        invitation_secret, "RoleGrant", signing.grant_message(member, name, role, at)
    )
    return admin_signature + passed_on


def invitation_key(member: str, name: str, role: str, at: str, signature: bytes) -> str | None:
    """The invitation key that passed a grant on, or None when the signature is not an
    invitation's claim."""
    if len(signature) != INVITED:
        return None
    try:
        return signing.recover(signing.grant_digest(member, name, role, at), signature[SIGNATURE:])
    except signing.SignatureError:
        return None


def invited_grant_ok(
    member: str, name: str, role: str, at: str, signature: bytes, granted_by: str
) -> bool:
    key = invitation_key(member, name, role, at, signature)
    if key is None:
        return False
    admin_digest = signing.grant_digest(key, name, role, at)
    return signing.verifies(admin_digest, signature[:SIGNATURE], granted_by)


def claimed_once(
    grants: Sequence[GrantRow], ok: Sequence[bool], *, void: Collection[str] = ()
) -> list[bool]:
    """`ok`, with every grant passed on by an invitation key that was claimed for more
    than one member turned False (the same answer in any order): among the grants,
    or in `void` (keys claimed twice by devices' announcements, whose second member
    the name already taken keeps out of the grants)."""
    keys: list[str | None] = [
        invitation_key(g.member_address, g.member_name, g.role, g.granted_at, g.signature)
        if good and len(g.signature) == INVITED
        else None
        for g, good in zip(grants, ok, strict=True)
    ]
    members: dict[str, set[str]] = {}
    for g, key in zip(grants, keys, strict=True):
        if key is not None:
            members.setdefault(key, set()).add(g.member_address)
    return [
        good and (key is None or (len(members[key]) == 1 and key not in void))
        for good, key in zip(ok, keys, strict=True)
    ]
