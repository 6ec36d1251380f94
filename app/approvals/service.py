"""The approval use cases of one open vault (runs on the database worker).

The GUI reaches these through app/tasks.py like the book does; the CLI calls them
directly. Every change is a row change plus its event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

from app.approvals.model import (
    DecideOutcome,
    Member,
    QueueFilter,
    QueueRow,
    RequestDetail,
    Verdict,
    VerifyReport,
)
from vault.store import Vault

Progress = Callable[[int, int], None]


class ApprovalService:
    """Requests, decisions, policy and members of one vault. `forget()` on lock.

    `acting_as`: the member (name) this desk acts as; None for the vault's own
    member (created lazily on first use as the root admin).
    """

    def __init__(self, vault: Vault, *, acting_as: str | None = None) -> None:
        self.vault = vault
        self.acting_as = acting_as

    def forget(self) -> None:
        """On lock: drop cached keys and policy."""

    def me(self) -> Member:
        """The member this service acts as (the vault's root admin, made on first use)."""
        raise NotImplementedError

    def request_whitelist(
        self, customer_external_id: str, chain: str, address: str, limit: Decimal | None
    ) -> QueueRow:
        raise NotImplementedError

    def request_withdrawal(
        self, customer_external_id: str, asset: str, amount: Decimal, chain: str, address: str
    ) -> QueueRow:
        raise NotImplementedError

    def request_onboarding(self, customer_external_id: str) -> QueueRow:
        raise NotImplementedError

    def request_risk_override(
        self, customer_external_id: str, chain: str, address: str, justification: str
    ) -> QueueRow:
        raise NotImplementedError

    def count(self, flt: QueueFilter) -> int:
        raise NotImplementedError

    def page(
        self, flt: QueueFilter, sort: str, descending: bool, offset: int, limit: int
    ) -> list[QueueRow]:
        """Filtered and sorted in SQL (sort keys: model.SORT_KEYS)."""
        raise NotImplementedError

    def detail(self, request_id: str) -> RequestDetail:
        raise NotImplementedError

    def decide_many(
        self,
        ids: Sequence[str],
        verdict: Verdict,
        reason: str,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[DecideOutcome]:
        """Sign and store one decision per id. A refusal (four eyes, no role, already
        final) is an outcome with ok=False, never an exception."""
        raise NotImplementedError

    def export(self, request_id: str, path: Path) -> None:
        """The request and every decision with its EIP-712 typed data, signature and signer."""
        raise NotImplementedError

    def verify_all(self, progress: Progress | None = None) -> VerifyReport:
        raise NotImplementedError

    def policy_text(self) -> str:
        raise NotImplementedError

    def set_policy(self, text: str) -> None:
        """Raises app.approvals.policy.PolicyError(line, column, message)."""
        raise NotImplementedError

    def members(self) -> list[Member]:
        raise NotImplementedError

    def add_member(self, name: str, roles: Sequence[str]) -> Member:
        raise NotImplementedError

    def grant_role(self, member: str, role: str) -> None:
        """Signed by an admin key (the acting member must be an admin)."""
        raise NotImplementedError
