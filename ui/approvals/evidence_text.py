"""The evidence of one request as HTML for the pane beside the queue.

Pure: `render(evidence, now)` builds text from values (any thread).
Everything that came from outside says how old it is and where from.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any

from app.approvals.model import DecisionView
from app.prices.valuation import Valuation
from app.screening.risk import RiskResult
from ui.approvals import format as fmt
from ui.approvals import value_text
from ui.approvals.evidence_data import Evidence
from ui.book import format as book_fmt

_STYLE = (
    "<style>"
    "h3 { margin: 10px 0 4px 0; color: #333; }"
    "td { padding: 1px 8px 1px 0; vertical-align: top; }"
    ".muted { color: #666; } .ok { color: #1b5e20; } .bad { color: #b71c1c; }"
    ".warn { color: #8d5300; } .local { color: #6b4e00; background: #fff3cd; }"
    ".mono { font-family: monospace; }"
    "</style>"
)
_KYC_CLASS = {"approved": "ok", "rejected": "bad", "expired": "bad", "pending": "warn"}
_LEVEL_CLASS = {"medium": "warn", "high": "bad", "severe": "bad"}
_STATUS_CLASS = {"approved": "ok", "rejected": "bad", "blocked": "bad", "needs_refresh": "warn"}


def _span(text: str, css: str | None) -> str:
    return f'<span class="{css}">{escape(text)}</span>' if css else escape(text)


def _local() -> str:
    return f' <span class="local">&nbsp;{escape(fmt.LOCAL_LABEL)}&nbsp;</span>'


def render(evidence: Evidence, now: datetime) -> str:
    detail = evidence.detail
    row = detail.row
    status = fmt.label(row.status, fmt.STATUS_LABELS)
    parts = [
        _STYLE,
        f"<h2>{escape(fmt.label(row.kind, fmt.KIND_LABELS))} · {escape(row.customer_name)}</h2>",
        f"<p>{_span(status, _STATUS_CLASS.get(row.status))}"
        f" · {row.approvals} approval{'s' if row.approvals != 1 else ''} counted"
        + (f" · still needed: {escape(row.needed)}" if row.needed and not detail.reasons else "")
        + (_local() if row.local_only else "")
        + f'<br><span class="muted">Made {escape(fmt.ago(row.created_at, now))}'
        f" ({escape(fmt.local_time(row.created_at))}) by {escape(row.created_by)}</span></p>",
    ]
    if detail.reasons:
        parts.append("<h3>Why this status</h3><ul>")
        parts += [f"<li>{escape(reason)}</li>" for reason in detail.reasons]
        parts.append("</ul>")
    if row.valuation is not None:
        parts.append(_value(row.valuation, now))
    parts.append(_request_fields(detail.fields))
    parts.append(_decisions(detail.decisions, now))
    if row.address:
        parts.append(_screenings(evidence.screenings, now))
        parts.append(_explorer(evidence.explorer, now))
    parts.append(_customer(evidence))
    return "".join(parts)


#: the signed fields in reading order; empty ones are left out
FIELD_ORDER = (
    "kind",
    "customer",
    "chain",
    "address",
    "asset",
    "amount",
    "limit",
    "justification",
    "createdAt",
    "createdBy",
    "id",
)
_FIELD_LABELS = {"createdAt": "made at", "createdBy": "made by (key)"}


def _request_fields(fields: Mapping[str, str]) -> str:
    ordered = [k for k in FIELD_ORDER if k in fields] + sorted(set(fields) - set(FIELD_ORDER))
    rows = "".join(
        f'<tr><td class="muted">{escape(_FIELD_LABELS.get(key, key))}</td>'
        f'<td class="{"mono" if key in ("address", "createdBy", "id") else ""}">'
        f"{escape(str(fields[key]))}</td></tr>"
        for key in ordered
        if str(fields[key])
    )
    return f"<h3>Request (the signed content)</h3><table>{rows}</table>"


def _value(valuation: Valuation, now: datetime) -> str:
    """The value the tiers count, and the price behind it with its age and source."""
    price = escape(value_text.price_line(valuation, now))
    if valuation.value is None:
        what = _span(
            f"No fresh price: {valuation.missing}. The top tier applies "
            f"(or the policy's own tiers for {valuation.asset}).",
            "warn",
        )
    else:
        money = f"<b>{escape(value_text.money(valuation.value, valuation.currency))}</b>"
        if valuation.asset == valuation.currency:
            what = money  # a whitelist limit: given in the reference currency
        else:
            what = f"{escape(fmt.amount(valuation.amount, valuation.asset))} = {money}"
    return f'<h3>Value</h3><p>{what}<br><span class="muted">{price}</span></p>'


def _decisions(decisions: tuple[DecisionView, ...], now: datetime) -> str:
    if not decisions:
        return '<h3>Decisions</h3><p class="muted">None yet.</p>'
    items = []
    for d in decisions:
        verdict = fmt.label(d.verdict, fmt.VERDICT_LABELS)
        if d.ignored_reason:
            check = _span(f"ignored: {d.ignored_reason}", "bad")
        elif d.verified:
            check = _span("✔ verified" + ("" if d.counted else " (not counted)"), "ok")
        else:
            check = _span("✖ signature not verified", "bad")
        items.append(
            f"<li><b>{escape(verdict)}</b> by {escape(d.member)} "
            f'<span class="muted">{escape(fmt.ago(d.created_at, now))}</span> — {check}'
            + (_local() if d.local_only else "")
            + (f"<br>“{escape(d.reason)}”" if d.reason else "")
            + _signed_value(d)
            + f'<br><span class="muted mono">{escape(d.signer)}</span></li>'
        )
    return "<h3>Decisions</h3><ul>" + "".join(items) + "</ul>"


def _signed_value(decision: DecisionView) -> str:
    if decision.valuation is None:
        return ""
    line = value_text.signed_line(dict(decision.valuation))
    return f'<br><span class="muted">{escape(line)}</span>' if line else ""


def _screenings(results: tuple[RiskResult, ...], now: datetime) -> str:
    if not results:
        return (
            '<h3>Screenings</h3><p class="warn">This address has not been screened. '
            "Screen it in the Screening section before deciding.</p>"
        )
    rows = []
    for r in results:
        age = fmt.ago(r.fetched_at, now)
        if r.ok:
            what = _span(f"{r.level} · score {r.score}", _LEVEL_CLASS.get(str(r.level)))
            if r.sanctioned:
                what = _span(
                    f"SANCTIONED{f' — {r.sanctioned_party}' if r.sanctioned_party else ''}", "bad"
                )
            if r.categories:
                what += f' <span class="muted">({escape(", ".join(r.categories))})</span>'
        else:
            what = _span(f"not screened ({r.status}): {r.error or 'no details'}", "warn")
        source = r.source or r.provider
        rows.append(
            f"<tr><td>{escape(r.provider)}</td><td>{what}</td>"
            f'<td class="muted">{escape(age)}</td>'
            f'<td class="muted">{escape(source)}</td></tr>'
        )
    return "<h3>Screenings (newest per provider)</h3><table>" + "".join(rows) + "</table>"


def _explorer(summaries: tuple[dict[str, Any], ...], now: datetime) -> str:
    if not summaries:
        return '<h3>Explorer data</h3><p class="muted">None stored for this address.</p>'
    items = []
    for s in summaries:
        balances = ", ".join(_balance(b) for b in s.get("balances", [])) or "no balance"
        seen = " – ".join(
            book_fmt.local(str(s[k]))[:10] for k in ("first_seen", "last_seen") if s.get(k)
        )
        fetched = _parse(s.get("fetched_at"))
        age = fmt.ago(fetched, now) if fetched is not None else ""
        items.append(
            f"<li>{escape(balances)} · {s.get('tx_count') or 0} transactions"
            + (f" · active {escape(seen)}" if seen else "")
            + f' <span class="muted">— {escape(str(s.get("source", "")))}, '
            f"{escape(age)}</span></li>"
        )
    return "<h3>Explorer data</h3><ul>" + "".join(items) + "</ul>"


def _balance(balance: dict[str, Any]) -> str:
    decimals = balance.get("decimals")
    amount = int(balance.get("amount", 0))
    symbol = balance.get("symbol") or "?"
    if decimals is None:
        return f"{amount} (raw) {symbol}"
    return f"{fmt.amount(Decimal(amount).scaleb(-int(decimals)))} {symbol}"


def _parse(value: object) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _customer(evidence: Evidence) -> str:
    customer = evidence.customer
    if customer is None:
        return '<h3>Customer</h3><p class="bad">The customer no longer exists.</p>'
    kyc = book_fmt.label(customer.kyc_status, book_fmt.KYC_LABELS)
    parts = [f"KYC {_span(kyc, _KYC_CLASS.get(customer.kyc_status))}"]
    if customer.kyc_expires_at:
        parts.append(f"expires {escape(customer.kyc_expires_at[:10])}")
    if customer.kyc_updated_at:
        parts.append(
            f'<span class="muted">updated {escape(book_fmt.local(customer.kyc_updated_at))}</span>'
        )
    risk = book_fmt.label(customer.risk_rating, book_fmt.RISK_LABELS) or "not rated"
    parts.append(f"risk rating {escape(risk.lower())}")
    ident = f"#{customer.id}" + (f" · {customer.external_id}" if customer.external_id else "")
    return (
        f"<h3>Customer</h3><p>{escape(customer.display_name)} "
        f'<span class="muted">{escape(ident)}</span><br>' + " · ".join(parts) + "</p>"
    )
