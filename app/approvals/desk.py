"""The approvals state of one open vault for one acting member (database worker).

Every approvals use case takes a `Desk`: the vault, the clock, who signs, and
caches of the policy, the trust and the signing key. No rollback hook: each cache
checks the table it mirrors (policy version, grants' count and times) before use,
so a rolled-back change cannot linger. `forget()` on lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.approvals.enrol import ensure_root
from app.approvals.model import ApprovalError
from app.approvals.policy import Policy, default_text, parse
from app.approvals.roles import Trust
from app.approvals.standing import standing, trust_mark
from app.approvals.times import Clock, utc_now
from vault.approvals import store
from vault.approvals.store import MemberRow
from vault.connection import Connection
from vault.store import Vault
from vault.sync import desk as desk_rows


@dataclass(frozen=True)
class Actor:
    """The member whose key signs, with that key."""

    member: MemberRow
    key: bytes

    def __repr__(self) -> str:  # keep the key out of tracebacks and logs
        return f"Actor({self.member.name!r})"


class Desk:
    """`acting_as`: the member (by name) whose key signs, when that key is kept in
    this vault (tests, a single-machine desk); None for the vault's own member: the
    one it joined its desk as (`desk join`), else its root member."""

    def __init__(
        self, vault: Vault, *, acting_as: str | None = None, clock: Clock = utc_now
    ) -> None:
        self.vault = vault
        self.acting_as = acting_as
        self.clock = clock
        self._policy: tuple[int, Policy] | None = None
        self._trust: tuple[tuple[object, ...], Trust] | None = None
        self._actor: Actor | None = None

    @property
    def conn(self) -> Connection:
        return self.vault.conn

    def forget(self) -> None:
        """On lock: drop the cached signing key, roles and policy."""
        self._policy = None
        self._trust = None
        self._actor = None

    def forget_trust(self) -> None:
        """After a grant or revocation in an open transaction."""
        self._trust = None

    def actor(self) -> Actor:
        """The signing member and key; makes the root admin on first use."""
        if ensure_root(self.vault, self.clock):
            self.forget()
        if self._actor is None:
            if self.acting_as is None:
                member = own_member(self.conn)
            else:
                member = store.member_by_name(self.conn, self.acting_as)
            if member is None:
                raise ApprovalError(f"no desk member called '{(self.acting_as or '')[:40]}'")
            key = store.private_key(self.conn, member.id)
            if key is None:
                raise ApprovalError(f"the signing key of {member.name} is not kept in this vault")
            self._actor = Actor(member, key)
        return self._actor

    def policy(self) -> Policy:
        """The current policy (the default one before any is stored)."""
        current = store.current_policy(self.conn)
        if current is None:
            if self._policy is None or self._policy[0] != 0:
                self._policy = (0, parse(default_text()))
            return self._policy[1]
        if self._policy is None or self._policy[0] != current[0]:
            self._policy = (current[0], parse(current[1]))
        return self._policy[1]

    def trust(self) -> Trust:
        """Who holds which role now, and which roles were revoked when."""
        # Another desk object (another member acting) may have granted since.
        mark = trust_mark(self.conn)
        if self._trust is None or self._trust[0] != mark:
            self._trust = (mark, standing(self.conn, store.grants(self.conn)).trust)
        return self._trust[1]

    def roles(self) -> Mapping[str, frozenset[str]]:
        """Signing address -> roles held now (app.approvals.roles: grants that verify,
        from the root or an admin so granted, not revoked since)."""
        return self.trust().roles


def own_member(conn: Connection) -> MemberRow | None:
    """The member this vault joined its desk as, when its key is here; else the root."""
    address = desk_rows.self_member(conn)
    if address is not None:
        for row in store.members(conn):
            if row.address == address and row.has_key:
                return row
    return store.root(conn)
