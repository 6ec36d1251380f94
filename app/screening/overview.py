"""What the Screening views read: an address's history, evidence and explorer figures;
a customer's addresses with their answers and the rating they suggest; how old an
answer is, in words.

Reads take the connection of the thread that runs them (the database worker);
`apply_suggestion` writes through the customer book, so the rating change is
an audited event like any edit. No Qt here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.book.activity import update_customer
from app.book.models import ValidationError
from app.book.service import CustomerBook
from app.screening import explorer_data
from app.screening.risk import RatingSuggestion, RiskResult, utc_now
from app.screening.service import latest_per_provider, suggestion_for, suggestion_from
from vault.book import customers
from vault.connection import Connection
from vault.screening import latest
from vault.screening.explorer import FlowRow

#: the age filter's choices: label -> (newer than, older than)
AGES: dict[str, tuple[timedelta | None, timedelta | None]] = {
    "Any age": (None, None),
    "Last 24 hours": (timedelta(days=1), None),
    "Last 7 days": (timedelta(days=7), None),
    "Older than 7 days": (None, timedelta(days=7)),
    "Older than 30 days": (None, timedelta(days=30)),
}


def age_text(seconds: float | None) -> str:
    """'just now', '5 min ago', '3 h ago', '2 d ago' (a clock behind the answer: 'just now')."""
    if seconds is None:
        return "never"
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24} d ago"


def age_of(fetched_at: str, now: datetime | None = None) -> float:
    return ((now or utc_now()) - datetime.fromisoformat(fetched_at)).total_seconds()


def age_filter(label: str, now: datetime | None = None) -> tuple[str | None, str | None]:
    """(newer_than, older_than) as ISO times for an `AGES` label."""
    newer, older = AGES.get(label, (None, None))
    moment = now or utc_now()
    return (
        None if newer is None else (moment - newer).isoformat(),
        None if older is None else (moment - older).isoformat(),
    )


def evidence_text(result: RiskResult) -> str:
    """The kept body for reading (JSON indented, text as is, anything else in hex); for
    an answer kept without one (the offline list's clean answers, failed look-ups) the
    stored answer itself and what it rests on."""
    raw = result.raw
    if raw is None:
        record = {k: v for k, v in result.to_record().items() if k != "raw" and v is not None}
        record["categories"] = list(result.categories)
        record["exposures"] = json.loads(record["exposures"])
        why = (
            "The offline list keeps no body for an address it does not list: the answer "
            "rests on the imported list named below."
            if result.ok
            else "No body was kept: the look-up ended before an answer."
        )
        return why + "\n\n" + json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.hex(" ", 2)
    try:
        return json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False)
    except ValueError:
        return text


#: days of daily inflow/outflow an address view holds
FLOW_DAYS = 14


@dataclass(frozen=True)
class AddressView:
    """One address: every stored answer (newest first, with ids for the evidence),
    each explorer's newest summary, and its flows on the last `FLOW_DAYS` days with
    activity (newest day first: a dormant address still shows its last days)."""

    chain: str
    address: str
    history: list[tuple[int, RiskResult]]
    summaries: list[dict[str, Any]]
    flows: list[FlowRow] = field(default_factory=list)


def address_view(conn: Connection, chain: str, address: str) -> AddressView:
    history = [(i, RiskResult.from_record(r)) for i, r in latest.history(conn, chain, address)]
    flows = explorer_data.flows(conn, chain, address)
    days = sorted({f.day for f in flows})[-FLOW_DAYS:]
    recent = [f for f in flows if days and f.day >= days[0]][::-1]
    return AddressView(
        chain, address, history, explorer_data.summaries(conn, chain, address), recent
    )


def summary_text(summary: dict[str, Any], now: datetime | None = None) -> str:
    """'1.5 ETH · 12 transactions · first 2021-03-01 · last 2024-05-02 · etherscan, 3 h ago'."""
    parts = []
    balances = summary["balances"]
    if len(balances) > 3:
        parts.append(f"{len(balances) - 1} tokens")
    for balance in balances[:3]:
        parts.append(
            amount_text(balance["amount"], balance.get("decimals")) + f" {balance['symbol']}"
        )
    if summary.get("tx_count") is not None:
        parts.append(f"{summary['tx_count']:,} transactions")
    for key, word in (("first_seen", "first"), ("last_seen", "last")):
        if summary.get(key):
            parts.append(f"{word} {summary[key][:10]}")
    parts.append(f"{summary['source']}, {age_text(age_of(summary['fetched_at'], now))}")
    if summary.get("cut_short"):
        parts.append(f"history cut short ({summary['cut_short']}): older transfers missing")
    return " · ".join(parts)


def balance_text(summary: dict[str, Any] | None) -> str:
    """The native balance of a stored explorer summary ('1.5 BTC'), '' without one."""
    if summary is None or not summary["balances"]:
        return ""
    native = summary["balances"][0]
    return f"{amount_text(native['amount'], native.get('decimals'))} {native['symbol']}"


def amount_text(amount: int, decimals: int | None) -> str:
    """An integer amount in its smallest unit as a decimal ('1,234.5'), at most eight
    decimals shown."""
    if not decimals:
        return f"{amount:,}"
    whole, frac = divmod(abs(amount), 10**decimals)
    digits = f"{frac:0{decimals}d}".rstrip("0")[:8]
    sign = "-" if amount < 0 else ""
    return f"{sign}{whole:,}" + (f".{digits}" if digits else "")


@dataclass(frozen=True)
class AddressAnswers:
    chain: str
    address: str
    label: str | None
    #: each provider's newest answer (or newest error when it never answered)
    answers: list[RiskResult] = field(default_factory=list)
    #: the newest explorer summary stored, if any
    explorer: dict[str, Any] | None = None


@dataclass(frozen=True)
class CustomerScreening:
    """A customer's Screening tab: its addresses, the suggestion, and how it differs."""

    customer_id: int
    addresses: list[AddressAnswers]
    suggestion: RatingSuggestion
    current: str | None
    change: str

    @property
    def can_apply(self) -> bool:
        return self.suggestion.rating is not None and self.suggestion.rating != self.current


def customer_screening(conn: Connection, customer_id: int) -> CustomerScreening:
    record = customers.record(conn, customer_id)
    if record is None:
        raise ValidationError("customer", "no such customer")
    rows = conn.execute(
        "SELECT chain, address, label FROM addresses WHERE customer_id = ? ORDER BY id",
        (customer_id,),
    ).fetchall()
    addresses = [
        AddressAnswers(
            chain,
            address,
            label,
            latest_per_provider(conn, chain, address),
            next(iter(explorer_data.summaries(conn, chain, address)), None),
        )
        for chain, address, label in rows
    ]
    suggestion = suggestion_from(conn, customer_id)
    current = record["risk_rating"]
    return CustomerScreening(
        customer_id, addresses, suggestion, current, explain(current, suggestion)
    )


def explain(current: str | None, suggestion: RatingSuggestion) -> str:
    """Why the rating would change, or why it would not, in a sentence or two."""
    now = current or "not rated"
    rating = suggestion.rating
    if rating is None:
        return f"No rating can be suggested yet ({suggestion.reason}). The rating stays {now}."
    because = suggestion.reason.removeprefix(f"{rating}: ").rstrip(".")
    if rating == current:
        return f"The current rating ({now}) matches what the addresses show: {because}."
    order = ("low", "medium", "high", "prohibited")
    direction = ""
    if current in order:
        direction = " up" if order.index(rating) > order.index(current) else " down"
    partial = "" if suggestion.complete else " Not every address could be screened."
    return f"Rating would go{direction} from {now} to {rating} because {because}.{partial}"


def apply_suggestion(book: CustomerBook, customer_id: int, expected: str) -> bool:
    """Set the customer's rating to the suggestion as an audited edit (the reason is
    recorded with it). Refused when the suggestion changed since it was shown.
    Database worker."""
    suggestion = suggestion_for(book.vault, customer_id)
    if suggestion.rating is None or suggestion.rating != expected:
        raise ValidationError(
            "risk_rating",
            "the suggestion changed since it was shown (a screening arrived): look again",
        )
    return update_customer(
        book,
        customer_id,
        {"risk_rating": suggestion.rating, "risk_reason": f"From screening: {suggestion.reason}"},
    )
