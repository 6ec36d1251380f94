"""Schema 18: periodic reviews and cases.

- review_policies: every version of the review policy's YAML (how often a customer
  is reviewed by risk rating, the checklist); the highest version is in force.
- reviews: each review taken, with its checklist answers, outcome, the reasons it
  was due, and the reviewer's EIP-712 signature over all of it (app.reviews.signing).
  The newest review of a customer restarts its clock.
- cases: what a suspicion is about (one customer), its owner, status (open,
  escalated, closed), and how it was closed: the closing disposition is proposed
  as an approval request of kind 'case_close' and takes effect when a second
  officer approves it (four eyes).
- case_items: what a case gathers, each by the id of the thing it links (a name
  hit's id, a screened address as chain:address, a document's uid, an alert's id
  once alerts exist, an explorer flow as chain:txid) or, for a note, its text.

approval_requests' kind CHECK is widened to take 'case_close'. SQLite cannot
alter a CHECK, and rebuilding the table would cut the foreign keys of the
decisions; widening a CHECK leaves every stored row valid and the file format
unchanged, so it is done in place the way SQLite documents for that case
(writable_schema, then the schema cookie bumped so every connection rereads it).
"""

from __future__ import annotations

from vault.connection import Connection
from vault.errors import VaultError

OLD_KINDS = "CHECK (kind IN ('whitelist', 'withdrawal', 'onboarding', 'risk_override'))"
NEW_KINDS = (
    "CHECK (kind IN ('whitelist', 'withdrawal', 'onboarding', 'risk_override', 'case_close'))"
)

STATEMENTS = (
    """CREATE TABLE review_policies (
        version    INTEGER PRIMARY KEY,
        text       TEXT NOT NULL,
        sha256     TEXT NOT NULL,
        set_by     TEXT NOT NULL,
        created_at TEXT NOT NULL
    ) STRICT""",
    """CREATE TABLE reviews (
        id          INTEGER PRIMARY KEY,
        uid         TEXT NOT NULL UNIQUE,
        customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
        reviewed_at TEXT NOT NULL,
        risk_rating TEXT,
        answers     TEXT NOT NULL CHECK (json_valid(answers)),
        outcome     TEXT NOT NULL,
        reasons     TEXT NOT NULL CHECK (json_valid(reasons)),
        member_id   TEXT NOT NULL,
        signer      TEXT NOT NULL,
        typed_hash  BLOB NOT NULL,
        signature   BLOB NOT NULL
    ) STRICT""",
    # the due list reads each customer's newest review through this index alone
    "CREATE INDEX reviews_by_customer ON reviews (customer_id, reviewed_at)",
    """CREATE TABLE cases (
        id            INTEGER PRIMARY KEY,
        uid           TEXT NOT NULL UNIQUE,
        customer_id   INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
        title         TEXT NOT NULL,  -- sealed under the customer's key (enc:v1:...)
        owner         TEXT NOT NULL,
        status        TEXT NOT NULL DEFAULT 'open'
                      CHECK (status IN ('open', 'escalated', 'closed')),
        disposition   TEXT CHECK (disposition IN
                      ('sar_filed', 'no_further_action', 'relationship_exited')),
        disposition_reason TEXT,  -- sealed under the customer's key
        close_request TEXT,
        opened_at     TEXT NOT NULL,
        opened_by     TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        closed_at     TEXT
    ) STRICT""",
    "CREATE INDEX cases_by_status ON cases (status, updated_at)",
    "CREATE INDEX cases_by_customer ON cases (customer_id)",
    "CREATE INDEX cases_by_close_request ON cases (close_request) WHERE close_request IS NOT NULL",
    # A case closes when its closing request is approved, whoever writes the status
    # (a decision here, a replay from another device), at the newest approval's time;
    # it opens again if that approval stops counting (a role revoked).
    "CREATE TRIGGER case_closed_on_approval AFTER UPDATE OF status ON approval_requests "
    "WHEN NEW.kind = 'case_close' AND NEW.status = 'approved' AND OLD.status != 'approved' "
    "BEGIN UPDATE cases SET status = 'closed', closed_at = (SELECT max(d.created_at) "
    "FROM approval_decisions d WHERE d.request_id = NEW.id AND d.verdict = 'approve'), "
    "updated_at = coalesce((SELECT max(d.created_at) FROM approval_decisions d "
    "WHERE d.request_id = NEW.id), updated_at) WHERE close_request = NEW.id; END",
    "CREATE TRIGGER case_reopened_on_approval AFTER UPDATE OF status ON approval_requests "
    "WHEN NEW.kind = 'case_close' AND OLD.status = 'approved' AND NEW.status != 'approved' "
    "BEGIN UPDATE cases SET status = 'open', closed_at = NULL "
    "WHERE close_request = NEW.id AND status = 'closed'; END",
    """CREATE TABLE case_items (
        id       INTEGER PRIMARY KEY,
        uid      TEXT NOT NULL UNIQUE,
        case_id  INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        kind     TEXT NOT NULL CHECK (kind IN
                 ('alert', 'name_hit', 'address_hit', 'flow', 'note', 'document')),
        ref      TEXT NOT NULL,
        body     TEXT,  -- a note's text, sealed under the customer's key
        added_by TEXT NOT NULL,
        added_at TEXT NOT NULL,
        UNIQUE (case_id, kind, ref)
    ) STRICT""",
)


def _widen_request_kinds(conn: Connection) -> None:
    row = conn.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'approval_requests'"
    ).fetchone()
    sql = str(row[0]) if row else ""
    if OLD_KINDS not in " ".join(sql.split()):
        raise VaultError("the approval_requests table is not the one schema 5 made")
    widened = sql.replace("'risk_override')", "'risk_override', 'case_close')", 1)
    cookie = int(conn.execute("PRAGMA schema_version").fetchone()[0])
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute(
            "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'approval_requests'",
            (widened,),
        )
        conn.execute(f"PRAGMA schema_version = {cookie + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


def upgrade(conn: Connection) -> None:
    _widen_request_kinds(conn)
    for statement in STATEMENTS:
        conn.execute(statement)
