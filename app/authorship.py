"""Who did what: the member who made an approvals fact, apart from who recorded it.

An event's `author` is the OS user on the device that recorded it. For an
approvals fact (a request, a signed decision, a role grant) that is not who made
it: the desk member is, whose key signed it, and several members may share one
machine (or, with sync, the fact was made on another device). Approvals events
name that member in `by`; events written before they did name the signer by
address only, which is looked up among the desk's members.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vault.connection import Connection

#: the payload field holding the signing address, for events older than `by`
_SIGNER_FIELD = {
    "approvals.decided": "signer",
    "approvals.role_granted": "granted_by",
    "approvals.role_revoked": "revoked_by",
}


class Members:
    """Names the member behind an event. Reads the desk's members once, on the
    thread of `conn` (the database worker or a read connection)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._names: dict[str, str] | None = None

    def _by_address(self) -> dict[str, str]:
        if self._names is None:
            exists = self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'approval_members'"
            ).fetchone()
            rows = (
                self._conn.execute("SELECT address, name FROM approval_members") if exists else ()
            )
            self._names = {str(address): str(name) for address, name in rows}
        return self._names

    def of(self, type_: str, payload: Any) -> str:
        """The member who made this event's fact, or "" when no member did (an
        ordinary change, or a status the rules derived)."""
        if not type_.startswith("approvals.") or not isinstance(payload, Mapping):
            return ""
        by = payload.get("by")
        if isinstance(by, Mapping) and isinstance(by.get("name"), str):
            return str(by["name"])
        address = payload.get(_SIGNER_FIELD.get(type_, ""))
        if type_ == "approvals.requested" and isinstance(payload.get("content"), Mapping):
            address = payload["content"].get("createdBy")
        if isinstance(address, str):
            return self._by_address().get(address, "")
        return ""
