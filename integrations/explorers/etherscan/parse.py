"""`txlist` and `tokentx` items into Transfers (etherscan.md, blockscout.md `/api`).

Every number is a decimal string; `timeStamp` is Unix seconds. Keys are
read by name, never by position ("Key order in the real service is not
guaranteed").
"""

from __future__ import annotations

from typing import Any

from integrations.explorers.base import as_int, from_unix, optional_int
from integrations.explorers.models import Asset, Transfer


def normal_transfer(item: dict[str, Any], *, address: str, native: Asset) -> Transfer:
    """A `txlist` item. `address` is lowercase hex."""
    value = as_int(item["value"])
    sender = str(item["from"]).lower()
    # "contractAddress is non-empty only for contract-creation transactions
    # (then to is "")"
    recipient = str(item["to"] or item.get("contractAddress") or "").lower() or None
    return Transfer(
        chain=native.chain,
        tx_hash=str(item["hash"]),
        asset=native,
        inflow=value if recipient == address else 0,
        outflow=value if sender == address else 0,
        timestamp=from_unix(as_int(item["timeStamp"])),
        block=as_int(item["blockNumber"]),
        sender=sender,
        recipient=recipient,
        # isError "1": the call reverted; txreceipt_status "0": failed ("" before Byzantium)
        failed=item.get("isError") == "1" or item.get("txreceipt_status") == "0",
    )


def token_transfer(item: dict[str, Any], *, address: str, chain: str) -> Transfer:
    """A `tokentx` item: `value` in raw token units, `tokenDecimal` beside it."""
    value = as_int(item["value"])
    sender = str(item["from"]).lower()
    recipient = str(item["to"]).lower()
    asset = Asset(
        chain=chain,
        symbol=item.get("tokenSymbol") or None,
        decimals=optional_int(item.get("tokenDecimal")),
        contract=str(item["contractAddress"]).lower(),
    )
    return Transfer(
        chain=chain,
        tx_hash=str(item["hash"]),
        asset=asset,
        inflow=value if recipient == address else 0,
        outflow=value if sender == address else 0,
        timestamp=from_unix(as_int(item["timeStamp"])),
        block=as_int(item["blockNumber"]),
        sender=sender,
        recipient=recipient,
        # "logIndex": returned by Blockscout's /api; on Etherscan V2 *unconfirmed*
        log_index=optional_int(item.get("logIndex")),
    )
