"""TRM wallet screening answers as dataclasses, and the parser that reads them
(trm-labs.md, "Response item"). Volumes are decimal strings: read with
`Decimal`, never `float` ("can carry very many digits")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from integrations.kyt.base import items, number, optional_text, text

#: "Risk levels: Severe = 15, High = 10, Medium = 5, Low = 1, Unknown = 0"
LEVELS = {0: "Unknown", 1: "Low", 5: "Medium", 10: "High", 15: "Severe"}
#: "`OWNERSHIP` (the address itself is the entity), `COUNTERPARTY` (direct
#: exposure), `INDIRECT` (multi-hop)"
RISK_TYPES = ("OWNERSHIP", "COUNTERPARTY", "INDIRECT")


@dataclass(frozen=True)
class RiskIndicator:
    """`addressRiskIndicators[]`: one (category, riskType) with its volumes in USD."""

    category: str
    category_id: str
    level: int
    risk_type: str
    incoming_usd: Decimal
    outgoing_usd: Decimal
    total_usd: Decimal


@dataclass(frozen=True)
class Entity:
    """`entities[]`: an entity TRM attributes the address to."""

    name: str
    category: str
    category_id: str
    level: int
    urn: str | None


@dataclass(frozen=True)
class ScreenedAddress:
    address: str
    chain: str
    indicators: tuple[RiskIndicator, ...]
    entities: tuple[Entity, ...]
    app_url: str | None


def parse_screening(body: Any) -> ScreenedAddress:
    """The answer to a one-item request: "JSON array, one result per request item"."""
    answers = items(body, "answer")
    if len(answers) != 1:
        raise ValueError(f"{len(answers)} results for one address")
    item = answers[0]
    return ScreenedAddress(
        address=text(item["address"], "address"),
        chain=text(item["chain"], "chain"),
        indicators=tuple(
            _indicator(i) for i in items(item["addressRiskIndicators"], "addressRiskIndicators")
        ),
        entities=tuple(_entity(e) for e in items(item["entities"], "entities")),
        app_url=optional_text(item.get("trmAppUrl"), "trmAppUrl"),
    )


def _indicator(item: dict[str, Any]) -> RiskIndicator:
    risk_type = text(item["riskType"], "riskType").upper()
    if risk_type not in RISK_TYPES:
        raise ValueError(f"riskType {risk_type[:20]!r} is not documented")
    return RiskIndicator(
        category=text(item["category"], "category"),
        category_id=_category_id(item["categoryId"]),
        level=_level(item["categoryRiskScoreLevel"], item.get("categoryRiskScoreLevelLabel")),
        risk_type=risk_type,
        incoming_usd=_volume(item.get("incomingVolumeUsd")),
        outgoing_usd=_volume(item.get("outgoingVolumeUsd")),
        total_usd=_volume(item.get("totalVolumeUsd")),
    )


def _entity(item: dict[str, Any]) -> Entity:
    return Entity(
        name=text(item["entity"], "entity"),
        category=text(item["category"], "entity category"),
        category_id=_category_id(item["categoryId"]),
        level=_level(item["riskScoreLevel"], item.get("riskScoreLevelLabel")),
        urn=optional_text(item.get("trmUrn"), "trmUrn"),
    )


def _level(value: Any, label: Any) -> int:
    """One of the documented levels; its label, when given, must agree."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in LEVELS:
        raise ValueError(f"risk level {value!r} is not one of {sorted(LEVELS)}")
    if label is not None and text(label, "level label").lower() != LEVELS[value].lower():
        raise ValueError(f"risk level {value} is labelled {str(label)[:20]!r}")
    return value


def _category_id(value: Any) -> str:
    """ "numeric id as a string"; a bare number is accepted and kept as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(value, "categoryId")


def _volume(value: Any) -> Decimal:
    found = Decimal(0) if value is None else number(value, "volume")
    if found < 0:
        raise ValueError("a volume is negative")
    return found
