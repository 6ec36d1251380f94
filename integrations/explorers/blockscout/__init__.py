"""Blockscout: its REST API v2 here; its Etherscan-style `/api` goes through `etherscan`."""

from __future__ import annotations

from integrations.explorers.blockscout.client import BlockscoutExplorer

__all__ = ["BlockscoutExplorer"]
