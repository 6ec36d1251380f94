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
