"""The charts' data: one value per day and series over a date range, from the SQL
aggregations of vault.dashboards.series. Pure functions of a connection (database
worker); a `Chart` is plain data that a view draws and `csv_rows` writes out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from vault.connection import Connection
from vault.dashboards import series as sql
from vault.dashboards.levels import LEVELS

DEFAULT_DAYS = 90
#: the risk chart's stack, bottom first: the levels that matter most stay in view
RISK_STACK = ("severe", "high", "medium", "low", "none", "unknown")


@dataclass(frozen=True)
class Span:
    """A date range, both ends included (UTC days)."""

    first: date
    last: date

    @classmethod
    def last_days(cls, days: int, today: date) -> Span:
        return cls(today - timedelta(days=days - 1), today)

    def days(self) -> list[date]:
        count = (self.last - self.first).days + 1
        return [self.first + timedelta(days=n) for n in range(max(0, count))]


@dataclass(frozen=True)
class Series:
    #: a stable key (a level, "requests", "inflow", ...): the view picks colours by it
    key: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    #: "risk", "approvals" or "flows-CHAIN"
    key: str
    days: tuple[date, ...]
    series: tuple[Series, ...]
    #: what a value counts: "addresses", "per day" or the coin's symbol
    unit: str
    as_of: datetime
    data_at: datetime | None
    stacked: bool = False
    log_y: bool = False
    #: flows: the chain, and the scope in words ("whole desk", a customer, an address)
    chain: str = ""
    scope: str = ""

    def csv_rows(self) -> list[list[str]]:
        """A header (day, then each series key) and one row per day."""
        rows = [["day", *(s.key for s in self.series)]]
        for n, day in enumerate(self.days):
            rows.append([day.isoformat(), *(_number(s.values[n]) for s in self.series)])
        return rows


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.8f}".rstrip("0")


def _when(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def risk_chart(conn: Connection, span: Span, now: datetime) -> Chart:
    """Linked addresses per day by their worst newest level (see vault.dashboards.levels),
    stacked; each day counts the answers up to its end."""
    days = span.days()
    running: dict[int, int] = defaultdict(int)
    per_day: dict[str, list[float]] = {level: [] for level in RISK_STACK}
    changes = sql.risk_changes(conn, last=span.last.isoformat())
    at = 0
    for day in days:
        text = day.isoformat()
        while at < len(changes) and changes[at][0] <= text:
            running[changes[at][1]] += changes[at][2]
            at += 1
        for level in RISK_STACK:
            per_day[level].append(float(running[LEVELS.index(level)]))
    return Chart(
        "risk",
        tuple(days),
        tuple(Series(level, tuple(per_day[level])) for level in RISK_STACK),
        "addresses",
        now,
        _when(sql.newest_answer(conn)),
        stacked=True,
    )


def approvals_chart(conn: Connection, span: Span, now: datetime) -> Chart:
    """Requests made, and approving and rejecting decisions, per day."""
    days = span.days()
    index = {d.isoformat(): n for n, d in enumerate(days)}
    keys = ("requests", "approve", "reject")
    values = {k: [0.0] * len(days) for k in keys}
    first = datetime.combine(span.first, datetime.min.time(), UTC).isoformat()
    for day, what, count in sql.approvals_per_day(conn, first=first, last=span.last.isoformat()):
        if day in index and what in values:
            values[what][index[day]] = float(count)
    return Chart(
        "approvals",
        tuple(days),
        tuple(Series(k, tuple(values[k])) for k in keys),
        "per day",
        now,
        _when(sql.newest_approval(conn)),
    )


@dataclass(frozen=True)
class Scope:
    """Whose flows: the whole desk, one customer, or one address."""

    label: str = "whole desk"
    customer_id: int | None = None
    target: tuple[str, str] | None = None


def flow_charts(conn: Connection, span: Span, now: datetime, scope: Scope) -> list[Chart]:
    """Daily native inflow and outflow, one chart per chain that has any, in whole coins
    (a chain's own unit: ETH, BTC, TRX, ...); log scale, so empty days are gaps."""
    days = span.days()
    index = {d.isoformat(): n for n, d in enumerate(days)}
    inflow: dict[str, list[float]] = {}
    outflow: dict[str, list[float]] = {}
    units: dict[str, str] = {}
    rows = sql.flows_per_day(
        conn,
        first=span.first.isoformat(),
        last=span.last.isoformat(),
        customer_id=scope.customer_id,
        target=scope.target,
    )
    for day, chain, symbol, decimals, into, out in rows:
        if day not in index:
            continue
        scale = 10.0 ** (decimals or 0)
        inflow.setdefault(chain, [0.0] * len(days))[index[day]] += into / scale
        outflow.setdefault(chain, [0.0] * len(days))[index[day]] += out / scale
        units.setdefault(chain, symbol or ("raw units" if decimals is None else chain))
    data_at = _when(sql.newest_flows(conn))
    return [
        Chart(
            f"flows-{chain}",
            tuple(days),
            (Series("inflow", tuple(inflow[chain])), Series("outflow", tuple(outflow[chain]))),
            units[chain],
            now,
            data_at,
            log_y=True,
            chain=chain,
            scope=scope.label,
        )
        for chain in sorted(inflow)
    ]


def all_charts(conn: Connection, span: Span, now: datetime) -> list[Chart]:
    """Every chart of the page for the whole desk (the export)."""
    return [
        risk_chart(conn, span, now),
        approvals_chart(conn, span, now),
        *flow_charts(conn, span, now, Scope()),
    ]
