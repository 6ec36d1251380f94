"""The words of the Dashboards: tile titles and figure and series names, translated.
Keys come from app.dashboards (plain data); only this module turns them into text."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication

from app.dashboards.charts import Chart
from app.dashboards.overview import Tile
from app.screening.overview import age_text

_CONTEXT = "Dashboards"


def tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def tile_title(key: str) -> str:
    return {
        "kyc": tr("Customers by KYC status"),
        "reviews": tr("KYC reviews due"),
        "levels": tr("Newest risk level"),
        "screening_age": tr("Screening coverage"),
        "sanctions": tr("Sanctions hits"),
        "approvals": tr("Open approvals by age"),
        "alerts": tr("Alerts open"),
    }.get(key, key)


def tile_note(tile: Tile) -> str:
    facts = dict(tile.facts)
    if tile.key == "levels":
        return tr("Worst of each provider's newest answer, per linked address and customer")
    if tile.key == "screening_age":
        return tr("“Too long ago”: the newest answer is over {0} days old").format(
            int(facts.get("stale_days", 0))
        )
    if tile.key == "sanctions":
        return tr("Addresses listed in an answer of the last {0} days").format(
            int(facts.get("days", 0))
        )
    if tile.key == "approvals":
        return tr("The policy lets a request expire after {0:g} days").format(
            facts.get("expiry_days", 0)
        )
    if tile.key == "alerts":
        return tr("Raised by the alert rules; acknowledged ones stay until they clear")
    if tile.key == "reviews":
        return tr("By the KYC expiry date of each customer")
    return ""


_LEVELS = {
    "severe": "Severe",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
    "none": "None",
    "unknown": "Unknown",
}
_KYC = {
    "approved": "Approved",
    "pending": "Pending",
    "not_started": "Not started",
    "expired": "Expired",
    "rejected": "Rejected",
}


def figure_label(key: str) -> str:
    """A figure's name on its tile (and on the list it opens)."""
    if key.startswith(("addresses_", "customers_")):
        what, level = key.split("_", 1)
        text = tr(_LEVELS.get(level, level))
        return (
            tr("Addresses: {0}").format(text)
            if what == "addresses"
            else tr("Customers: {0}").format(text)
        )
    if key.startswith("older_"):
        return tr("Older than {0} d").format(key.split("_", 1)[1])
    fixed = {
        "overdue": tr("Overdue"),
        "due_30": tr("Due within 30 days"),
        "due_60": tr("Due in 31–60 days"),
        "due_90": tr("Due in 61–90 days"),
        "never": tr("Never screened"),
        "stale": tr("Screened too long ago"),
        "linked": tr("Linked addresses"),
        "hits": tr("Sanctioned addresses"),
        "open": tr("Open requests"),
        "younger": tr("Under 1 d"),
        "expired": tr("Expired"),
        "alerts_open": tr("Open alerts"),
        "alerts_critical": tr("Critical"),
        "alerts_warning": tr("Warning"),
        "alerts_info": tr("Info"),
        "alerts_acknowledged": tr("Acknowledged, not cleared"),
    }
    return fixed.get(key) or tr(_KYC.get(key, key))


def series_label(key: str) -> str:
    fixed = {
        "requests": tr("Requests"),
        "approve": tr("Approvals"),
        "reject": tr("Rejections"),
        "inflow": tr("Inflow"),
        "outflow": tr("Outflow"),
    }
    return fixed.get(key) or tr(_LEVELS.get(key, key))


def chart_title(chart: Chart) -> str:
    if chart.key == "risk":
        return tr("Risk over time: linked addresses by newest level")
    if chart.key == "approvals":
        return tr("Approvals per day: requests, approvals, rejections")
    return tr("Flows per day of {0}, {1} in {2} (log scale)").format(
        chart.scope, chart.chain, chart.unit
    )


def as_of_text(as_of: datetime, data_at: datetime | None) -> str:
    """'As of 16:05 · newest data 3 h ago' (or 'no data yet')."""
    read = as_of.astimezone().strftime("%H:%M")
    if data_at is None:
        return tr("As of {0} · no data yet").format(read)
    age = age_text(max(0.0, (as_of - data_at).total_seconds()))
    return tr("As of {0} · newest data {1}").format(read, age)
