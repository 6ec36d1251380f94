"""Any EVM node over JSON-RPC, through web3."""

from __future__ import annotations

from integrations.explorers.jsonrpc.client import TRANSFER_TOPIC, JsonRpcExplorer
from integrations.explorers.jsonrpc.provider import ClientRPCProvider

__all__ = ["TRANSFER_TOPIC", "ClientRPCProvider", "JsonRpcExplorer"]
