"""Schema 16: alerts raised by the rules (app.alerts), and the rules the desk set.

An alert is raised once per rule and subject (`subject`: the rule's name for what it
is about, e.g. `customer:<uid>` or `address:ethereum:0x...`) and stays the live one
until its condition no longer holds (`cleared_at`); only then can the same rule raise
again for that subject, which the partial unique index enforces. Acknowledging,
snoozing and turning an alert into a task set columns of the live row.

`alert_rules` holds the YAML the desk set (one row; none: the shipped defaults).
"""

from __future__ import annotations

SQL = """
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL UNIQUE,
    rule            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    severity        TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    customer_id     INTEGER REFERENCES customers (id) ON DELETE CASCADE,
    request_id      TEXT,
    chain           TEXT,
    address         TEXT,
    why             TEXT NOT NULL,
    facts           TEXT NOT NULL CHECK (json_valid(facts)),
    raised_at       TEXT NOT NULL,
    cleared_at      TEXT,
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    ack_reason      TEXT,
    snoozed_until   TEXT,
    task_id         INTEGER
) STRICT;
-- One live alert per rule and subject: the rules' run looks each up by these.
CREATE UNIQUE INDEX alerts_live ON alerts (rule, subject) WHERE cleared_at IS NULL;
-- The inbox and the badge: live alerts newest first.
CREATE INDEX alerts_inbox ON alerts (raised_at) WHERE cleared_at IS NULL;
CREATE INDEX alerts_by_customer ON alerts (customer_id) WHERE customer_id IS NOT NULL;

CREATE TABLE alert_rules (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    text    TEXT NOT NULL,
    set_at  TEXT NOT NULL,
    set_by  TEXT NOT NULL
) STRICT;
"""
