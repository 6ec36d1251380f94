"""Etherscan API V2 and the Etherscan-compatible `/api` (Blockscout serves it too)."""

from __future__ import annotations

from integrations.explorers.etherscan.client import EtherscanExplorer

__all__ = ["EtherscanExplorer"]
