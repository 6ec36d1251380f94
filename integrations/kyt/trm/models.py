"""TRM wallet screening answers as dataclasses, and the parser that reads them
(trm-labs.md, "Response item"). Volumes are decimal strings: read with
`Decimal`, never `float` ("can carry very many digits").

A level or risk type outside the documented sets does not reject the answer:
real answers carry them (a public TRM fixture rates the entity "Tether
Treasury" `riskScoreLevel` 42, labelled "Low", beside a Sanctions/High
indicator). Such a flag is kept, with what could be understood of it (the
label's level when the label is a documented one, else no level), and the
value that was not understood is written into `ScreenedAddress.unknown`, so
the risk model and the evidence show it. A missing field or an unreadable
volume is still a malformed answer.
"""

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
    #: one of LEVELS; None when neither the level nor its label is a documented one
    level: int | None
    #: one of RISK_TYPES, or the undocumented value as sent
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
    #: one of LEVELS; None when neither the level nor its label is a documented one
    level: int | None
    urn: str | None


@dataclass(frozen=True)
class ScreenedAddress:
    address: str
    chain: str
    indicators: tuple[RiskIndicator, ...]
    entities: tuple[Entity, ...]
    app_url: str | None
    #: values outside the documented sets, for a person, e.g. "entity Tether Treasury:
    #: riskScoreLevel 42 is undocumented (its label Low was used)"
    unknown: tuple[str, ...] = ()


def parse_screening(body: Any) -> ScreenedAddress:
    """The answer to a one-item request: "JSON array, one result per request item"."""
    answers = items(body, "answer")
    if len(answers) != 1:
        raise ValueError(f"{len(answers)} results for one address")
    item = answers[0]
    unknown: list[str] = []
    return ScreenedAddress(
        address=text(item["address"], "address"),
        chain=text(item["chain"], "chain"),
        indicators=tuple(
            _indicator(i, unknown)
            for i in items(item["addressRiskIndicators"], "addressRiskIndicators")
        ),
        entities=tuple(_entity(e, unknown) for e in items(item["entities"], "entities")),
        app_url=optional_text(item.get("trmAppUrl"), "trmAppUrl"),
        unknown=tuple(unknown),
    )


def _indicator(item: dict[str, Any], unknown: list[str]) -> RiskIndicator:
    category = text(item["category"], "category")
    what = f"indicator {category[:60]}"
    risk_type = text(item["riskType"], "riskType").upper()
    if risk_type not in RISK_TYPES:
        unknown.append(f"{what}: riskType {risk_type[:20]!r} is undocumented")
    return RiskIndicator(
        category=category,
        category_id=_category_id(item["categoryId"]),
        level=_level(
            item["categoryRiskScoreLevel"],
            item.get("categoryRiskScoreLevelLabel"),
            what=f"{what}: categoryRiskScoreLevel",
            unknown=unknown,
        ),
        risk_type=risk_type,
        incoming_usd=_volume(item.get("incomingVolumeUsd")),
        outgoing_usd=_volume(item.get("outgoingVolumeUsd")),
        total_usd=_volume(item.get("totalVolumeUsd")),
    )


def _entity(item: dict[str, Any], unknown: list[str]) -> Entity:
    name = text(item["entity"], "entity")
    return Entity(
        name=name,
        category=text(item["category"], "entity category"),
        category_id=_category_id(item["categoryId"]),
        level=_level(
            item["riskScoreLevel"],
            item.get("riskScoreLevelLabel"),
            what=f"entity {name[:60]}: riskScoreLevel",
            unknown=unknown,
        ),
        urn=optional_text(item.get("trmUrn"), "trmUrn"),
    )


def _level(value: Any, label: Any, *, what: str, unknown: list[str]) -> int | None:
    """The documented level of a flag, or the level its documented label names, or None;
    whatever does not fit is noted in `unknown`. A level that is not a number at all
    is a shape error."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} is not an integer")
    named = _LABELS.get(text(label, "level label").strip().lower()) if label is not None else None
    shown = str(label)[:20]
    if value in LEVELS:
        if label is not None and named != value:
            unknown.append(f"{what} {value} is labelled {shown!r} ({LEVELS[value]} was used)")
        return value
    if named is not None:
        unknown.append(f"{what} {value} is undocumented (its label {shown} was used)")
        return named
    unknown.append(f"{what} {value} is undocumented" + (f", labelled {shown!r}" if label else ""))
    return None


#: documented label (lower case) -> level
_LABELS = {name.lower(): level for level, name in LEVELS.items()}


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
