"""Schema 11: reserved for another branch's migration (a placeholder so that this
branch's schema 12 runs; the lead drops it when the real schema 11 is merged)."""

from __future__ import annotations

SQL = ""
