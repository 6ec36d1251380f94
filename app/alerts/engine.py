"""Running the alert rules: the hits of now against the live alerts.

A hit with no live alert of its rule and subject raises one; a live alert whose
rule no longer finds its subject (or is switched off) clears, so the next hit
raises again. Everything is written in one transaction; each raised alert is
handed to the `on_raised` hooks inside it (the webhooks' outbox writes there, so
nothing raised is lost), then the caller publishes what changed.

Runs on the database worker (GUI) or the command's thread (CLI), never the GUI
thread.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app.addresses.chains import chain_info
from app.addresses.errors import AddressError
from app.alerts import checks
from app.alerts.rules import Rules
from app.alerts.rules_store import current_rules
from app.approvals.model import OPEN_STATUSES
from app.screening.sanctions.mapping import lookup_key
from vault.alerts import facts, store
from vault.alerts.facts import ListedCandidate
from vault.connection import Connection
from vault.store import Transaction, Vault


@dataclass(frozen=True)
class Raised:
    """An alert just raised, as the command line prints it and hooks receive it."""

    id: str
    rule: str
    severity: str
    #: names the customer by external id (else its uid), the address, request or person
    subject: dict[str, str]
    why: str
    values: dict[str, Any]
    customer_id: int | None = None
    request_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "severity": self.severity,
            "subject": self.subject,
            "why": self.why,
            "values": self.values,
        }


RaisedHook = Callable[[Transaction, Raised], None]


@dataclass
class RunReport:
    raised: list[Raised] = field(default_factory=list)
    cleared: int = 0
    live: int = 0
    seconds: float = 0.0


def evaluate(conn: Connection, rules: Rules, now: datetime) -> list[checks.Hit]:
    """Every enabled rule's hits over the whole book (reads only)."""
    today = now.date()
    hits: list[checks.Hit] = []
    on = {rule.name: rule for rule in rules.enabled()}
    # Both flow rules read the same sums when their windows agree (the defaults).
    sums: dict[int, dict[tuple[int, str], checks.Totals]] = {}
    for rule, check in (
        (on.get("inflow_drop"), checks.inflow_drops),
        (on.get("outflow_spike"), checks.outflow_spikes),
    ):
        if rule is not None:
            days = rule.number("days")
            windows = checks.Windows.of(today, days)
            if days not in sums:
                rows = facts.flow_sums(
                    conn,
                    first_day=windows.previous_first.isoformat(),
                    split_day=windows.last_first.isoformat(),
                )
                sums[days] = checks.flow_totals(rows, windows)
            hits += check(sums[days], rule, windows)
    if rule := on.get("dormant_active"):
        windows = checks.Windows.of(today, rule.number("days"))
        waking = facts.waking_addresses(conn, windows.last_first.isoformat())
        hits += checks.dormant_wakings(waking, rule, windows)
    if rule := on.get("risk_raised"):
        hits += checks.risk_raised(facts.addresses_at_levels(conn, rule.levels))
    if "sanctions_hit" in on:
        hits += checks.sanctions_hits(facts.listed_candidates(conn), _listed)
    if rule := on.get("kyc_review"):
        until = (today + timedelta(days=rule.number("due_days"))).isoformat()
        hits += checks.reviews(facts.reviews_due(conn, until), today)
    if rule := on.get("approvals_pending"):
        before = (now - timedelta(hours=rule.number("hours"))).isoformat()
        rows_open = facts.requests_open_before(conn, before, OPEN_STATUSES)
        hits += checks.pending_requests(rows_open, now)
    if rule := on.get("mass_export"):
        since = (today - timedelta(days=1)).isoformat()
        hits += checks.mass_exports(facts.exports_per_person_day(conn, since), rule)
    return hits


def _listed(row: ListedCandidate) -> bool:
    """The sanctions provider's comparison: same chain family, same look-up key."""
    try:
        family = chain_info(row.chain).family.name
    except AddressError:
        return False
    return family == row.family and lookup_key(family, row.address) == row.key


def run_rules(
    vault: Vault,
    *,
    rules: Rules | None = None,
    now: datetime | None = None,
    hooks: Sequence[RaisedHook] = (),
) -> RunReport:
    """Raise what is new, clear what no longer holds; one transaction."""
    started = time.perf_counter()
    moment = now or datetime.now(UTC)
    stamp = moment.isoformat(timespec="seconds")
    conn = vault.conn
    chosen = rules or current_rules(conn)
    hits = evaluate(conn, chosen, moment)
    severity = {rule.name: rule.severity for rule in chosen.rules.values()}
    report = RunReport()
    with vault.transaction() as tx:
        live = store.live_keys(tx.conn)
        seen: set[tuple[str, str]] = set()
        new: list[store.NewAlert] = []
        for hit in hits:
            key = (hit.rule, hit.subject)
            if key in seen:
                continue
            seen.add(key)
            if key not in live:
                new.append(_new(hit, severity[hit.rule]))
        gone = [alert_id for key, alert_id in live.items() if key not in seen]
        store.clear(tx.conn, gone, now=stamp)
        store.insert(tx.conn, new, now=stamp)
        names = facts.customer_names(tx.conn, [a.customer_id for a in new if a.customer_id])
        report.raised = [_raised(a, names) for a in new]
        for raised in report.raised:
            for hook in hooks:
                hook(tx, raised)
        report.cleared = len(gone)
        report.live = len(seen)
    report.seconds = time.perf_counter() - started
    return report


def _new(hit: checks.Hit, severity: str) -> store.NewAlert:
    return store.NewAlert(
        uid=uuid.uuid4().hex,
        rule=hit.rule,
        subject=hit.subject,
        severity=severity,
        customer_id=hit.customer_id,
        request_id=hit.request_id,
        chain=hit.chain,
        address=hit.address,
        why=hit.why,
        facts=hit.facts,
    )


def subject_of(
    *,
    external_id: str | None,
    uid: str | None,
    chain: str | None,
    address: str | None,
    request_id: str | None,
    facts_: dict[str, Any],
) -> dict[str, str]:
    """How an alert names what it is about: the customer (external id, else its
    internal uid), the address, the request or the person."""
    subject: dict[str, str] = {}
    if external_id or uid:
        subject["customer"] = str(external_id or uid)
    if chain and address:
        subject["address"] = f"{chain}:{address}"
    if request_id:
        subject["request"] = request_id
    if "person" in facts_:
        subject["person"] = str(facts_["person"])
    return subject


def _raised(alert: store.NewAlert, names: dict[int, tuple[str, str | None]]) -> Raised:
    uid, external = names.get(alert.customer_id or 0, (None, None))
    values = dict(alert.facts)
    return Raised(
        id=alert.uid,
        rule=alert.rule,
        severity=alert.severity,
        subject=subject_of(
            external_id=external,
            uid=uid,
            chain=alert.chain,
            address=alert.address,
            request_id=alert.request_id,
            facts_=values,
        ),
        why=alert.why,
        values=values,
        customer_id=alert.customer_id,
        request_id=alert.request_id,
    )
