"""TRM Labs wallet screening (`/public/v2/screening/addresses`)."""

from __future__ import annotations

from integrations.kyt.trm.client import CHAINS, TrmClient
from integrations.kyt.trm.models import LEVELS, Entity, RiskIndicator, ScreenedAddress

__all__ = ["CHAINS", "LEVELS", "Entity", "RiskIndicator", "ScreenedAddress", "TrmClient"]
