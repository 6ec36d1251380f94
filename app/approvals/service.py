"""The approval use cases of one open vault (runs on the database worker).

The GUI reaches these through app/tasks.py like the book does; the CLI calls them
directly. Every change is a row change plus its event in the same transaction.

The desk's first member (the root admin, whose self-signed admin grant is the root
of trust) and the default policy are made on the first approvals write, not with
the vault: a vault that never uses approvals has no approvals events.

Statuses are cached per request (`approval_requests.status`) and recomputed by
the pure `status.evaluate` when decisions are added, the policy changes, or
`refresh()` finds new screenings or a passing expiry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

from app.addresses import AddressError, normalize
from app.approvals import signing
from app.approvals.model import (
    FINAL,
    ROLES,
    SORT_KEYS,
    ApprovalError,
    DecideOutcome,
    DecisionView,
    GrantView,
    Member,
    MemberDetail,
    QueueFilter,
    QueueRow,
    RequestDetail,
    RequestKind,
    Status,
    Verdict,
    VerifyReport,
)
from app.approvals.policy import Policy, PolicyError, default_text, parse
from app.approvals.roles import GrantFact, RevokeFact, Trust, trust
from app.approvals.status import DecisionFacts, RequestFacts, StatusResult, evaluate
from vault.approvals import queue, store
from vault.approvals.store import DecisionRow, GrantRow, MemberRow
from vault.atomic import write_atomic
from vault.connection import Connection
from vault.events import canonical_payload, time_ordered_id
from vault.store import Transaction, Vault

Progress = Callable[[int, int], None]
Clock = Callable[[], datetime]

__all__ = ["ApprovalService", "PolicyError", "check_signatures", "signature_problems"]

_BATCH = 200
_RISK_RANK = {"none": 0, "unknown": 1, "low": 2, "medium": 3, "high": 4, "severe": 5}
_ANSWERED = ("ok", "invalid_address", "unsupported")
_MAX_REASON = 2000


def utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _format_amount(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _grouped(value: Decimal) -> str:
    text = f"{value.normalize():,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Actor:
    member: MemberRow
    key: bytes

    def __repr__(self) -> str:  # keep the key out of tracebacks and logs
        return f"Actor({self.member.name!r})"


class ApprovalService:
    """Requests, decisions, policy and members of one vault. `forget()` on lock.

    `acting_as`: the member (by name) whose key signs, when that key is kept in
    this vault (tests, a single-machine desk); None for the vault's root member.
    """

    def __init__(
        self, vault: Vault, *, acting_as: str | None = None, clock: Clock = utc_now
    ) -> None:
        self.vault = vault
        self.acting_as = acting_as
        self.clock = clock
        self._policy: tuple[int, Policy] | None = None
        self._roles: tuple[tuple[object, ...], Trust] | None = None
        # No rollback hook: each cache checks the table it mirrors (policy version,
        # grants' count and times) before use, so a rolled-back change cannot linger.
        self._actor: Actor | None = None

    def forget(self) -> None:
        """On lock: drop the cached signing key, roles and policy."""
        self._policy = None
        self._roles = None
        self._actor = None

    @property
    def conn(self) -> Connection:
        return self.vault.conn

    # --- setup ----------------------------------------------------------------

    def _ensure_setup(self) -> None:
        if store.root(self.conn) is not None:
            return
        now = _iso(self.clock())
        with self.vault.transaction() as tx:
            name = (self.vault.log.author or "admin")[:80]
            member_id, address, key = _new_member(tx, name, is_root=True, now=now)
            self._grant(tx, member_id, address, name, "admin", key, address, now)
            if store.current_policy(tx.conn) is None:
                text = default_text()
                self._store_policy(tx, text, member_id, now)
        self.forget()

    def _actor_now(self) -> Actor:
        self._ensure_setup()
        if self._actor is None:
            if self.acting_as is None:
                member = store.root(self.conn)
            else:
                member = store.member_by_name(self.conn, self.acting_as)
            if member is None:
                raise ApprovalError(f"no desk member called '{(self.acting_as or '')[:40]}'")
            key = store.private_key(self.conn, member.id)
            if key is None:
                raise ApprovalError(f"the signing key of {member.name} is not kept in this vault")
            self._actor = Actor(member, key)
        return self._actor

    # --- members and roles --------------------------------------------------------

    def me(self) -> Member:
        actor = self._actor_now()
        return self._member(actor.member, actor.member.id)

    def _member(self, row: MemberRow, me_id: str) -> Member:
        roles = self.roles().get(row.address, frozenset())
        return Member(row.id, row.name, row.address, tuple(sorted(roles)), row.id == me_id)

    def members(self) -> list[Member]:
        me = self._actor_now().member.id
        return [self._member(row, me) for row in store.members(self.conn)]

    def roles(self) -> Mapping[str, frozenset[str]]:
        """Signing address -> roles held now (app.approvals.roles: grants that verify,
        from the root or an admin so granted, not revoked since)."""
        return self.trust().roles

    def trust(self) -> Trust:
        """Who holds which role now, and which roles were revoked when."""
        # Another service object (another member acting) may have granted since.
        mark = tuple(
            self.conn.execute(
                "SELECT count(*), max(id), max(granted_at), (SELECT count(*) || max(id) || "
                "max(revoked_at) FROM approval_revocations) FROM approval_grants"
            ).fetchone()
        )
        if self._roles is None or self._roles[0] != mark:
            self._roles = (mark, self._compute_trust(store.grants(self.conn))[0])
        return self._roles[1]

    def _compute_trust(
        self, grants: Sequence[GrantRow]
    ) -> tuple[Trust, list[GrantRow], list[bool], list[bool]]:
        """The trust, the revocations, and each grant's and revocation's signature check
        (cached in the rows when a transaction is open)."""
        revocations = store.revocations(self.conn)
        grant_ok = [_grant_ok(g) for g in grants]
        revoke_ok = [_revoke_ok(r) for r in revocations]
        if self.conn.in_transaction:
            store.set_grant_validity(
                self.conn,
                [(ok, g.id) for g, ok in zip(grants, grant_ok, strict=True) if ok != g.valid],
            )
            store.set_revocation_validity(
                self.conn,
                [(ok, r.id) for r, ok in zip(revocations, revoke_ok, strict=True) if ok != r.valid],
            )
        root = store.root(self.conn)
        if root is None:
            return Trust({}, {}, (), ()), revocations, grant_ok, revoke_ok
        result = trust(
            root.address,
            [
                GrantFact(g.member_address, g.role, _when(g.granted_at), g.granted_by, ok)
                for g, ok in zip(grants, grant_ok, strict=True)
            ],
            [
                RevokeFact(r.member_address, r.role, _when(r.granted_at), r.granted_by, ok)
                for r, ok in zip(revocations, revoke_ok, strict=True)
            ],
        )
        return result, revocations, grant_ok, revoke_ok

    def roster(self) -> list[MemberDetail]:
        """Every member with each grant: who signed it, whether it verifies, counts, or
        was revoked by whom. Makes the vault's own member on first use, like any
        approvals change."""
        me = self._actor_now().member.id
        grants = store.grants(self.conn)
        standing_of, revocations, grant_ok, _ = self._compute_trust(grants)
        rows = store.members(self.conn)
        names = {m.address: m.name for m in rows}
        revokers = {(r.member_id, r.role): r for r in revocations}
        by_member: dict[str, list[GrantView]] = {}
        standing = standing_of.grant_standing or ("",) * len(grants)
        for g, ok, why in zip(grants, grant_ok, standing, strict=True):
            revocation = revokers.get((g.member_id, g.role))
            if why.startswith("revoked") and revocation is not None:
                who = names.get(revocation.granted_by, revocation.granted_by)
                why = f"revoked by {who}, {_when(revocation.granted_at):%Y-%m-%d %H:%M} UTC"
            by_member.setdefault(g.member_id, []).append(
                GrantView(
                    g.role,
                    _when(g.granted_at),
                    g.granted_by,
                    names.get(g.granted_by, ""),
                    ok,
                    ok and not why,
                    why,
                )
            )
        return [
            MemberDetail(
                self._member(row, me),
                row.is_root,
                row.has_key,
                tuple(sorted(by_member.get(row.id, []), key=lambda v: (v.role, v.granted_at))),
            )
            for row in rows
        ]

    def _grant(
        self,
        tx: Transaction,
        member_id: str,
        address: str,
        name: str,
        role: str,
        admin_key: bytes,
        admin_address: str,
        now: str,
    ) -> None:
        message = signing.grant_message(address, name, role, now)
        signature = signing.sign(admin_key, "RoleGrant", message)
        store.insert_grant(
            tx.conn,
            member_id=member_id,
            role=role,
            granted_at=now,
            granted_by=admin_address,
            signature=signature,
        )
        tx.event(
            "approvals.role_granted",
            {
                "member": member_id,
                "address": address,
                "role": role,
                "granted_at": now,
                "granted_by": admin_address,
                "signature": "0x" + signature.hex(),
            },
        )
        self._roles = None

    def _require_admin(self) -> Actor:
        actor = self._actor_now()
        if "admin" not in self.roles().get(actor.member.address, frozenset()):
            raise ApprovalError(f"{actor.member.name} is not an admin: only admins grant roles")
        return actor

    def add_member(self, name: str, roles: Sequence[str]) -> Member:
        """A new desk member with a key kept in this vault, granted `roles` by an admin."""
        clean = " ".join(name.split())
        if not clean or len(clean) > 80:
            raise ApprovalError("a member's name is 1 to 80 characters")
        for role in roles:
            _check_role(role)
        actor = self._require_admin()
        if store.member_by_name(self.conn, clean) is not None:
            raise ApprovalError(f"there is already a member called '{clean}'")
        now = _iso(self.clock())
        with self.vault.transaction() as tx:
            member_id, address, _ = _new_member(tx, clean, is_root=False, now=now)
            for role in dict.fromkeys(roles):
                self._grant(
                    tx, member_id, address, clean, role, actor.key, actor.member.address, now
                )
            self._refresh_all(tx)
        row = store.member_by_name(self.conn, clean)
        assert row is not None
        return self._member(row, actor.member.id)

    def grant_role(self, member: str, role: str) -> None:
        """Signed by the acting member's key, which must hold a valid admin grant."""
        _check_role(role)
        actor = self._require_admin()
        row = store.member_by_name(self.conn, member)
        if row is None:
            raise ApprovalError(f"no desk member called '{member[:40]}'")
        now = _iso(self.clock())
        with self.vault.transaction() as tx:
            self._grant(
                tx, row.id, row.address, row.name, role, actor.key, actor.member.address, now
            )
            self._refresh_all(tx)

    def revoke_role(self, member: str, role: str) -> None:
        """Take a role back, signed (EIP-712 RoleRevoke) by the acting admin; an admin
        role only by the root. Decisions signed before keep counting; statuses follow."""
        _check_role(role)
        actor = self._require_admin()
        row = store.member_by_name(self.conn, member)
        if row is None:
            raise ApprovalError(f"no desk member called '{member[:40]}'")
        if role == "admin" and row.is_root:
            raise ApprovalError(
                f"{row.name} is the root admin, the desk's root of trust: that role stays"
            )
        if role == "admin" and not actor.member.is_root:
            root = store.root(self.conn)
            who = root.name if root is not None else "the root admin"
            raise ApprovalError(f"only the root admin ({who}) revokes an admin role")
        if role not in self.roles().get(row.address, frozenset()):
            raise ApprovalError(f"{row.name} does not hold the {role.replace('_', ' ')} role")
        now = _iso(self.clock())
        message = signing.revoke_message(row.address, row.name, role, now)
        signature = signing.sign(actor.key, "RoleRevoke", message)
        with self.vault.transaction() as tx:
            store.insert_revocation(
                tx.conn,
                member_id=row.id,
                role=role,
                revoked_at=now,
                revoked_by=actor.member.address,
                signature=signature,
            )
            tx.event(
                "approvals.role_revoked",
                {
                    "member": row.id,
                    "address": row.address,
                    "role": role,
                    "revoked_at": now,
                    "revoked_by": actor.member.address,
                    "signature": "0x" + signature.hex(),
                },
            )
            self._roles = None
            self._refresh_all(tx)

    # --- policy -----------------------------------------------------------------

    def policy(self) -> Policy:
        current = store.current_policy(self.conn)
        if current is None:
            if self._policy is None or self._policy[0] != 0:
                self._policy = (0, parse(default_text()))
            return self._policy[1]
        if self._policy is None or self._policy[0] != current[0]:
            self._policy = (current[0], parse(current[1]))
        return self._policy[1]

    def policy_text(self) -> str:
        current = store.current_policy(self.conn)
        return default_text() if current is None else current[1]

    def set_policy(self, text: str) -> None:
        """Raises PolicyError(line, column, message); statuses are recomputed at once."""
        parse(text)
        actor = self._require_admin()
        with self.vault.transaction() as tx:
            self._store_policy(tx, text, actor.member.id, _iso(self.clock()))
            self._policy = None
            self._refresh_all(tx)

    def _store_policy(self, tx: Transaction, text: str, member_id: str, now: str) -> None:
        digest = hashlib.sha256(text.encode()).hexdigest()
        version = store.insert_policy(tx.conn, text=text, sha256=digest, set_by=member_id, now=now)
        tx.event("approvals.policy_set", {"version": version, "sha256": digest, "text": text})

    # --- requests -----------------------------------------------------------------

    def request_whitelist(
        self, customer_external_id: str, chain: str, address: str, limit: Decimal | None
    ) -> QueueRow:
        chain, address = _target(chain, address)
        return self._request(
            "whitelist",
            customer_external_id,
            chain=chain,
            address=address,
            limit=None if limit is None else _positive(limit, "limit"),
        )

    def request_withdrawal(
        self, customer_external_id: str, asset: str, amount: Decimal, chain: str, address: str
    ) -> QueueRow:
        chain, address = _target(chain, address)
        symbol = asset.strip().upper()
        if not symbol or len(symbol) > 20 or not symbol.replace(".", "").isalnum():
            raise ApprovalError(f"'{asset[:20]}' is not an asset symbol")
        return self._request(
            "withdrawal",
            customer_external_id,
            chain=chain,
            address=address,
            asset=symbol,
            amount=_positive(amount, "amount"),
        )

    def request_onboarding(self, customer_external_id: str) -> QueueRow:
        return self._request("onboarding", customer_external_id)

    def request_risk_override(
        self, customer_external_id: str, chain: str, address: str, justification: str
    ) -> QueueRow:
        chain, address = _target(chain, address)
        text = justification.strip()
        if not text:
            raise ApprovalError("a risk override needs a justification")
        return self._request(
            "risk_override",
            customer_external_id,
            chain=chain,
            address=address,
            justification=text[:_MAX_REASON],
        )

    def _request(
        self,
        kind: RequestKind,
        external_id: str,
        *,
        chain: str | None = None,
        address: str | None = None,
        asset: str | None = None,
        amount: Decimal | None = None,
        limit: Decimal | None = None,
        justification: str = "",
    ) -> QueueRow:
        actor = self._actor_now()
        rules = self.policy().kinds[kind]
        mine = self.roles().get(actor.member.address, frozenset())
        if not mine & rules.request:
            allowed = ", ".join(sorted(rules.request))
            raise ApprovalError(
                f"{actor.member.name} may not request a {kind.replace('_', ' ')} "
                f"(needs one of: {allowed})"
            )
        customer = self.conn.execute(
            "SELECT id, uid FROM customers WHERE external_id = ? AND erased_at IS NULL "
            "AND merged_into IS NULL",
            (external_id,),
        ).fetchone()
        if customer is None:
            raise ApprovalError(f"no customer with external id '{external_id[:40]}'")
        now = _iso(self.clock())
        request_id = time_ordered_id()
        figure = amount if amount is not None else limit
        content = {
            "id": request_id,
            "kind": kind,
            "customer": external_id,
            "asset": asset or "",
            "amount": "" if amount is None else _format_amount(amount),
            "chain": chain or "",
            "address": address or "",
            "limit": "" if limit is None else _format_amount(limit),
            "justification": justification,
            "createdAt": now,
            "createdBy": actor.member.address,
        }
        risk = _risk(self.conn, chain, address) if chain and address else (None, False, None)
        with self.vault.transaction() as tx:
            store.insert_request(
                tx.conn,
                {
                    "id": request_id,
                    "kind": kind,
                    "customer_id": int(customer[0]),
                    "content": canonical_payload(content).decode(),
                    "amount": None if figure is None else float(figure),
                    "amount_exact": None if figure is None else _format_amount(figure),
                    "asset": asset,
                    "chain": chain,
                    "address": address,
                    "created_at": now,
                    "created_by": actor.member.id,
                    "risk_level": risk[0],
                    "sanctioned": int(risk[1]),
                    "risk_fetched_at": risk[2],
                },
            )
            tx.event(
                "approvals.requested",
                {"request": request_id, "customer": str(customer[1]), "content": content},
            )
            self._refresh(tx, [request_id])
        return self._row(request_id)

    # --- reading the queue --------------------------------------------------------

    def _where(self, flt: QueueFilter) -> tuple[str, list[Any]]:
        now = self.clock()
        return queue.where(
            kinds=flt.kinds,
            statuses=flt.statuses,
            risk_levels=flt.risk_levels,
            customer=flt.customer,
            created_to=None
            if flt.min_age_days is None
            else _iso(now - timedelta(days=flt.min_age_days)),
            created_from=None
            if flt.max_age_days is None
            else _iso(now - timedelta(days=flt.max_age_days)),
        )

    def count(self, flt: QueueFilter) -> int:
        clause, params = self._where(flt)
        return queue.count(self.conn, clause, params)

    def page(
        self, flt: QueueFilter, sort: str, descending: bool, offset: int, limit: int
    ) -> list[QueueRow]:
        """Filtered and sorted in SQL (sort keys: model.SORT_KEYS)."""
        if sort not in SORT_KEYS:
            raise ApprovalError(f"cannot sort by '{sort[:20]}'; keys: {', '.join(SORT_KEYS)}")
        clause, params = self._where(flt)
        rows = queue.page(
            self.conn,
            clause,
            params,
            sort=sort,
            descending=descending,
            offset=offset,
            limit=limit,
        )
        return [_queue_row(r) for r in rows]

    def _row(self, request_id: str) -> QueueRow:
        row = queue.row(self.conn, request_id)
        if row is None:
            raise ApprovalError(f"no request with id '{request_id[:40]}'")
        return _queue_row(row)

    def detail(self, request_id: str) -> RequestDetail:
        row = self._row(request_id)
        content = self._content(request_id)
        decisions = store.decisions_of(self.conn, request_id)
        result = self._evaluate(request_id, content, decisions)
        names = {m.address: m.name for m in store.members(self.conn)}
        views = tuple(
            DecisionView(
                id=d.id,
                member=names.get(d.signer, d.signer),
                signer=d.signer,
                verdict=cast(Verdict, d.verdict),
                reason=d.reason,
                created_at=_when(d.created_at),
                verified=bool(d.verified),
                counted=d.id in result.counted,
                ignored_reason=result.ignored.get(d.id),
                local_only=d.local_only,
            )
            for d in decisions
        )
        return RequestDetail(row, dict(content), views, result.reasons)

    def _content(self, request_id: str) -> dict[str, str]:
        found = store.contents(self.conn, [request_id])
        if request_id not in found:
            raise ApprovalError(f"no request with id '{request_id[:40]}'")
        return cast(dict[str, str], json.loads(found[request_id]))

    # --- deciding -----------------------------------------------------------------

    def decide(self, request_id: str, verdict: Verdict, reason: str) -> DecideOutcome:
        return self.decide_many([request_id], verdict, reason)[0]

    def decide_many(
        self,
        ids: Sequence[str],
        verdict: Verdict,
        reason: str,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[DecideOutcome]:
        """Sign and store one decision per id, a batch per transaction. A refusal
        (four eyes, no role, already final) is an outcome with ok=False, never an
        exception; cancelling keeps the batches already written."""
        if verdict not in ("approve", "reject", "comment"):
            raise ApprovalError(f"'{verdict}' is not approve, reject or comment")
        text = reason.strip()
        if not text:
            raise ApprovalError("a decision needs a reason")
        if len(text) > _MAX_REASON:
            raise ApprovalError(f"a reason is at most {_MAX_REASON} characters")
        actor = self._actor_now()
        roles = self.roles().get(actor.member.address, frozenset())
        policy = self.policy()
        outcomes: list[DecideOutcome] = []
        total = len(ids)
        for start in range(0, total, _BATCH):
            if cancelled is not None and cancelled():
                break
            chunk = list(dict.fromkeys(ids[start : start + _BATCH]))
            with self.vault.transaction() as tx:
                done: list[str] = []
                for request_id in chunk:
                    outcome = self._decide_one(tx, actor, roles, policy, request_id, verdict, text)
                    if outcome is None:
                        done.append(request_id)
                    else:
                        outcomes.append(outcome)
                statuses = self._refresh(tx, done)
            for request_id in done:
                outcomes.append(
                    DecideOutcome(request_id, True, f"{verdict} signed", statuses[request_id])
                )
            if progress is not None:
                progress(min(start + _BATCH, total), total)
        return outcomes

    def _decide_one(
        self,
        tx: Transaction,
        actor: Actor,
        roles: frozenset[str],
        policy: Policy,
        request_id: str,
        verdict: Verdict,
        reason: str,
    ) -> DecideOutcome | None:
        """Store a signed decision and return None, or the refusal."""
        row = tx.execute(
            "SELECT r.kind, r.status, r.content, m.address, c.uid FROM approval_requests r "
            "JOIN approval_members m ON m.id = r.created_by "
            "JOIN customers c ON c.id = r.customer_id WHERE r.id = ?",
            (request_id,),
        ).fetchone()
        if row is None:
            return DecideOutcome(request_id, False, "no such request", "pending")
        kind, status, content_text, creator, customer_uid = row
        status = cast(Status, status)

        def refuse(message: str) -> DecideOutcome:
            return DecideOutcome(request_id, False, message, status)

        if verdict != "comment":
            if status in FINAL:
                return refuse(f"already {status}")
            rules = policy.kinds[kind]
            if not roles & rules.decide:
                deciders = ", ".join(sorted(rules.decide))
                return refuse(f"{actor.member.name} holds no role that decides this ({deciders})")
            if verdict == "approve" and creator == actor.member.address:
                return refuse("four eyes: whoever made the request cannot approve it")
            if verdict == "approve" and status == "blocked":
                return refuse("blocked by the risk gate: it can only be rejected")
            earlier = tx.execute(
                "SELECT 1 FROM approval_decisions WHERE request_id = ? AND signer = ? "
                "AND verdict != 'comment' AND verified = 1",
                (request_id, actor.member.address),
            ).fetchone()
            if earlier is not None:
                return refuse(f"{actor.member.name} has already decided this request")
        content = json.loads(content_text)
        decided_at = _iso(self.clock())
        message = signing.decision_message(content, verdict, reason, decided_at)
        signature = signing.sign(actor.key, "Decision", message)
        digest = signing.decision_digest(content, verdict, reason, decided_at)
        decision = DecisionRow(
            id=time_ordered_id(),
            request_id=request_id,
            signer=actor.member.address,
            verdict=verdict,
            reason=reason,
            created_at=decided_at,
            typed_hash=digest,
            signature=signature,
            verified=signing.verifies(digest, signature, actor.member.address),
            local_only=True,
        )
        store.insert_decision(tx.conn, decision)
        tx.event(
            "approvals.decided",
            {
                "decision": decision.id,
                "request": request_id,
                "customer": str(customer_uid),
                "verdict": verdict,
                "reason": reason,
                "decided_at": decided_at,
                "signer": decision.signer,
                "typed_hash": "0x" + digest.hex(),
                "signature": "0x" + signature.hex(),
            },
        )
        return None

    # --- statuses -----------------------------------------------------------------

    def _facts(self, request_id: str, content: Mapping[str, str]) -> RequestFacts:
        row = self.conn.execute(
            "SELECT kind, amount_exact, created_at, chain, risk_level, sanctioned, "
            "risk_fetched_at, customer_id, address FROM approval_requests WHERE id = ?",
            (request_id,),
        ).fetchone()
        return RequestFacts(
            kind=row[0],
            amount=None if row[1] is None else Decimal(row[1]),
            created_at=_when(row[2]),
            created_by=content.get("createdBy", ""),
            has_address=row[3] is not None,
            risk_level=row[4],
            sanctioned=bool(row[5]),
            risk_fetched_at=None if row[6] is None else _when(row[6]),
            target=None if row[3] is None else (int(row[7]), row[3], row[8]),
        )

    def _evaluate(
        self, request_id: str, content: Mapping[str, str], decisions: Sequence[DecisionRow]
    ) -> StatusResult:
        held = self.trust().held
        facts = [
            DecisionFacts(
                d.id,
                d.signer,
                d.verdict,
                _when(d.created_at),
                bool(d.verified),
                held(d.signer, _when(d.created_at)),
            )
            for d in decisions
        ]
        request = self._facts(request_id, content)
        overrides = store.approved_overrides(self.conn, request.target) if request.target else {}
        return evaluate(request, self.policy(), facts, self.clock(), overrides)

    def refresh(self) -> int:
        """Take in new screenings and the passing of time. Recomputes the requests whose
        status can change without a decision: the open ones (expiry, a screening going
        stale) and those whose address was screened since. Returns how many changed."""
        if not self.count(QueueFilter()):
            return 0
        with self.vault.transaction() as tx:
            touched = self._take_screenings(tx)
            return self._refresh_all(
                tx,
                "WHERE r.status IN ('pending', 'needs_refresh') "
                "OR r.id IN (SELECT value FROM json_each(?))",
                (json.dumps(touched),),
            )

    def recompute_all(self) -> int:
        """Every request's status from the cached signature checks (what a policy or
        role change does); returns how many changed."""
        with self.vault.transaction() as tx:
            return self._refresh_all(tx)

    def _take_screenings(self, tx: Transaction) -> list[str]:
        """Copy the newest risk of each requested address screened since last time;
        returns the requests touched."""
        pairs, top = queue.screened_since(tx.conn)
        touched: list[str] = []
        for chain, address in pairs:
            touched += queue.set_risk(tx.conn, chain, address, _risk(tx.conn, chain, address))
        if top is not None:
            queue.mark_screenings_seen(tx.conn, top)
        return touched

    def _refresh(self, tx: Transaction, request_ids: Sequence[str]) -> dict[str, Status]:
        """Recompute the named requests (after a decision or a new request)."""
        statuses: dict[str, Status] = {}
        changes: list[tuple[str, int, str, str]] = []
        finals: list[Mapping[str, Any]] = []
        accepted: set[tuple[str, str]] = set()
        for request_id in request_ids:
            content = self._content(request_id)
            decisions = store.decisions_of(tx.conn, request_id)
            result = self._evaluate(request_id, content, decisions)
            old = tx.execute(
                "SELECT status, approvals, needed, kind, address, chain FROM approval_requests "
                "WHERE id = ?",
                (request_id,),
            ).fetchone()
            statuses[request_id] = result.status
            if old[3] == "risk_override" and (old[0] == "approved") != (
                result.status == "approved"
            ):
                accepted.add((old[5], old[4]))
            if tuple(old[:3]) != (result.status, result.approvals, result.needed):
                changes.append((result.status, result.approvals, result.needed, request_id))
                if result.status in ("approved", "rejected") and old[0] != result.status:
                    finals.append(self._final_payload(tx, request_id, result))
        store.set_statuses(tx.conn, changes)
        if finals:
            tx.events("approvals.finalized", finals)
        if accepted:
            self._follow_overrides(tx, accepted)
            statuses.update(
                tx.execute(
                    "SELECT id, status FROM approval_requests "
                    "WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps(list(request_ids)),),
                ).fetchall()
            )
        return statuses

    def _follow_overrides(self, tx: Transaction, targets: set[tuple[str, str]]) -> set[str]:
        """A risk override became approved or stopped being so: the requests whose
        risk it accepts (or no longer accepts) follow. `evaluate` picks the customer.
        Returns the ids that changed."""
        return self._refresh_pass(
            tx,
            "WHERE r.kind != 'risk_override' AND (r.chain, r.address) IN (SELECT "
            "json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))",
            (json.dumps(sorted(targets)),),
        )

    def _final_payload(
        self, tx: Transaction, request_id: str, result: StatusResult
    ) -> Mapping[str, Any]:
        """What a webhook (sync issue) needs: the request, its final status, who counted."""
        uid = tx.execute(
            "SELECT c.uid FROM approval_requests r JOIN customers c ON c.id = r.customer_id "
            "WHERE r.id = ?",
            (request_id,),
        ).fetchone()[0]
        return {
            "request": request_id,
            "customer": str(uid),
            "status": result.status,
            "decisions": sorted(result.counted),
        }

    def _refresh_all(self, tx: Transaction, where: str = "", params: tuple[Any, ...] = ()) -> int:
        """Every request's status (or those `where` picks); returns how many changed."""
        return len(self._refresh_pass(tx, where, params))

    def _refresh_pass(self, tx: Transaction, where: str, params: tuple[Any, ...]) -> set[str]:
        """One pass over the requests `where` picks, their decisions' facts (cached
        signature checks included) and the pure `evaluate`; the ids that changed."""
        self._verify_unchecked(tx)
        policy = self.policy()
        trusted = self.trust()
        roles = trusted.roles
        # A revoked role still counts for decisions signed before it was revoked.
        held = trusted.held if trusted.revoked else None
        now = self.clock()
        empty: frozenset[str] = frozenset()
        when = datetime.fromisoformat
        loads = json.loads
        changes: list[tuple[str, int, str, str]] = []
        finals: list[Mapping[str, Any]] = []
        overrides = store.approved_overrides(tx.conn)
        accepted: set[tuple[str, str]] = set()
        cursor = tx.execute(
            "SELECT r.id, r.kind, r.amount_exact, r.created_at, m.address, r.chain IS NOT NULL, "
            "r.risk_level, r.sanctioned, r.risk_fetched_at, r.status, r.approvals, r.needed, "
            "r.facts, r.customer_id, r.chain, r.address FROM approval_requests r "
            f"JOIN approval_members m ON m.id = r.created_by {where}",
            params,
        )
        while batch := cursor.fetchmany(5000):
            for row in batch:
                rid = row[0]
                facts = RequestFacts(
                    row[1],
                    None if row[2] is None else Decimal(row[2]),
                    when(row[3]),
                    row[4],
                    bool(row[5]),
                    row[6],
                    bool(row[7]),
                    None if row[8] is None else when(row[8]),
                    None if row[14] is None else (row[13], row[14], row[15]),
                )
                if held is None:
                    decisions = [
                        DecisionFacts(
                            did, signer, verdict, when(at), ok == 1, roles.get(signer, empty)
                        )
                        for did, signer, verdict, at, ok in loads(row[12])
                    ]
                else:
                    decisions = [
                        DecisionFacts(
                            did, signer, verdict, when(at), ok == 1, held(signer, when(at))
                        )
                        for did, signer, verdict, at, ok in loads(row[12])
                    ]
                result = evaluate(facts, policy, decisions, now, overrides)
                if row[1] == "risk_override" and (row[9] == "approved") != (
                    result.status == "approved"
                ):
                    accepted.add((row[14], row[15]))
                if (row[9], row[10], row[11]) != (result.status, result.approvals, result.needed):
                    changes.append((result.status, result.approvals, result.needed, rid))
                    if result.status in ("approved", "rejected") and row[9] != result.status:
                        finals.append(
                            {
                                "request": rid,
                                "customer_id": row[13],
                                "status": result.status,
                                "decisions": sorted(result.counted),
                            }
                        )
        store.set_statuses(tx.conn, changes)
        if finals:
            self._finalized(tx, finals)
        changed = {c[3] for c in changes}
        if accepted:
            # The overrides above were read before this pass changed some of them.
            changed |= self._follow_overrides(tx, accepted)
        return changed

    def _finalized(self, tx: Transaction, finals: list[Mapping[str, Any]]) -> None:
        """One event per request that became approved or rejected: what a webhook
        (the sync issue) needs. Customers by uid, as every event names them."""
        wanted = sorted({int(f["customer_id"]) for f in finals})
        uids: dict[int, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            uids.update(
                tx.execute(
                    f"SELECT id, uid FROM customers WHERE id IN ({marks})", tuple(chunk)
                ).fetchall()
            )
        tx.events(
            "approvals.finalized",
            [
                {
                    "request": f["request"],
                    "customer": str(uids.get(f["customer_id"], "")),
                    "status": f["status"],
                    "decisions": f["decisions"],
                }
                for f in finals
            ],
        )

    def _verify_unchecked(self, tx: Transaction) -> None:
        rows = tx.execute(
            "SELECT d.id, d.signer, d.verdict, d.reason, d.created_at, d.signature, r.content "
            "FROM approval_decisions d JOIN approval_requests r ON r.id = d.request_id "
            "WHERE d.verified IS NULL"
        ).fetchall()
        changes = [
            (_decision_ok(json.loads(content), verdict, reason, at, bytes(sig), signer), did)
            for did, signer, verdict, reason, at, sig, content in rows
        ]
        store.set_verified(tx.conn, changes)

    # --- evidence -------------------------------------------------------------------

    def export(self, request_id: str, path: Path, *, overwrite: bool = False) -> None:
        """The request and every decision with its EIP-712 typed data, signature and
        signer: checkable by any EIP-712 tool without Strongroom. Audited. An existing
        file is replaced only with `overwrite` (the user confirmed it)."""
        detail = self.detail(request_id)
        content = self._content(request_id)
        decisions = store.decisions_of(self.conn, request_id)
        views = {v.id: v for v in detail.decisions}
        document = {
            "format": "strongroom-approval-export-1",
            "request": {
                "id": request_id,
                "kind": detail.row.kind,
                "status": detail.row.status,
                "reasons": list(detail.reasons),
                "content": content,
            },
            "decisions": [
                {
                    "id": d.id,
                    "member": views[d.id].member,
                    "verdict": d.verdict,
                    "reason": d.reason,
                    "decided_at": d.created_at,
                    "typed_data": signing.typed_data(
                        "Decision",
                        signing.decision_message(content, d.verdict, d.reason, d.created_at),
                    ),
                    "signature": "0x" + d.signature.hex(),
                    "signer": d.signer,
                    "verified": views[d.id].verified,
                    "counted": views[d.id].counted,
                    "ignored_reason": views[d.id].ignored_reason,
                    "local_only": d.local_only,
                }
                for d in decisions
            ],
        }
        target = Path(path)
        if target.exists() and not overwrite:
            raise ApprovalError(f"{target} exists already; choose a new file")
        # Customer data: written whole or not at all, readable by the owner only (0600).
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        write_atomic(target, text.encode("utf-8"))
        self.vault.audit("approvals.exported", {"request": request_id, "file": target.name})

    def verify_all(self, progress: Progress | None = None) -> VerifyReport:
        """Check every decision signature again from the stored content; the cached
        results and the statuses follow what was found."""
        report, changes = check_signatures(self.conn, progress=progress)
        if changes:
            with self.vault.transaction() as tx:
                store.set_verified(tx.conn, changes)
                self._refresh_all(tx)
        return report


def check_signatures(
    conn: Connection, *, progress: Progress | None = None
) -> tuple[VerifyReport, list[tuple[bool, str]]]:
    """Verify every decision against its request's current content (read-only):
    the report, and the (verified, id) pairs whose cached flag is out of date."""
    total = int(conn.execute("SELECT count(*) FROM approval_decisions").fetchone()[0])
    cursor = conn.execute(
        "SELECT d.id, d.signer, d.verdict, d.reason, d.created_at, d.signature, d.verified, "
        "d.request_id, r.content FROM approval_decisions d "
        "JOIN approval_requests r ON r.id = d.request_id ORDER BY d.request_id"
    )
    checked = verified = 0
    problems: list[str] = []
    changes: list[tuple[bool, str]] = []
    parsed: tuple[str, dict[str, str]] | None = None
    while batch := cursor.fetchmany(2000):
        for did, signer, verdict, reason, at, sig, cached, rid, content in batch:
            if parsed is None or parsed[0] != rid:
                parsed = (rid, json.loads(content))
            ok = _decision_ok(parsed[1], verdict, reason, at, bytes(sig), signer)
            checked += 1
            if ok:
                verified += 1
            elif len(problems) < 100:
                problems.append(
                    f"decision {did} on request {rid} by {signer}: the signature does not "
                    "verify over the stored request"
                )
            if cached is None or bool(cached) != ok:
                changes.append((ok, did))
        if progress is not None:
            progress(checked, total)
    return VerifyReport(checked, verified, checked - verified, tuple(problems)), changes


def _new_member(tx: Transaction, name: str, *, is_root: bool, now: str) -> tuple[str, str, bytes]:
    """A member with a fresh key pair sealed in the vault: (id, address, private key)."""
    key = signing.new_private_key()
    address = signing.address_of(key)
    member_id = time_ordered_id()
    store.insert_member(
        tx.conn,
        member_id=member_id,
        name=name,
        address=address,
        private_key=key,
        is_root=is_root,
        now=now,
    )
    tx.event(
        "approvals.member_added",
        {"member": member_id, "name": name, "address": address, "root": is_root},
    )
    return member_id, address, key


def signature_problems(conn: Connection) -> tuple[int, list[str]]:
    """For `strongroom verify`: every decision, role grant and revocation signature,
    read-only.
    Returns (signatures checked, one line per bad one); a vault before schema 5 has none."""
    if not _has_table(conn, "approval_decisions"):
        return 0, []
    report, _ = check_signatures(conn)
    problems = list(report.problems)
    grants = store.grants(conn)
    for g in grants:
        if not _grant_ok(g):
            problems.append(f"the {g.role} grant of {g.member_name} does not verify")
    revocations = store.revocations(conn) if _has_table(conn, "approval_revocations") else []
    for r in revocations:
        if not _revoke_ok(r):
            problems.append(f"the revocation of {r.member_name}'s {r.role} role does not verify")
    return report.checked + len(grants) + len(revocations), problems


def _has_table(conn: Connection, name: str) -> bool:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return found is not None


def _grant_ok(g: GrantRow) -> bool:
    digest = signing.grant_digest(g.member_address, g.member_name, g.role, g.granted_at)
    return signing.verifies(digest, g.signature, g.granted_by)


def _revoke_ok(r: GrantRow) -> bool:
    digest = signing.revoke_digest(r.member_address, r.member_name, r.role, r.granted_at)
    return signing.verifies(digest, r.signature, r.granted_by)


def _decision_ok(
    content: Mapping[str, str], verdict: str, reason: str, at: str, sig: bytes, signer: str
) -> bool:
    return signing.verifies(signing.decision_digest(content, verdict, reason, at), sig, signer)


def _queue_row(r: Sequence[Any]) -> QueueRow:
    kind = cast(RequestKind, r[1])
    amount = None if r[7] is None else Decimal(r[7])
    chain, address, asset = r[8], r[9], r[6]
    parts: list[str] = []
    if chain and address:
        short = address if len(address) <= 14 else f"{address[:6]}…{address[-4:]}"
        parts.append(f"{chain} {short}")
    if kind == "withdrawal" and amount is not None:
        parts.insert(0, f"{_grouped(amount)} {asset or ''}".strip())
    elif kind == "whitelist":
        parts.append(f"limit {_grouped(amount)}" if amount is not None else "no limit")
    elif kind == "onboarding":
        parts.append("onboarding / KYC")
    elif kind == "risk_override":
        parts.append("accept the risk")
    risk = "sanctioned" if r[17] else r[12]
    return QueueRow(
        id=r[0],
        kind=kind,
        status=cast(Status, r[2]),
        customer_id=int(r[3]),
        customer_external_id=r[4] or "",
        customer_name=r[5] or "",
        summary=" · ".join(parts),
        asset=asset,
        amount=amount,
        chain=chain,
        address=address,
        created_at=_when(r[10]),
        created_by=r[11],
        risk_level=risk,
        risk_fetched_at=None if r[13] is None else _when(r[13]),
        approvals=int(r[14]),
        needed=r[15],
        local_only=bool(r[16]),
    )


def _risk(
    conn: Connection, chain: str | None, address: str | None
) -> tuple[str | None, bool, str | None]:
    """The worst of each provider's newest answer, any sanctions hit, and the newest time."""
    if not chain or not address:
        return None, False, None
    latest = queue.latest_screenings(conn, chain, address, _ANSWERED)
    if not latest:
        return None, False, None
    worst = max((v[0] for v in latest.values()), key=lambda lv: _RISK_RANK.get(lv, 1))
    return worst, any(v[1] for v in latest.values()), max(v[2] for v in latest.values())


def _target(chain: str, address: str) -> tuple[str, str]:
    name = chain.strip().lower()
    try:
        return name, normalize(name, address.strip())
    except AddressError as exc:
        raise ApprovalError(f"{name}:{address.strip()[:60]}: {exc.reason}") from None


def _positive(value: Decimal, what: str) -> Decimal:
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ApprovalError(f"the {what} is not a number") from None
    if not number.is_finite() or number <= 0:
        raise ApprovalError(f"the {what} must be above 0")
    if number > Decimal("1e30"):
        raise ApprovalError(f"the {what} is too large")
    return number


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ApprovalError(f"'{role[:20]}' is not a role; roles are {', '.join(ROLES)}")
