"""Schema 7: reserved for another branch's migration (a placeholder so that this
branch's schema 8 runs; the lead drops it when the real schema 7 is merged)."""

from __future__ import annotations

SQL = ""
