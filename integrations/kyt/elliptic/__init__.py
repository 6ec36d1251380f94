"""Elliptic AML API v2: synchronous wallet screening with HMAC-signed requests."""

from __future__ import annotations

from integrations.kyt.elliptic.client import SUBJECTS, EllipticClient
from integrations.kyt.elliptic.models import (
    Contribution,
    Entity,
    EntityContribution,
    Evaluation,
    MatchedElement,
    WalletAnalysis,
)
from integrations.kyt.elliptic.signing import EllipticAuth, decode_secret, signature

__all__ = [
    "SUBJECTS",
    "Contribution",
    "EllipticAuth",
    "EllipticClient",
    "Entity",
    "EntityContribution",
    "Evaluation",
    "MatchedElement",
    "WalletAnalysis",
    "decode_secret",
    "signature",
]
