"""Cases as plain values, for the GUI and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: draws the report: (its HTML, the PDF file to write); the front end hands it in
PdfWriter = Callable[[str, Path], None]
STATUSES = ("open", "escalated", "closed")
#: what a case can gather, and how each is named (`ref`)
ITEM_KINDS = ("name_hit", "address_hit", "flow", "document", "alert", "note")
REF_HELP = {
    "name_hit": "a name hit's id (strongroom names hits)",
    "address_hit": "a screened address as chain:address",
    "flow": "an address whose explorer flows matter, as chain:address",
    "document": "a document's id (strongroom documents list)",
    "alert": "an alert's id",
    "note": "the note's text",
}
DISPOSITIONS = ("sar_filed", "no_further_action", "relationship_exited")
#: closing request statuses that still wait for a decision
WAITING = ("pending", "needs_refresh", "blocked")
MAX_TITLE = 200
MAX_NOTE = 10_000


class CaseError(ValueError):
    """A refused request; the message says what to do."""


@dataclass(frozen=True)
class CaseItem:
    id: str
    kind: str
    ref: str
    text: str  # a note's text; "" for the others
    added_by: str
    added_at: str


@dataclass(frozen=True)
class CaseView:
    id: str
    number: int  # on this vault, for people typing it
    customer: str  # external id (or uid)
    customer_name: str
    title: str
    owner: str
    status: str
    disposition: str | None
    disposition_reason: str | None
    close_request: str | None
    close_status: str | None
    opened_at: str
    opened_by: str
    updated_at: str
    closed_at: str | None
    items: int
    detail: tuple[CaseItem, ...] = field(default_factory=tuple)

    @property
    def closing(self) -> bool:
        """A closing request waits for its second officer."""
        return self.close_status in WAITING and self.status != "closed"

    def as_dict(self) -> dict[str, object]:
        found = asdict(self)
        found.pop("detail")
        found["closing"] = self.closing
        return found
