"""Elliptic wallet analyses as dataclasses, and the parser that reads them.

Fields and their meaning: elliptic.md, "Wallet analysis response" (schemas
`WalletAnalysisResponse`, `EvaluationDetail`, `MatchedElement`,
`Contribution`). Only what the app maps is read; the raw body keeps the rest
(`blockchain_info`, `detected_behaviors`, workflow fields...).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from integrations.http.errors import ProviderError
from integrations.kyt.base import (
    NotReady,
    items,
    obj,
    optional_number,
    optional_text,
    text,
)

#: "`process_status_id` (1 running, 2 completed, 3 error)"
_RUNNING, _COMPLETED, _FAILED = 1, 2, 3
#: `process_status` as text, for an answer without the id ("complete" in the example)
_STATUS_NAMES = {
    "running": _RUNNING,
    "complete": _COMPLETED,
    "completed": _COMPLETED,
    "error": _FAILED,
}
#: the two sides of a wallet's flows in `evaluation_detail` and `contributions`
DIRECTIONS = ("source", "destination")


@dataclass(frozen=True)
class Entity:
    """An entity of `cluster_entities[]` (the screened wallet's own labels) or of
    `contributions[].entities[]` (a counterparty)."""

    name: str | None
    category: str | None
    is_primary: bool | None = None


@dataclass(frozen=True)
class EntityContribution:
    """`matched_elements[].contributions[]`: one entity behind a matched category."""

    entity: str | None
    is_screened_address: bool
    min_hops: int | None
    #: `risk_triggers.is_sanctioned`; None when the answer carries no risk_triggers
    is_sanctioned: bool | None


@dataclass(frozen=True)
class MatchedElement:
    """A category a risk rule matched, with how much of the funds it accounts for."""

    category: str
    contribution_percentage: Decimal | None
    counterparty_percentage: Decimal | None
    indirect_percentage: Decimal | None
    contributions: tuple[EntityContribution, ...]


@dataclass(frozen=True)
class Evaluation:
    """`evaluation_detail.source[]` / `.destination[]`: one triggered rule."""

    direction: str
    rule_name: str | None
    risk_score: Decimal | None
    matched: tuple[MatchedElement, ...]


@dataclass(frozen=True)
class Contribution:
    """`contributions.source[]` / `.destination[]`: exposure, risky or not.

    Percentages are of the wallet's funds on that side (0–100); `counterparty`
    is direct exposure, `indirect` through intermediaries (USD in `*_usd`).
    """

    direction: str
    entities: tuple[Entity, ...]
    counterparty_percentage: Decimal | None
    counterparty_usd: Decimal | None
    indirect_percentage: Decimal | None
    indirect_usd: Decimal | None
    is_screened_address: bool | None


@dataclass(frozen=True)
class WalletAnalysis:
    id: str
    #: "a float on a 0–10 scale; `null` means no risk rule was triggered; `0`
    #: means rules triggered but the computed score was 0"
    risk_score: Decimal | None
    #: `full` | `sanctions` (only sanctions exposure was assessed for the asset)
    asset_tier: str | None
    cluster_entities: tuple[Entity, ...]
    evaluations: tuple[Evaluation, ...]
    contributions: tuple[Contribution, ...]


def parse_wallet(body: Any) -> WalletAnalysis:
    body = obj(body, "answer")
    _check_processed(body)
    score = optional_number(body["risk_score"], "risk_score")
    if score is not None and not 0 <= score <= 10:
        raise ValueError("risk_score is outside Elliptic's 0–10 scale")
    evaluation = obj(body.get("evaluation_detail") or {}, "evaluation_detail")
    contributions = obj(body.get("contributions") or {}, "contributions")
    return WalletAnalysis(
        id=text(body["id"], "id"),
        risk_score=score,
        asset_tier=optional_text(body.get("asset_tier"), "asset_tier"),
        cluster_entities=tuple(_entity(e) for e in items(body["cluster_entities"], "entities")),
        evaluations=tuple(
            _evaluation(side, e)
            for side in DIRECTIONS
            for e in items(evaluation.get(side) or [], f"evaluation_detail.{side}")
        ),
        contributions=tuple(
            _contribution(side, c)
            for side in DIRECTIONS
            for c in items(contributions.get(side) or [], f"contributions.{side}")
        ),
    )


def _check_processed(body: dict[str, Any]) -> None:
    """A synchronous screening should come back complete; if not, say so rather
    than read a score that is not there yet."""
    code = body.get("process_status_id")
    if code is None:
        name = text(body["process_status"], "process_status").lower()
        if name not in _STATUS_NAMES:
            raise ValueError(f"process_status {name[:20]!r} is not documented")
        code = _STATUS_NAMES[name]
    if code == _RUNNING:
        raise NotReady("is still analysing the address", retryable=True)
    if code == _FAILED:
        error = body.get("error")
        said = optional_text(obj(error, "error").get("message"), "message") if error else None
        raise ProviderError(
            "could not analyse the address" + (f" ({said[:160]})" if said else ""),
            hint="Try again later; if it persists, ask Elliptic support",
        )
    if code != _COMPLETED:
        raise ValueError(f"process_status_id {code!r} is not documented")


def _entity(item: dict[str, Any]) -> Entity:
    return Entity(
        name=optional_text(item.get("name"), "entity name"),
        category=optional_text(item.get("category"), "entity category"),
        is_primary=_flag(item.get("is_primary_entity"), "is_primary_entity"),
    )


def _evaluation(side: str, item: dict[str, Any]) -> Evaluation:
    return Evaluation(
        direction=side,
        rule_name=optional_text(item.get("rule_name"), "rule_name"),
        risk_score=optional_number(item.get("risk_score"), "rule risk_score"),
        matched=tuple(
            _matched(m) for m in items(item.get("matched_elements") or [], "matched_elements")
        ),
    )


def _matched(item: dict[str, Any]) -> MatchedElement:
    return MatchedElement(
        category=text(item["category"], "matched category"),
        contribution_percentage=_percent(item.get("contribution_percentage")),
        counterparty_percentage=_percent(item.get("counterparty_percentage")),
        indirect_percentage=_percent(item.get("indirect_percentage")),
        contributions=tuple(
            _entity_contribution(c) for c in items(item.get("contributions") or [], "contributions")
        ),
    )


def _entity_contribution(item: dict[str, Any]) -> EntityContribution:
    triggers = item.get("risk_triggers")
    sanctioned = None
    if triggers is not None:
        sanctioned = _flag(obj(triggers, "risk_triggers").get("is_sanctioned"), "is_sanctioned")
    hops = item.get("min_number_of_hops")
    if hops is not None and (isinstance(hops, bool) or not isinstance(hops, int)):
        raise TypeError("min_number_of_hops is not an integer")
    return EntityContribution(
        entity=optional_text(item.get("entity"), "entity"),
        is_screened_address=bool(_flag(item.get("is_screened_address"), "is_screened_address")),
        min_hops=hops,
        is_sanctioned=sanctioned,
    )


def _contribution(side: str, item: dict[str, Any]) -> Contribution:
    return Contribution(
        direction=side,
        entities=tuple(_entity(e) for e in items(item.get("entities") or [], "entities")),
        counterparty_percentage=_percent(item.get("counterparty_percentage")),
        counterparty_usd=_usd(item.get("counterparty_value")),
        indirect_percentage=_percent(item.get("indirect_percentage")),
        indirect_usd=_usd(item.get("indirect_value")),
        is_screened_address=_flag(item.get("is_screened_address"), "is_screened_address"),
    )


def _percent(value: Any) -> Decimal | None:
    found = optional_number(value, "percentage")
    if found is not None and not 0 <= found <= 100:
        raise ValueError("a percentage is outside 0–100")
    return found


def _usd(value: Any) -> Decimal | None:
    """`{"usd": n}` money objects."""
    if value is None:
        return None
    found = optional_number(obj(value, "value").get("usd"), "usd value")
    if found is not None and found < 0:
        raise ValueError("a USD value is negative")
    return found


def _flag(value: Any, what: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{what} is not true or false")
    return value
