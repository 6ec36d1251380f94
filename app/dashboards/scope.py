"""Whose flows a chart shows, from what a person types: nothing (the whole desk), a
customer's external id, or chain:address."""

from __future__ import annotations

from app.book.models import ValidationError
from app.dashboards.charts import Scope
from app.screening.service import parse_target
from vault.book import customers
from vault.connection import Connection


def resolve_scope(conn: Connection, text: str) -> Scope:
    """Database worker. Raises ValidationError naming what was not found."""
    typed = text.strip()
    if not typed:
        return Scope()
    if ":" in typed:
        target = parse_target(typed)
        return Scope(f"{target.chain}:{target.address}", target=(target.chain, target.address))
    customer_id = customers.by_external_id(conn, typed)
    if customer_id is None:
        raise ValidationError(
            "flows", f"no customer with external id '{typed[:40]}'; type an id or chain:address"
        )
    return Scope(f"customer {typed}", customer_id=customer_id)
