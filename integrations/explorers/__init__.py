"""Block explorers: balances, activity and recent transfers of an address.

One subpackage per provider, each implementing `Explorer`; all answers are
normalised to the dataclasses of `models` (integers in the smallest unit,
UTC times). `Explorers` builds them from `ExplorerSettings`; `daily_flows`
turns transfers into the daily in/out series of the dashboards. Nothing here
caches or stores: the app keeps results in the vault.
"""

from __future__ import annotations

from integrations.explorers.base import Explorer
from integrations.explorers.factory import Explorers, provider_name
from integrations.explorers.flows import daily_flows
from integrations.explorers.models import AddressSummary, Asset, Balance, DailyFlow, Transfer
from integrations.explorers.settings import (
    DEFAULT_CHAINS,
    DEFAULT_RATES,
    ChainSettings,
    ExplorerSettings,
    ProviderKind,
    TokenSpec,
)

__all__ = [
    "DEFAULT_CHAINS",
    "DEFAULT_RATES",
    "AddressSummary",
    "Asset",
    "Balance",
    "ChainSettings",
    "DailyFlow",
    "Explorer",
    "ExplorerSettings",
    "Explorers",
    "ProviderKind",
    "TokenSpec",
    "Transfer",
    "daily_flows",
    "provider_name",
]
