"""The approval use cases of one open vault behind one object (database worker).

The GUI reaches these through app/tasks.py like the book does; the CLI calls them
directly. This class only forwards: each use case lives in its own module of
`app.approvals` (members, policy_store, requests, queue_read, decisions, refresh,
export, verify) and takes the `Desk`, so a sync merge can call the same pieces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from app.approvals import decisions, export, members, policy_store, queue_read, refresh, requests
from app.approvals.desk import Desk
from app.approvals.model import (
    Blocked,
    DecideOutcome,
    Member,
    MemberDetail,
    QueueFilter,
    QueueRow,
    RequestDetail,
    Verdict,
    VerifyReport,
)
from app.approvals.policy import Policy, PolicyError
from app.approvals.revalue import value_new
from app.approvals.roles import Trust
from app.approvals.times import Clock, Progress, utc_now
from app.approvals.verify import check_signatures, signature_problems, verify_all
from app.prices.valuation import Valuation
from vault.connection import Connection
from vault.store import Vault

__all__ = [
    "ApprovalService",
    "PolicyError",
    "check_signatures",
    "signature_problems",
    "utc_now",
]


class ApprovalService:
    """Requests, decisions, policy and members of one vault. `forget()` on lock.

    `acting_as`: the member (by name) whose key signs, when that key is kept in
    this vault (tests, a single-machine desk); None for the vault's root member.
    """

    def __init__(
        self, vault: Vault, *, acting_as: str | None = None, clock: Clock = utc_now
    ) -> None:
        self.desk = Desk(vault, acting_as=acting_as, clock=clock)

    @property
    def vault(self) -> Vault:
        return self.desk.vault

    @property
    def acting_as(self) -> str | None:
        return self.desk.acting_as

    @property
    def clock(self) -> Clock:
        return self.desk.clock

    @property
    def conn(self) -> Connection:
        return self.desk.conn

    def forget(self) -> None:
        self.desk.forget()

    # members and roles
    def me(self) -> Member:
        return members.me(self.desk)

    def members(self) -> list[Member]:
        return members.members(self.desk)

    def roles(self) -> Mapping[str, frozenset[str]]:
        return self.desk.roles()

    def trust(self) -> Trust:
        return self.desk.trust()

    def roster(self) -> list[MemberDetail]:
        return members.roster(self.desk)

    def add_member(self, name: str, roles: Sequence[str]) -> Member:
        return members.add_member(self.desk, name, roles)

    def grant_role(self, member: str, role: str) -> None:
        members.grant_role(self.desk, member, role)

    def revoke_role(self, member: str, role: str) -> None:
        members.revoke_role(self.desk, member, role)

    # policy
    def policy(self) -> Policy:
        return self.desk.policy()

    def policy_text(self) -> str:
        return policy_store.policy_text(self.desk)

    def set_policy(self, text: str) -> None:
        policy_store.set_policy(self.desk, text)

    # requests
    def request_whitelist(
        self, customer_external_id: str, chain: str, address: str, limit: Decimal | None
    ) -> QueueRow:
        return requests.whitelist(self.desk, customer_external_id, chain, address, limit)

    def request_withdrawal(
        self, customer_external_id: str, asset: str, amount: Decimal, chain: str, address: str
    ) -> QueueRow:
        return requests.withdrawal(self.desk, customer_external_id, asset, amount, chain, address)

    def value_of(self, kind: str, asset: str | None, figure: Decimal) -> Valuation | None:
        """What a request of `kind` for `figure` (of `asset`) would count as now, from the
        stored prices: the request dialog shows it before anything is made."""
        return value_new(
            self.desk.conn,
            self.desk.policy().valuation,
            kind=kind,
            asset=asset,
            figure=figure,
            now=self.desk.clock(),
        )

    def request_onboarding(self, customer_external_id: str) -> QueueRow:
        return requests.onboarding(self.desk, customer_external_id)

    def request_risk_override(
        self, customer_external_id: str, chain: str, address: str, justification: str
    ) -> QueueRow:
        return requests.risk_override(
            self.desk, customer_external_id, chain, address, justification
        )

    # the queue
    def count(self, flt: QueueFilter) -> int:
        return queue_read.count(self.desk, flt)

    def page(
        self, flt: QueueFilter, sort: str, descending: bool, offset: int, limit: int
    ) -> list[QueueRow]:
        return queue_read.page(self.desk, flt, sort, descending, offset, limit)

    def detail(self, request_id: str) -> RequestDetail:
        return queue_read.detail(self.desk, request_id)

    def blocked(self, ids: Sequence[str]) -> Blocked:
        return queue_read.blocked(self.desk, ids)

    def blocked_matching(self, flt: QueueFilter) -> Blocked:
        return queue_read.blocked_matching(self.desk, flt)

    # decisions
    def decide(self, request_id: str, verdict: Verdict, reason: str) -> DecideOutcome:
        return decisions.decide_many(self.desk, [request_id], verdict, reason)[0]

    def decide_many(
        self,
        ids: Sequence[str],
        verdict: Verdict,
        reason: str,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[DecideOutcome]:
        return decisions.decide_many(self.desk, ids, verdict, reason, progress, cancelled)

    # statuses
    def refresh(self) -> int:
        return refresh.refresh(self.desk)

    def recompute_all(self) -> int:
        return refresh.recompute_all(self.desk)

    # evidence
    def export(self, request_id: str, path: Path, *, overwrite: bool = False) -> None:
        export.export(self.desk, request_id, path, overwrite=overwrite)

    def verify_all(self, progress: Progress | None = None) -> VerifyReport:
        return verify_all(self.desk, progress)
