"""A review, signed like an approval decision: EIP-712 typed data over the review's
content (customer, rating, the checklist with its answers, outcome, the reasons it
was due, the time), with the reviewer's key, so anyone can check offline who
reviewed what, and when."""

from __future__ import annotations

from app.typed_message import TypedMessage

#: what a review signs, in this order; every value is text (answers and reasons as JSON)
REVIEW = TypedMessage(
    domain="Strongroom Periodic Review",
    primary="Review",
    fields=("review", "customer", "riskRating", "answers", "outcome", "reasons", "reviewedAt"),
)
