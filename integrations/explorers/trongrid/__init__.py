"""TronGrid v1 for Tron: TRX and TRC-20."""

from __future__ import annotations

from integrations.explorers.trongrid.client import TronGridExplorer

__all__ = ["TronGridExplorer"]
