"""Chainalysis answers as dataclasses, and the parsers that read them.

Sanctions API (chainalysis.md §1): `{"identifications": [...]}`, empty when the
address is on no sanctions list. Address Screening / Entity Risking API
(chainalysis.md §2, "Retrieve (GET) – response fields"): `risk` plus the
identifications, cluster, exposures and triggers behind it. Only documented
fields are read; the raw body is kept beside the parsed answer for the rest.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from integrations.kyt.base import (
    NotReady,
    items,
    number,
    obj,
    optional_number,
    optional_text,
    text,
)


class Risk(enum.StrEnum):
    """chainalysis.md §2: "`risk` | string | `Low`, `Medium`, `High`, `Severe`"."""

    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"
    SEVERE = "Severe"


@dataclass(frozen=True)
class Identification:
    """A designation of the address itself: sanctions API `identifications[]` or the
    screening API's `addressIdentifications[]` (which adds `address`)."""

    category: str
    name: str
    description: str | None = None
    url: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class SanctionsAnswer:
    identifications: tuple[Identification, ...]

    @property
    def listed(self) -> bool:
        """Chainalysis says the address is sanctioned: "Empty array = no sanctions
        designation found" (chainalysis.md §1)."""
        return bool(self.identifications)


@dataclass(frozen=True)
class Cluster:
    """The entity the address belongs to (`cluster: {name, category}`)."""

    name: str | None
    category: str | None


@dataclass(frozen=True)
class Exposure:
    """`exposures[]`: USD value linked to a category, direct or indirect."""

    category: str
    value: Decimal | None
    #: "direct" or "indirect" (lower-cased)
    exposure_type: str
    #: allowed values *unconfirmed* in the docs; kept as given
    direction: str | None


@dataclass(frozen=True)
class Trigger:
    """`triggers[]`: an exposure rule of the customer's risk policy that fired."""

    category: str
    percentage: Decimal | None
    message: str | None
    rule_risk: str | None


@dataclass(frozen=True)
class EntityRisk:
    """The Address Screening answer for one address."""

    address: str
    risk: Risk
    risk_reason: str | None
    cluster: Cluster | None
    address_type: str | None
    identifications: tuple[Identification, ...]
    exposures: tuple[Exposure, ...]
    triggers: tuple[Trigger, ...]


def parse_sanctions(body: Any) -> SanctionsAnswer:
    found = items(obj(body, "answer")["identifications"], "identifications")
    return SanctionsAnswer(tuple(_identification(i) for i in found))


def parse_entity(body: Any) -> EntityRisk:
    body = obj(body, "answer")
    # "`status` | string | `COMPLETE` when the assessment is ready" (chainalysis.md §2).
    # Other values are undocumented: anything but COMPLETE is "not ready yet",
    # never read as a risk. An answer without the key is read as it stands.
    status = optional_text(body.get("status"), "status")
    if status is not None and status.upper() != "COMPLETE":
        raise NotReady(
            f"has not finished its assessment yet (status {status[:40]})", retryable=True
        )
    cluster = body.get("cluster")
    return EntityRisk(
        address=text(body["address"], "address"),
        risk=_risk(body["risk"]),
        risk_reason=optional_text(body.get("riskReason"), "riskReason"),
        cluster=None if cluster is None else _cluster(obj(cluster, "cluster")),
        address_type=optional_text(body.get("addressType"), "addressType"),
        identifications=tuple(
            _identification(i)
            for i in items(body.get("addressIdentifications") or [], "addressIdentifications")
        ),
        exposures=tuple(_exposure(e) for e in items(body.get("exposures") or [], "exposures")),
        triggers=tuple(_trigger(t) for t in items(body.get("triggers") or [], "triggers")),
    )


def _risk(value: Any) -> Risk:
    wanted = text(value, "risk").strip().lower()
    for risk in Risk:
        if risk.value.lower() == wanted:
            return risk
    raise ValueError(f"risk {wanted[:20]!r} is none of Low, Medium, High, Severe")


def _identification(item: dict[str, Any]) -> Identification:
    return Identification(
        category=text(item["category"], "identification category"),
        name=text(item["name"], "identification name"),
        description=optional_text(item.get("description"), "description"),
        url=optional_text(item.get("url"), "url"),
        address=optional_text(item.get("address"), "identification address"),
    )


def _cluster(item: dict[str, Any]) -> Cluster:
    return Cluster(
        name=optional_text(item.get("name"), "cluster name"),
        category=optional_text(item.get("category"), "cluster category"),
    )


def _exposure(item: dict[str, Any]) -> Exposure:
    # "customers without indirect exposure always get `direct`"; answers from
    # before 8 May 2024 carry no exposureType at all: those were direct too.
    kind = (optional_text(item.get("exposureType"), "exposureType") or "direct").lower()
    if kind not in ("direct", "indirect"):
        raise ValueError(f"exposureType {kind[:20]!r} is neither direct nor indirect")
    value = optional_number(item.get("value"), "exposure value")
    if value is not None and value < 0:
        raise ValueError("an exposure value is negative")
    return Exposure(
        category=text(item["category"], "exposure category"),
        value=value,
        exposure_type=kind,
        direction=optional_text(item.get("direction"), "direction"),
    )


def _trigger(item: dict[str, Any]) -> Trigger:
    rule = item.get("ruleTriggered")
    rule_risk = (
        None if rule is None else optional_text(obj(rule, "ruleTriggered").get("risk"), "risk")
    )
    percentage = item.get("percentage")
    return Trigger(
        category=text(item["category"], "trigger category"),
        percentage=None if percentage is None else number(percentage, "trigger percentage"),
        message=optional_text(item.get("message"), "trigger message"),
        rule_risk=rule_risk,
    )
