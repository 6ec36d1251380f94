"""Schema 8: reserved for another branch's migration (a placeholder so that this
branch's schema 9 runs; the lead drops it when the real schema 8 is merged)."""

from __future__ import annotations

SQL = ""
