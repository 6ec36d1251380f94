"""One line per history event, in words: "Country: — → GB", "call: Spoke about…".

Pure functions over `HistoryRow.details` (the payload with personal values
opened); any thread.
"""

from __future__ import annotations

from typing import Any

from app.book.reads import HistoryRow
from ui.errors import field_label

_NAMES = {"display_name": "name", "kyc_status": "KYC status", "body": "text"}
_SKIP = {"customer", "note", "conflict", "by"}  # "by": the Who column names them


def _label(key: str) -> str:
    name = _NAMES.get(key, key)
    return name if name[:1].isupper() else field_label(name)


def _value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return _pairs(value)
    return str(value)


def _pairs(values: dict[str, Any]) -> str:
    return ", ".join(
        f"{_label(k)} {_value(v)}"
        for k, v in values.items()
        if k not in _SKIP and v not in (None, "", [])
    )


def _changes(old: dict[str, Any], new: dict[str, Any]) -> str:
    keys = list(dict.fromkeys([*new, *old]))
    return "; ".join(f"{_label(k)}: {_value(old.get(k))} → {_value(new.get(k))}" for k in keys)


def describe(row: HistoryRow) -> str:
    d = row.details
    old, new = d.get("old"), d.get("new")
    if isinstance(old, dict) and isinstance(new, dict):
        where = ""
        if "address" in d:
            where = f"{d.get('chain', '')} {d['address']}: "
        elif "field" in d:
            return f"{d['field']}: {_value(old.get('body'))} → {_value(new.get('body'))}"
        return where + _changes(old, new)
    if isinstance(d.get("values"), dict):
        return _pairs(d["values"])
    if row.type.startswith(("address.", "addresses.")) and "address" in d:
        extra = _pairs({k: v for k, v in d.items() if k not in ("chain", "address")})
        return f"{d.get('chain', '')} {d['address']}" + (f" · {extra}" if extra else "")
    if row.type == "note.added":
        return f"{d.get('kind', 'note')}: {_value(d.get('body'))}"
    if row.type == "task.added":
        due = f" (due {d['due_at']})" if d.get("due_at") else ""
        return f"{_value(d.get('body'))}{due}"
    if row.type == "document.added":
        dates = _pairs({k: d.get(k) for k in ("issued_on", "expires_on")})
        kind = str(d.get("type", "document")).replace("_", " ")
        return f"{kind}: {_value(d.get('file_name'))}" + (f" · {dates}" if dates else "")
    if row.type in ("document.viewed", "document.copied"):
        return f"document {str(d.get('document', ''))[:8]}"
    if row.type == "task.done":
        return f"task #{d.get('task')} done"
    return _pairs(d)
