"""Schema 14: each address's newest risk level, kept up to date as answers arrive.

The desk overview counts linked addresses and customers by their worst newest level
(vault.dashboards.levels): worked out from the whole screening history on every read
it took seconds on a big book. Now:

- screening_newest holds, per (chain, address, provider), the level (as a rank,
  levels.LEVELS' position) and time of the provider's newest answer (an error never
  counts as an answer);
- addresses.risk_rank and addresses.screened_at hold the worst of those ranks and
  the newest of those times for the address of each link (NULL: never answered),
  addresses.answers how many answers the address has had (all providers), counted
  up to 2: the risk chart only tells one answer from more.

Triggers keep both in the same transaction as every screening written and every
address linked, whoever writes them (the app, the demo, imports, raw SQL), so no
writer can forget. History is only ever appended to (no screening is updated or
deleted); a backdated answer older than the held one changes nothing, as it is not
the newest. The ranks are filled here from the existing history, ties on fetched_at
going to the later row as they do when answers arrive.

Also an index of the answers per address in time order, holding every column the
risk-over-time chart reads, so it is one pass without a sort; and one of the
sanctioned answers by time, for the sanctions tile's recent hits.
"""

from __future__ import annotations

from vault.connection import Connection
from vault.dashboards.levels import ANSWERED_SQL, rank_sql, refresh_links_sql

_NEW = "chain = NEW.chain AND address = NEW.address"
# SQL fragments are module constants
_WORST = (
    "SELECT max(n.rank) FROM screening_newest n "
    f"WHERE n.{_NEW.replace(' AND ', ' AND n.')}"  # nosec B608
)
#: An answer sets each derived column of its address's links only where it changes:
#: the row and the indexes holding a column are rewritten only then, so a re-screen
#: at the same level moves screened_at alone (the writes of a big batch stay small).
_ON_ANSWER = (
    # SQL fragments are module constants
    f"UPDATE addresses SET screened_at = NEW.fetched_at WHERE {_NEW} "  # nosec B608
    "AND (screened_at IS NULL OR screened_at < NEW.fetched_at); "
    f"UPDATE addresses SET answers = answers + 1 WHERE {_NEW} AND answers < 2; "
    f"UPDATE addresses SET risk_rank = ({_WORST}) WHERE {_NEW} "
    f"AND risk_rank IS NOT ({_WORST})"
)


STATEMENTS = (
    "CREATE TABLE screening_newest ("
    " chain TEXT NOT NULL, address TEXT NOT NULL, provider TEXT NOT NULL,"
    " rank INTEGER NOT NULL, at TEXT NOT NULL,"
    " PRIMARY KEY (chain, address, provider)) STRICT, WITHOUT ROWID",
    "ALTER TABLE addresses ADD COLUMN risk_rank INTEGER",
    "ALTER TABLE addresses ADD COLUMN screened_at TEXT",
    # The risk chart reads every answer once, per address in time order, from this
    # index alone (vault.dashboards.series.risk_changes).
    # (status too: SQLite reads it to check the query's condition, even in a partial index)
    "CREATE INDEX screenings_history ON screenings (chain, address, fetched_at, provider, "
    f"level, status) WHERE status IN {ANSWERED_SQL}",
    "ALTER TABLE addresses ADD COLUMN answers INTEGER NOT NULL DEFAULT 0",
    # SQL fragments are module constants
    "CREATE TRIGGER screening_newest_on_answer AFTER INSERT ON screenings "  # nosec B608
    f"WHEN NEW.status IN {ANSWERED_SQL} BEGIN "
    "INSERT INTO screening_newest (chain, address, provider, rank, at) "
    f"VALUES (NEW.chain, NEW.address, NEW.provider, {rank_sql('NEW.level')}, NEW.fetched_at) "
    "ON CONFLICT (chain, address, provider) DO UPDATE SET rank = excluded.rank, "
    "at = excluded.at WHERE excluded.at >= screening_newest.at; "
    f"{_ON_ANSWER}; END",
    # A link to an address never answered (an import's usual row) already holds the
    # right values (NULL, NULL, 0): only the others are worked out.
    # SQL fragments are module constants
    "CREATE TRIGGER screening_newest_on_link AFTER INSERT ON addresses "  # nosec B608
    "WHEN NEW.risk_rank IS NOT NULL OR NEW.screened_at IS NOT NULL OR NEW.answers != 0 "
    "OR EXISTS (SELECT 1 FROM screening_newest n "
    "WHERE n.chain = NEW.chain AND n.address = NEW.address) "
    f"BEGIN {refresh_links_sql('id = NEW.id')}; END",
    "CREATE TRIGGER screening_newest_on_relink AFTER UPDATE OF chain, address ON addresses "
    f"BEGIN {refresh_links_sql('id = NEW.id')}; END",
    # The overview's counts read these without touching the links themselves.
    "CREATE INDEX addresses_by_risk ON addresses (risk_rank)",
    "CREATE INDEX addresses_by_screened ON addresses (screened_at)",
    # (it also serves every look-up by customer, so the index of customer_id alone goes)
    "CREATE INDEX addresses_by_customer_risk ON addresses (customer_id, risk_rank)",
    "DROP INDEX addresses_by_customer",
    # The risk chart sums the addresses answered once from the first index, already in
    # (day, rank) order, so grouping needs no sort; it reads the history of the others
    # in address order through the second.
    "CREATE INDEX addresses_by_answer_day ON addresses "
    "(answers, substr(screened_at, 1, 10), risk_rank)",
    "CREATE INDEX addresses_answered_again ON addresses (chain, address, answers) "
    "WHERE answers > 1",
    # The sanctions tile counts recent hits: a range of this small index, not a scan.
    "CREATE INDEX screenings_hits ON screenings (fetched_at, chain, address) WHERE sanctioned = 1",
)


#: the derived state worked out from the whole history (ties on fetched_at go to the
#: higher id, the row written last, as in the trigger)
FILL = (
    "DELETE FROM screening_newest",
    # SQL fragments are module constants
    "INSERT INTO screening_newest (chain, address, provider, rank, at) "  # nosec B608
    f"SELECT chain, address, provider, {rank_sql('level')}, fetched_at FROM ("
    "SELECT chain, address, provider, level, fetched_at, row_number() OVER ("
    "PARTITION BY chain, address, provider ORDER BY fetched_at DESC, id DESC) AS nth "
    f"FROM screenings WHERE status IN {ANSWERED_SQL}) WHERE nth = 1",
    refresh_links_sql("1"),
)


def upgrade(conn: Connection) -> None:
    for statement in (*STATEMENTS, *FILL):
        conn.execute(statement)
