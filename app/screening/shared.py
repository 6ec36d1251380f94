"""The events that let the desk's other devices replay screening answers and explorer
figures (`app.sync.project.screening`): the rows as this device wrote them, the
evidence (the provider's or explorer's body) included.

One event per write transaction, never one per answer: a batch of 200 answers is
one event. Evidence is bytes; an event is JSON, so it travels as base64.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from vault.store import Transaction

SCREENED = "screening.recorded"
EXPLORED = "explorer.refreshed"


def to_text(raw: Any) -> str | None:
    return None if raw is None else base64.b64encode(bytes(raw)).decode("ascii")


def from_text(text: Any) -> bytes | None:
    return base64.b64decode(text) if isinstance(text, str) else None


def screened(tx: Transaction, records: Sequence[Mapping[str, Any]]) -> None:
    """The `screenings` rows this transaction wrote (`RiskResult.to_record()`)."""
    if records:
        tx.event(SCREENED, {"rows": [{**r, "raw": to_text(r.get("raw"))} for r in records]})


def explored(tx: Transaction, answers: Sequence[Mapping[str, Any]]) -> None:
    """The explorer answers this transaction wrote (`explorer_data.store_answer`'s rows)."""
    if answers:
        tx.event(
            EXPLORED,
            {
                "answers": [
                    {**a, "summary": {**a["summary"], "raw": to_text(a["summary"].get("raw"))}}
                    for a in answers
                ]
            },
        )
