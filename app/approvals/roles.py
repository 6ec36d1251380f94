"""Who holds which role: a pure function of the root and the signed grants and revocations.

Nothing here reads the vault or checks a signature: each grant and revocation
comes with its check done (`valid`). The rules:

- The root member is an admin for good: the desk's root of trust.
- A grant counts when it verifies and its granter was an admin when signing it
  (an admin whose own admin grant counts, back to the root; an admin whose role
  was revoked at T still vouches for what they granted before T).
- Any admin revokes a role other than admin; only the root revokes an admin role
  (so who is an admin never depends on an admin's own say). A revocation counts
  when it verifies and is at least as new as the grant it cancels; a newer grant
  gives the role back.
- A revoked role still counts for decisions signed before the revocation
  (`held`), so taking a role away never undoes earlier approvals.

The same inputs in any order give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple


class GrantFact(NamedTuple):
    member: str  # signing address
    role: str
    at: datetime
    by: str  # the granter's signing address
    valid: bool  # the signature verifies


class RevokeFact(NamedTuple):
    member: str
    role: str
    at: datetime
    by: str
    valid: bool


@dataclass(frozen=True)
class Trust:
    #: address -> the roles held now
    roles: Mapping[str, frozenset[str]]
    #: address -> (role, revoked at) for roles taken back: they count before that time
    revoked: Mapping[str, tuple[tuple[str, datetime], ...]]
    #: per grant, in the order given: "" when it counts now, else why not
    grant_standing: tuple[str, ...]
    #: per revocation, in the order given: "" when it counts, else why not
    revoke_standing: tuple[str, ...]

    def held(self, member: str, at: datetime) -> frozenset[str]:
        """The roles `member` held at `at`: those held now, plus those revoked later."""
        now = self.roles.get(member, frozenset())
        gone = self.revoked.get(member)
        if not gone:
            return now
        return now | {role for role, until in gone if at < until}


def trust(root: str, grants: Sequence[GrantFact], revocations: Sequence[RevokeFact]) -> Trust:
    # The newest valid revocation by the root of each admin grant, if any.
    root_revoked: dict[str, datetime] = {}
    for r in revocations:
        if r.valid and r.role == "admin" and r.by == root and r.member != root:
            root_revoked[r.member] = max(r.at, root_revoked.get(r.member, r.at))
    # Admins and until when (None: still). Grows monotonically, so the loop ends.
    admins: dict[str, datetime | None] = {root: None}

    def vouches(by: str, at: datetime) -> bool:
        if by not in admins:
            return False
        until = admins[by]
        return until is None or at < until

    grew = True
    while grew:
        grew = False
        for g in grants:
            if not (g.valid and g.role == "admin" and vouches(g.by, g.at)):
                continue
            cut = root_revoked.get(g.member)
            until = cut if cut is not None and cut >= g.at else None
            if g.member != root and (g.member not in admins or _later(until, admins[g.member])):
                admins[g.member] = until
                grew = True
    # Revocations of other roles count when signed by an admin at the time.
    cancels: dict[tuple[str, str], datetime] = {}
    revoke_standing: list[str] = []
    for r in revocations:
        why = _revoke_why(r, root, vouches)
        revoke_standing.append(why)
        if not why:
            key = (r.member, r.role)
            cancels[key] = max(r.at, cancels.get(key, r.at))
    roles: dict[str, set[str]] = {}
    revoked: dict[str, list[tuple[str, datetime]]] = {}
    grant_standing: list[str] = []
    for g in grants:
        if not g.valid:
            grant_standing.append("the signature does not verify")
            continue
        if not vouches(g.by, g.at):
            grant_standing.append("the granter is not an admin")
            continue
        cut = cancels.get((g.member, g.role))
        if cut is not None and cut >= g.at:
            grant_standing.append(f"revoked {cut.isoformat(timespec='minutes')}")
            revoked.setdefault(g.member, []).append((g.role, cut))
            continue
        grant_standing.append("")
        roles.setdefault(g.member, set()).add(g.role)
    return Trust(
        {member: frozenset(r) for member, r in roles.items()},
        {member: tuple(sorted(r)) for member, r in revoked.items()},
        tuple(grant_standing),
        tuple(revoke_standing),
    )


def _revoke_why(r: RevokeFact, root: str, vouches: Callable[[str, datetime], bool]) -> str:
    if not r.valid:
        return "the signature does not verify"
    if r.role == "admin":
        if r.member == root:
            return "the root admin's role cannot be revoked"
        return "" if r.by == root else "only the root admin revokes an admin role"
    return "" if vouches(r.by, r.at) else "the revoker is not an admin"


def _later(new: datetime | None, old: datetime | None) -> bool:
    """Whether admin until `new` reaches further than until `old` (None: for good)."""
    if old is None:
        return False
    return new is None or new > old
