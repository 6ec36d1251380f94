"""Blockscout's rate-limit headers, shared by its REST v2 and its Etherscan-style `/api`."""

from __future__ import annotations

import requests

from integrations.http.errors import IntegrationError
from integrations.http.responses import status_error


def rate_limited(response: requests.Response) -> IntegrationError:
    """The QuotaError of a 429, waiting as long as `x-ratelimit-reset` says.

    blockscout.md, "Rate limits": "x-ratelimit-reset (milliseconds until the
    window resets; -1 for all three when limiting is off)". A Retry-After,
    if the instance sends one, is read by the client when this gives none.
    """
    error = status_error(response)
    reset = response.headers.get("x-ratelimit-reset", "").strip()
    if reset.isdigit():
        error.retry_after = int(reset) / 1000
    return error
