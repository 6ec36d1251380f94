"""The desk's alert rules kept in the vault (alert_rules), audited when set."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from app.alerts.rules import Rules, default_rules, default_text, parse
from vault.connection import Connection
from vault.store import Vault


def current_text(conn: Connection) -> str:
    """The rules the desk set, else the shipped defaults."""
    row = conn.execute("SELECT text FROM alert_rules WHERE id = 1").fetchone()
    return default_text() if row is None else str(row[0])


def current_rules(conn: Connection) -> Rules:
    row = conn.execute("SELECT text FROM alert_rules WHERE id = 1").fetchone()
    # A stored text was checked when it was set; it parses the same way now.
    return default_rules() if row is None else parse(str(row[0]))


def set_rules(vault: Vault, text: str) -> Rules:
    """Check `text` (RulesError with line and column) and keep it; audited."""
    rules = parse(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    with vault.transaction() as tx:
        tx.execute(
            "INSERT INTO alert_rules (id, text, set_at, set_by) VALUES (1, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET text = excluded.text, set_at = excluded.set_at, "
            "set_by = excluded.set_by",
            (text, datetime.now(UTC).isoformat(timespec="seconds"), vault.log.author),
        )
        enabled = sorted(rule.name for rule in rules.enabled())
        tx.event("alerts.rules_set", {"sha256": digest, "enabled": enabled})
    return rules
