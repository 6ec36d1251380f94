"""Schema 19: the indexes of the kept levels (migration 0014) hold only answered links.

A newly linked address is almost always one never answered (an import's rows):
risk_rank and screened_at NULL, answers 0. The three indexes the overview and the
risk chart read held every link anyway, so each imported row was written into three
indexes that no query reads it from (a sixth of a 100k import). Each is now partial,
holding only what its readers ask for:

- addresses_by_risk: links with a level (`risk_rank IS NOT NULL`, `risk_rank = ?`);
- addresses_by_screened: links with an answer time (`screened_at < ?`,
  `max(screened_at) ... WHERE screened_at IS NOT NULL`);
- addresses_by_answer_day: links answered exactly once (`answers = 1`), which is the
  only condition the risk chart reads it with.

"Never screened" (`risk_rank IS NULL`) is most of a book and was read by a scan of
the index anyway; it is now a scan of the table.
"""

from __future__ import annotations

SQL = """
DROP INDEX addresses_by_risk;
CREATE INDEX addresses_by_risk ON addresses (risk_rank) WHERE risk_rank IS NOT NULL;
DROP INDEX addresses_by_screened;
CREATE INDEX addresses_by_screened ON addresses (screened_at) WHERE screened_at IS NOT NULL;
DROP INDEX addresses_by_answer_day;
CREATE INDEX addresses_by_answer_day ON addresses (substr(screened_at, 1, 10), risk_rank)
    WHERE answers = 1;
"""
