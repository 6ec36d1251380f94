"""What the projections of this package read the same way: an event's body, and the
customer an event is about as this vault holds it."""

from __future__ import annotations

from typing import Any

from app.sync.projection import Projection
from vault.events import Event


def body(event: Event) -> dict[str, Any]:
    """The event's payload (an empty one when it is not an object)."""
    found = event.payload_json()
    return found if isinstance(found, dict) else {}


def live(p: Projection, uid: Any) -> int | None:
    """This vault's id of customer `uid`, if it holds it and it is not erased."""
    found = p.customer(uid) if isinstance(uid, str) else None
    return None if found is None or found[1] else found[0]
