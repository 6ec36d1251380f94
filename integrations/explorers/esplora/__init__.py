"""Esplora for Bitcoin (Blockstream, mempool.space, or self-hosted)."""

from __future__ import annotations

from integrations.explorers.esplora.client import EsploraExplorer

__all__ = ["EsploraExplorer"]
