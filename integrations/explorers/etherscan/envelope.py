"""The `{status, message, result}` envelope of Etherscan and of Blockscout's `/api`.

Both answer HTTP 200 for most failures, the reason inside the body
(etherscan.md, "Errors and rate limiting"): Etherscan puts it in `result`
with `message: "NOTOK"`; Blockscout puts it in `message` with `result` null
or [] (blockscout.md, "Etherscan-compatible /api": "Note the reason is in
message, not in result as on Etherscan"). An empty list is `status: "0"`
too, told apart by its message ("No transactions found", "No records
found", "No token transfers found").
"""

from __future__ import annotations

import re
from typing import Any

import requests

from integrations.explorers.blockscout.limits import rate_limited
from integrations.http.errors import (
    AuthError,
    IntegrationError,
    ProviderError,
    QuotaError,
    TransientError,
)
from integrations.http.responses import json_body

_EMPTY = re.compile(r"^no .*found", re.IGNORECASE)
#: "Too many invalid api key attempts": the IP is throttled for 30 s (etherscan.md)
_INVALID_KEY_THROTTLE = 30.0


def decode(response: requests.Response) -> Any:
    """The `result` of a successful answer; [] for an empty list; else the right error."""
    if response.status_code == 429:  # Blockscout's /api (blockscout.md, "Rate limits")
        raise rate_limited(response)
    return result_of(json_body(response))


def result_of(payload: Any) -> Any:
    if not isinstance(payload, dict) or not {"status", "message", "result"} <= payload.keys():
        raise ProviderError("gave an answer without the status/message/result envelope")
    status, message, result = payload["status"], str(payload["message"]), payload["result"]
    # A V1 keyless success reads "OK-Missing/Invalid API Key, rate limit of
    # 1/5sec applied": any message starting with OK is success (etherscan.md).
    if status == "1" or message.startswith("OK"):
        return result
    if _EMPTY.match(message) and result in ([], None):
        return []
    raise refusal(reason_of(message, result))


def reason_of(message: str, result: Any) -> str:
    """The failure text of an envelope, wherever it rides: Etherscan puts it in `result`
    beside `message: "NOTOK"`, Blockscout in `message`, and some answers put it in
    `message` with `result: "NOTOK"` (VaitaR/aiochainscan records
    `{"status":"0","message":"Max calls rate limit reached","result":"NOTOK"}`)."""
    texts = [t for t in (result, message) if isinstance(t, str) and t.strip()]
    said = [t for t in texts if t.strip().upper() != "NOTOK"]
    return " ".join(said or texts[:1]) or "no reason given"


def refusal(reason: str) -> IntegrationError:
    """The error an envelope's failure text stands for (texts from etherscan.md)."""
    text = reason.lower()
    if "too many invalid api key" in text:
        return AuthError(
            "refused the API key too often and blocks this network for 30 s",
            retry_after=_INVALID_KEY_THROTTLE,
        )
    if "invalid api key" in text:
        return AuthError("refused the API key (Invalid API Key)")
    if "rate limit" in text or "too many requests" in text:
        if "daily" in text:
            return QuotaError(
                "reports the daily request quota of this key used up",
                hint="Calls resume tomorrow, or use a key with a higher plan",
            )
        return QuotaError(f"is rate limiting us ({reason})", retryable=True)
    if "free api access is temporarily unavailable" in text:
        # "... due to unusually high network activity": free keys are paused for a while
        return QuotaError(
            "has paused free API keys under heavy load",
            hint="It will be tried again later; a paid key is not paused",
            retryable=True,
        )
    if "free api access is not supported" in text:
        return ProviderError(
            "does not serve this chain on the free plan",
            hint="Use a paid key, or point this chain at a Blockscout instance or a node",
        )
    if "deprecated v1 endpoint" in text:
        return ProviderError(
            "has switched this API version off",
            hint="Point the chain at the Etherscan API V2 in the explorer settings",
        )
    if "chainid" in text:
        return ProviderError(
            "does not support this chain id",
            hint="Check the chain id in the explorer settings",
        )
    if "query timeout" in text or "timeout occurred" in text or "server too busy" in text:
        # "Query Timeout occured" (sic) / "Unexpected err, timeout occurred or server too
        # busy": the same query usually answers once the service has warmed up
        return TransientError("timed out on a heavy query", retryable=True)
    if "invalid address" in text:
        return ProviderError(f"rejected the address ({reason})", hint="Check the address")
    return ProviderError(f"refused the request ({reason})")
