"""The desk's policy as stored: its YAML text, and setting a new version (admins)."""

from __future__ import annotations

from app.approvals import record
from app.approvals.desk import Desk
from app.approvals.members import require_admin
from app.approvals.policy import default_text, parse
from app.approvals.refresh import refresh_all
from app.approvals.times import iso
from vault.approvals import store


def policy_text(desk: Desk) -> str:
    current = store.current_policy(desk.conn)
    return default_text() if current is None else current[1]


def set_policy(desk: Desk, text: str) -> None:
    """Raises PolicyError(line, column, message); statuses are recomputed at once."""
    parse(text)
    actor = require_admin(desk)
    with desk.vault.transaction() as tx:
        record.policy(tx, text=text, set_by=actor.member, now=iso(desk.clock()))
        refresh_all(desk, tx)
