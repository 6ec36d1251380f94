"""An address's newest risk level, as the approval policy reads it: per provider the
newest answer (status ok, invalid address or unsupported; an error never counts as
an answer), and of those the worst. SQL fragments shared by the overview, the charts
and the subsets a tile opens.
"""

from __future__ import annotations

LEVELS = ("unknown", "none", "low", "medium", "high", "severe")
#: answers that count (app.screening.cache.ANSWERED, as SQL)
ANSWERED_SQL = "('ok', 'invalid_address', 'unsupported')"


def rank_sql(column: str) -> str:
    """A level column as a number: unknown 0, none 1 … severe 5 (LEVELS' positions)."""
    cases = " ".join(f"WHEN '{level}' THEN {n}" for n, level in enumerate(LEVELS))
    return f"(CASE {column} {cases} ELSE 0 END)"


def level_sql(column: str) -> str:
    """The inverse of `rank_sql`: a rank column back to its level's name."""
    cases = " ".join(f"WHEN {n} THEN '{level}'" for n, level in enumerate(LEVELS))
    return f"(CASE {column} {cases} END)"


def refresh_links_sql(where: str) -> str:
    """The UPDATE that works out the kept columns (risk_rank, screened_at, answers) of
    the address links matched by `where` from the screening state (migration 0014): the
    link triggers run it per row, a bulk link (vault.book.addresses) once per batch."""
    newest = (
        "FROM screening_newest n WHERE n.chain = addresses.chain AND n.address = addresses.address"
    )
    answers = (
        "FROM screenings s WHERE s.chain = addresses.chain "
        f"AND s.address = addresses.address AND s.status IN {ANSWERED_SQL}"
    )
    return (
        # SQL fragments are module constants
        f"UPDATE addresses SET risk_rank = (SELECT max(n.rank) {newest}), "  # nosec B608
        f"screened_at = (SELECT max(n.at) {newest}), "
        f"answers = min(2, (SELECT count(*) {answers})) WHERE {where}"
    )
