"""Checking every stored signature again: decisions against their request's stored
content, role grants and revocations against their signers."""

from __future__ import annotations

import json

from app.approvals.checks import decision_ok, grant_ok, revoke_ok
from app.approvals.desk import Desk
from app.approvals.model import VerifyReport
from app.approvals.refresh import refresh_all
from app.approvals.times import Progress
from vault.approvals import store
from vault.connection import Connection


def verify_all(desk: Desk, progress: Progress | None = None) -> VerifyReport:
    """Check every decision signature again from the stored content; the cached
    results and the statuses follow what was found."""
    report, changes = check_signatures(desk.conn, progress=progress)
    if changes:
        with desk.vault.transaction() as tx:
            store.set_verified(tx.conn, changes)
            refresh_all(desk, tx)
    return report


def check_signatures(
    conn: Connection, *, progress: Progress | None = None
) -> tuple[VerifyReport, list[tuple[bool, str]]]:
    """Verify every decision against its request's current content (read-only):
    the report, and the (verified, id) pairs whose cached flag is out of date."""
    total = int(conn.execute("SELECT count(*) FROM approval_decisions").fetchone()[0])
    cursor = conn.execute(
        "SELECT d.id, d.signer, d.verdict, d.reason, d.created_at, d.signature, d.verified, "
        "d.request_id, r.content, d.valuation FROM approval_decisions d "
        "JOIN approval_requests r ON r.id = d.request_id ORDER BY d.request_id"
    )
    checked = verified = 0
    problems: list[str] = []
    changes: list[tuple[bool, str]] = []
    parsed: tuple[str, dict[str, str]] | None = None
    while batch := cursor.fetchmany(2000):
        for did, signer, verdict, reason, at, sig, cached, rid, content, valuation in batch:
            if parsed is None or parsed[0] != rid:
                parsed = (rid, json.loads(content))
            ok = decision_ok(parsed[1], verdict, reason, at, bytes(sig), signer, valuation)
            checked += 1
            if ok:
                verified += 1
            elif len(problems) < 100:
                problems.append(
                    f"decision {did} on request {rid} by {signer}: the signature does not "
                    "verify over the stored request"
                )
            if cached is None or bool(cached) != ok:
                changes.append((ok, did))
        if progress is not None:
            progress(checked, total)
    return VerifyReport(checked, verified, checked - verified, tuple(problems)), changes


def signature_problems(conn: Connection) -> tuple[int, list[str]]:
    """For `strongroom verify`: every decision, role grant and revocation signature,
    read-only.
    Returns (signatures checked, one line per bad one); a vault before schema 5 has none."""
    if not _has_table(conn, "approval_decisions"):
        return 0, []
    report, _ = check_signatures(conn)
    problems = list(report.problems)
    grants = store.grants(conn)
    for g in grants:
        if not grant_ok(g):
            problems.append(f"the {g.role} grant of {g.member_name} does not verify")
    revocations = store.revocations(conn) if _has_table(conn, "approval_revocations") else []
    for r in revocations:
        if not revoke_ok(r):
            problems.append(f"the revocation of {r.member_name}'s {r.role} role does not verify")
    return report.checked + len(grants) + len(revocations), problems


def _has_table(conn: Connection, name: str) -> bool:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return found is not None
