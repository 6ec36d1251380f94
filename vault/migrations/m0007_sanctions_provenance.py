"""Schema 7: where a sanctions list's date comes from, and plain lists named by file.

A plain list of addresses carries no date, so the date shown with its answers is
the one the user stated on import ('user'); the SDN XML dates itself ('file').
NULL: an import from before this schema, whose date (if any) came from either.
Plain lists were all labelled 'OFAC SDN (plain list)', whatever their file: each
is now named by its file and asset, as new imports are (mapping.plain_label).
"""

from __future__ import annotations

SQL = """
ALTER TABLE sanctions_lists ADD COLUMN date_from TEXT CHECK (date_from IN ('file', 'user'));
UPDATE sanctions_lists
   SET label = 'plain list ' || file_name || ' (' || substr(source, 12) || ')'
 WHERE source LIKE 'ofac-plain-%' AND label = 'OFAC SDN (plain list)';
"""
