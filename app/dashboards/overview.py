"""The desk overview: tiles of counts, each figure leading to the rows behind it.

Each `read_*` function is one use case over a connection (database worker) and
returns its tiles with the time they were read (`as_of`) and the newest data they
rest on (`data_at`), so every tile can say how old it is. Figures carry keys, not
words: the view names them in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.approvals.policy import PolicyError, default_policy, parse
from app.dashboards.drill import ALERTS, APPROVALS, CUSTOMERS, SCREENING, WALLETS, Drill
from vault.alerts import store as alerts
from vault.approvals.store import current_policy
from vault.connection import Connection
from vault.dashboards import overview as sql
from vault.dashboards import subsets
from vault.dashboards.levels import LEVELS

KYC_STATUSES = ("approved", "pending", "not_started", "expired", "rejected")
REVIEW_WINDOWS = (30, 60, 90)
#: an address whose newest answer is older than this is "screened too long ago"
STALE_DAYS = 30
SANCTIONS_DAYS = 30
#: the approval queue's age filters (ui.approvals.filters.AGE_CHOICES): 1, 3 and 7 days
APPROVAL_AGES = (1, 3, 7)
#: levels worst first, as tiles list them
LEVELS_SHOWN = (*reversed(LEVELS[1:]), "unknown")


@dataclass(frozen=True)
class Figure:
    key: str
    value: int
    drill: Drill | None = None
    #: "bad", "warn" or "" for how the view colours it
    tone: str = ""


@dataclass(frozen=True)
class Tile:
    key: str
    figures: tuple[Figure, ...]
    as_of: datetime
    data_at: datetime | None
    #: numbers the view puts in its note (e.g. the policy's expiry in days)
    facts: tuple[tuple[str, float], ...] = ()

    def value(self, key: str) -> int:
        return next(f.value for f in self.figures if f.key == key)


def _when(stamp: object) -> datetime | None:
    if not stamp:
        return None
    text = str(stamp)
    moment = datetime.fromisoformat(text if len(text) > 10 else f"{text}T00:00:00+00:00")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_customers(conn: Connection, now: datetime) -> list[Tile]:
    """Customers by KYC status, and KYC reviews overdue or due within 30/60/90 days."""
    counts, newest = sql.kyc_counts(conn)
    kyc = tuple(
        Figure(
            status,
            counts.get(status, 0),
            Drill(CUSTOMERS, subsets.customers_with_kyc(status, "")),
            "bad" if status in ("expired", "rejected") else "",
        )
        for status in KYC_STATUSES
    )
    today = now.date()
    bounds = [(today + timedelta(days=d)).isoformat() for d in REVIEW_WINDOWS]
    due = sql.reviews_due(conn, today=today.isoformat(), bounds=bounds)
    yesterday = (today - timedelta(days=1)).isoformat()
    drills = [subsets.customers_review_between(None, yesterday, "")]
    lower = yesterday
    for upper in bounds:
        drills.append(subsets.customers_review_between(lower, upper, ""))
        lower = upper
    keys = ("overdue", *(f"due_{d}" for d in REVIEW_WINDOWS))
    tones = ("bad", "warn", "", "")
    reviews = tuple(
        Figure(k, n, Drill(CUSTOMERS, s), t)
        for k, n, s, t in zip(keys, due, drills, tones, strict=True)
    )
    data_at = _when(newest)
    return [Tile("kyc", kyc, now, data_at), Tile("reviews", reviews, now, data_at)]


def read_screening(conn: Connection, now: datetime) -> list[Tile]:
    """Linked addresses and customers by their worst newest level; addresses never
    screened or whose newest answer is older than STALE_DAYS."""
    stale_before = (now - timedelta(days=STALE_DAYS)).isoformat()
    state = sql.screening_state(conn, stale_before=stale_before)
    addresses, customers = state.addresses, state.customers
    data_at = _when(state.newest)
    levels = tuple(
        Figure(
            f"addresses_{level}",
            addresses.get(level, 0),
            Drill(WALLETS, subsets.addresses_at_level(level, "")),
            _tone(level),
        )
        for level in LEVELS_SHOWN
    ) + tuple(
        Figure(
            f"customers_{level}",
            customers.get(level, 0),
            Drill(CUSTOMERS, subsets.customers_at_level(level, "")),
            _tone(level),
        )
        for level in LEVELS_SHOWN
    )
    age = (
        Figure("never", state.never, Drill(WALLETS, subsets.addresses_never_screened("")), "warn"),
        Figure(
            "stale",
            state.stale,
            Drill(WALLETS, subsets.addresses_screened_before(stale_before, "")),
            "warn",
        ),
        Figure("linked", state.linked, Drill(WALLETS)),
    )
    return [
        Tile("levels", levels, now, data_at),
        Tile("screening_age", age, now, data_at, (("stale_days", STALE_DAYS),)),
    ]


def _tone(level: str) -> str:
    return {"severe": "bad", "high": "bad", "medium": "warn"}.get(level, "")


def read_sanctions(conn: Connection, now: datetime) -> list[Tile]:
    """Distinct addresses with a sanctions hit in the last SANCTIONS_DAYS days."""
    hits, newest = sql.sanctions_hits(
        conn, since=(now - timedelta(days=SANCTIONS_DAYS)).isoformat()
    )
    figure = Figure("hits", hits, Drill(SCREENING, sanctioned=True), "bad" if hits else "")
    return [Tile("sanctions", (figure,), now, _when(newest), (("days", SANCTIONS_DAYS),))]


def read_approvals(conn: Connection, now: datetime) -> list[Tile]:
    """Open requests by age against the policy's expiry, and the expired ones."""
    policy = current_policy(conn)
    try:
        expiry = parse(policy[1]).expiry_days if policy else default_policy().expiry_days
    except PolicyError:
        expiry = default_policy().expiry_days
    found = sql.open_requests(conn, now=now.isoformat(), ages=APPROVAL_AGES)
    first = APPROVAL_AGES[0]
    figures = [
        Figure("open", found.open, Drill(APPROVALS)),
        Figure("younger", found.younger, Drill(APPROVALS, max_age_days=first)),
    ]
    for days in APPROVAL_AGES:
        tone = "bad" if days >= expiry else "warn" if days >= expiry / 2 else ""
        drill = Drill(APPROVALS, min_age_days=days)
        figures.append(Figure(f"older_{days}", found.older[days], drill, tone))
    expired = Drill(APPROVALS, statuses=frozenset({"expired"}))
    figures.append(Figure("expired", found.expired, expired, "bad" if found.expired else ""))
    facts = (("expiry_days", expiry),)
    return [Tile("approvals", tuple(figures), now, _when(found.newest), facts)]


def read_alerts(conn: Connection, now: datetime) -> list[Tile]:
    """Open alerts (not acknowledged, not snoozed) by severity, and the acknowledged
    ones still live (app.alerts)."""
    stamp = now.isoformat(timespec="seconds")
    by_severity = alerts.open_by_severity(conn, now=stamp)
    opened = Drill(ALERTS, statuses=frozenset({"open"}))
    total = sum(by_severity.values())
    figures = [
        Figure("alerts_open", total, opened, "bad" if total else ""),
        *(
            Figure(f"alerts_{severity}", by_severity.get(severity, 0), opened, tone)
            for severity, tone in (("critical", "bad"), ("warning", "warn"), ("info", ""))
        ),
        Figure(
            "alerts_acknowledged",
            alerts.count(conn, status="acknowledged", now=stamp),
            Drill(ALERTS, statuses=frozenset({"acknowledged"})),
        ),
    ]
    return [Tile("alerts", tuple(figures), now, _when(alerts.newest_raise(conn)))]


#: every reader, in the order the page lays out their tiles
READERS = (read_customers, read_screening, read_sanctions, read_approvals, read_alerts)
