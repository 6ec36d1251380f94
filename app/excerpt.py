"""A short excerpt of outside text for a message: never a whole cell, line or file."""

from __future__ import annotations

#: characters of outside text a message may quote
EXCERPT = 60


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """`text` on one line, cut to `limit` characters with "…" and how long it was."""
    flat = text[: limit + 1].replace("\r", " ").replace("\n", " ")
    if len(text) <= limit:
        return flat
    return f"{flat[:limit]}… ({len(text):,} characters)"
