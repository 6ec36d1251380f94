"""How approval values read on screen: ages, kinds, statuses, verdicts.

Pure helpers; any thread (they build no widgets).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from PySide6.QtGui import QColor

from app.screening.overview import age_text
from ui.book.format import label as label  # one wording for codes everywhere

KIND_LABELS = {
    "whitelist": "Whitelist",
    "withdrawal": "Withdrawal",
    "onboarding": "Onboarding / KYC",
    "risk_override": "Risk override",
    "case_close": "Case closing",
}
STATUS_LABELS = {
    "pending": "Pending",
    "approved": "Approved",
    "rejected": "Rejected",
    "blocked": "Blocked",
    "expired": "Expired",
    "needs_refresh": "Needs refresh",
}
VERDICT_LABELS = {"approve": "Approved", "reject": "Rejected", "comment": "Commented"}
RISK_LEVELS = ("none", "low", "medium", "high", "severe")
_STATUS_COLOURS = {
    "approved": "#1b5e20",
    "rejected": "#b71c1c",
    "blocked": "#7f0000",
    "expired": "#666666",
    "needs_refresh": "#8d5300",
}
_RISK_COLOURS = {
    "medium": "#8d5300",
    "high": "#b71c1c",
    "severe": "#7f0000",
    "sanctioned": "#7f0000",
}
#: shown beside anything decided here that no other device has seen yet
LOCAL_LABEL = "local — not yet shared"


def ago(since: datetime, now: datetime | None = None) -> str:
    """ "just now", "12 min ago", "3 d ago": the screening views' wording."""
    return age_text(((now or datetime.now(UTC)) - since).total_seconds())


def age(since: datetime, now: datetime | None = None) -> str:
    """The same for a column: "just now", "12 min", "5 h", "3 d"."""
    return ago(since, now).removesuffix(" ago")


def local_time(moment: datetime) -> str:
    """An aware time in the machine's local time, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def amount(value: Decimal | None, asset: str | None = None) -> str:
    """12345.5 -> "12,345.5", trailing zeros dropped; with the asset after it."""
    if value is None:
        return ""
    text = f"{value.normalize():,f}"
    return f"{text} {asset}" if asset else text


def status_colour(status: str | None) -> QColor | None:
    colour = _STATUS_COLOURS.get(status or "")
    return QColor(colour) if colour else None


def risk_colour(level: str | None) -> QColor | None:
    colour = _RISK_COLOURS.get(level or "")
    return QColor(colour) if colour else None


#: the colour of the "local — not yet shared" label
LOCAL_COLOUR = QColor("#6b4e00")
