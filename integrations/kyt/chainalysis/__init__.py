"""Chainalysis: the free Sanctions API and the Address Screening (Entity Risking)
API. Two products, two hosts, two auth headers (`X-API-Key` vs `Token`,
chainalysis.md "Fixture checklist" 4), so two clients, each a `KytClient`.

KYT v2 transfer monitoring (chainalysis.md §3) screens transfers, not
addresses, and is not implemented here.
"""

from __future__ import annotations

from integrations.kyt.chainalysis.models import (
    Cluster,
    EntityRisk,
    Exposure,
    Identification,
    Risk,
    SanctionsAnswer,
    Trigger,
)
from integrations.kyt.chainalysis.sanctions import SanctionsClient
from integrations.kyt.chainalysis.screening import ScreeningClient

__all__ = [
    "Cluster",
    "EntityRisk",
    "Exposure",
    "Identification",
    "Risk",
    "SanctionsAnswer",
    "SanctionsClient",
    "ScreeningClient",
    "Trigger",
]
