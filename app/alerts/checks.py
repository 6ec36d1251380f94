"""The alert rules as pure functions of plain facts (the rows of vault.alerts.facts).

Each check returns its `Hit`s: what holds now. The engine compares them with the
live alerts, so a rule raises once per subject until its condition stops holding.
The rules:

- inflow_drop: per customer and chain, the native inflow of the last `days` days
  (today included) at most (100 - drop_percent)% of the `days` before. No inflow
  before: no drop to speak of. Data fetched before the last window began says
  nothing about it, so such a customer is not judged.
- outflow_spike: the same windows; the last one's outflow at least `rise_percent`%
  above a previous outflow that was not nothing.
- dormant_active: an address with transfers in the last `days` days whose previous
  transfer was more than `dormant_days` days before that window began.
- risk_raised: an address's newest level is one of `levels`.
- sanctions_hit: an address of the book is on an imported sanctions list.
- kyc_review: a customer's KYC expiry within `due_days` days (due) or past (overdue,
  a subject of its own, so a due review that turns overdue raises again).
- approvals_pending: a request still open `hours` hours after it was made.
- mass_export: one person exported more than `customers` customers in a UTC day.

Amounts are summed as integers of the smallest unit and compared exactly: a drop of
exactly 50% is at most half.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from app.alerts.rules import Rule
from vault.alerts.facts import FlowRow, ListedCandidate, RiskyAddress, Waking


@dataclass(frozen=True)
class Hit:
    rule: str
    #: the rule's stable name for what it is about (customer uid, chain:address, ...)
    subject: str
    why: str
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    customer_id: int | None = None
    request_id: str | None = None
    chain: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Windows:
    """The last `days` days (today included) and the `days` before them."""

    previous_first: date
    last_first: date

    @staticmethod
    def of(today: date, days: int) -> Windows:
        last_first = today - timedelta(days=days - 1)
        return Windows(last_first - timedelta(days=days), last_first)


@dataclass
class Totals:
    symbol: str | None
    decimals: int | None
    last_in: int = 0
    previous_in: int = 0
    last_out: int = 0
    previous_out: int = 0
    fetched_at: str = ""


def flow_totals(rows: Iterable[FlowRow], windows: Windows) -> dict[tuple[int, str], Totals]:
    """Per (customer, chain) the exact native totals of both windows (rows before
    them are left out)."""
    totals: dict[tuple[int, str], Totals] = {}
    last_first = windows.last_first.isoformat()
    previous_first = windows.previous_first.isoformat()
    for row in rows:
        if row.day < previous_first:
            continue
        key = (row.customer_id, row.chain)
        found = totals.get(key)
        if found is None:
            found = totals[key] = Totals(row.symbol, row.decimals)
        if row.day >= last_first:
            found.last_in += int(row.inflow)
            found.last_out += int(row.outflow)
        else:
            found.previous_in += int(row.inflow)
            found.previous_out += int(row.outflow)
        found.symbol = found.symbol or row.symbol
        found.fetched_at = max(found.fetched_at, row.fetched_at)
    return totals


def _coins(amount: int, decimals: int | None) -> Decimal:
    return Decimal(amount).scaleb(-(decimals or 0)).normalize()


def _shown(amount: int, totals: Totals, chain: str) -> str:
    unit = totals.symbol or ("raw units" if totals.decimals is None else chain)
    coins = _coins(amount, totals.decimals)
    return f"{coins:,.1f} {unit}" if coins >= 1 or coins == 0 else f"{coins:.4g} {unit}"


def _percent(last: int, previous: int) -> Decimal:
    return (Decimal(last - previous) * 100 / Decimal(previous)).quantize(Decimal("0.1"))


def inflow_drops(
    totals: Mapping[tuple[int, str], Totals], rule: Rule, windows: Windows
) -> list[Hit]:
    drop = rule.number("drop_percent")

    # at most (100 - drop)% of before, in integers: exactly -50% raises
    def holds(last: int, previous: int) -> bool:
        return last * 100 <= previous * (100 - drop)

    return _flow_changes(totals, rule, windows, what="inflow", holds=holds)


def outflow_spikes(
    totals: Mapping[tuple[int, str], Totals], rule: Rule, windows: Windows
) -> list[Hit]:
    rise = rule.number("rise_percent")

    def holds(last: int, previous: int) -> bool:
        return last * 100 >= previous * (100 + rise)

    return _flow_changes(totals, rule, windows, what="outflow", holds=holds)


def _flow_changes(
    totals: Mapping[tuple[int, str], Totals],
    rule: Rule,
    windows: Windows,
    *,
    what: str,
    holds: Callable[[int, int], bool],
) -> list[Hit]:
    """The customers whose last window's `what` against the one before `holds`; none
    without a previous amount, or with data fetched before the last window began."""
    days = rule.number("days")
    hits = []
    for (customer_id, chain), t in totals.items():
        last, previous = (t.last_in, t.previous_in) if what == "inflow" else (
            t.last_out, t.previous_out)  # fmt: skip
        if previous <= 0 or t.fetched_at[:10] < windows.last_first.isoformat():
            continue
        if not holds(last, previous):
            continue
        change = _percent(last, previous)
        why = (
            f"{what} {_shown(last, t, chain)} in the last {days} days vs "
            f"{_shown(previous, t, chain)} the {days} days before: {change:+.0f}%"
        )
        facts = _flow_facts(t, what, last, previous, change, days)
        subject = f"customer:{customer_id}:flows:{chain}"
        hits.append(Hit(rule.name, subject, why, facts, customer_id, chain=chain))
    return hits


def _flow_facts(
    t: Totals, what: str, last: int, previous: int, change: Decimal, days: int
) -> dict[str, Any]:
    return {
        f"{what}_last": f"{_coins(last, t.decimals):f}",
        f"{what}_previous": f"{_coins(previous, t.decimals):f}",
        "unit": t.symbol,
        "change_percent": float(change),
        "days": days,
    }


def dormant_wakings(rows: Iterable[Waking], rule: Rule, windows: Windows) -> list[Hit]:
    dormant = rule.number("dormant_days")
    hits = []
    for row in rows:
        if row.last_before is None:
            continue
        idle = (windows.last_first - date.fromisoformat(row.last_before)).days
        if idle <= dormant:
            continue
        why = (
            f"transfers on {row.first_active} after {idle} days without any "
            f"(the last on {row.last_before}; dormant means over {dormant} days)"
        )
        facts = {
            "first_active": row.first_active,
            "last_before": row.last_before,
            "idle_days": idle,
        }
        hits.append(
            _address_hit("dormant_active", row.chain, row.address, row.customer_id, why, facts)
        )
    return hits


def risk_raised(rows: Iterable[RiskyAddress]) -> list[Hit]:
    hits = []
    for row in rows:
        since = f" since {row.at[:10]}" if row.at else ""
        why = f"newest risk level {row.level} at {row.providers or 'a provider'}{since}"
        facts = {"level": row.level, "providers": row.providers, "at": row.at}
        hits.append(
            _address_hit("risk_raised", row.chain, row.address, row.customer_id, why, facts)
        )
    return hits


def sanctions_hits(
    rows: Iterable[ListedCandidate], matches: Callable[[ListedCandidate], bool]
) -> list[Hit]:
    """`matches`: whether a candidate's chain family and exact look-up key are the
    listed ones (the sanctions provider's own comparison)."""
    found: dict[str, Hit] = {}
    for row in rows:
        if not matches(row):
            continue
        subject = f"address:{row.chain}:{row.address}"
        dated = f" of {row.list_date}" if row.list_date else ""
        why = f"on the sanctions list {row.label}{dated}"
        previous = found.get(subject)
        facts: dict[str, Any]
        if previous is not None:
            lists = [*previous.facts["lists"], row.label]
            why = f"{previous.why}; also on {row.label}{dated}"
            facts = {"lists": lists}
        else:
            facts = {"lists": [row.label], "list_date": row.list_date}
        found[subject] = _address_hit(
            "sanctions_hit", row.chain, row.address, row.customer_id, why, facts
        )
    return list(found.values())


def _address_hit(
    rule: str, chain: str, address: str, customer_id: int, why: str, facts: Mapping[str, Any]
) -> Hit:
    return Hit(
        rule, f"address:{chain}:{address}", why, facts, customer_id, chain=chain, address=address
    )


def reviews(rows: Iterable[tuple[int, str]], today: date) -> list[Hit]:
    hits = []
    for customer_id, day in rows:
        left = (date.fromisoformat(day) - today).days
        if left < 0:
            phase, why = "overdue", f"KYC review overdue by {_days(-left)} (expired on {day})"
        elif left == 0:
            phase, why = "due", f"KYC review due today ({day})"
        else:
            phase, why = "due", f"KYC review due in {_days(left)} (on {day})"
        facts = {"expires_on": day, "days_left": left}
        hits.append(
            Hit("kyc_review", f"customer:{customer_id}:review:{phase}", why, facts, customer_id)
        )
    return hits


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n:,} days"


def pending_requests(rows: Iterable[tuple[str, int, str, str]], now: datetime) -> list[Hit]:
    hits = []
    for request_id, customer_id, kind, created_at in rows:
        hours = (now - datetime.fromisoformat(created_at)).total_seconds() / 3600
        why = f"{kind} request pending for {hours:,.0f} hours (made {created_at[:16]})"
        facts = {"kind": kind, "created_at": created_at, "hours": round(hours, 1)}
        hits.append(
            Hit("approvals_pending", f"request:{request_id}", why, facts, customer_id, request_id)
        )
    return hits


def mass_exports(rows: Iterable[tuple[str, str, int, int]], rule: Rule) -> list[Hit]:
    limit = rule.number("customers")
    hits = []
    for person, day, customers, exports in rows:
        if customers <= limit:
            continue
        why = (
            f"{person} exported {customers:,} customers on {day} in {exports} export(s) "
            f"(limit {limit:,})"
        )
        facts = {"person": person, "day": day, "customers": customers, "exports": exports}
        hits.append(Hit("mass_export", f"person:{person}:{day}", why, facts))
    return hits
