"""A web3 provider that sends JSON-RPC through `HttpClient`.

web3's own HTTPProvider has its own retries (5, backoff 0.5, evm-json-rpc.md)
and logs the endpoint URI, which for hosted nodes holds the API key
("https://<provider>/v3/<key>"). Going through `HttpClient` instead gives a
node the same timeouts, rate limit, Retry-After handling, breaker, error
classes and redaction as every other provider.
"""

from __future__ import annotations

from typing import Any, cast

import requests
from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint, RPCResponse

from integrations.http.client import HttpClient
from integrations.http.errors import IntegrationError, QuotaError
from integrations.http.responses import json_body

#: EIP-1474 "Limit exceeded": "providers use it for rate limiting"
LIMIT_EXCEEDED = -32005


class ClientRPCProvider(JSONBaseProvider):
    """Blocking; used from the network pool."""

    def __init__(self, client: HttpClient) -> None:
        super().__init__()
        self._client = client

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        body = self.encode_rpc_request(method, params)

        def decode(response: requests.Response) -> RPCResponse:
            answer = json_body(response)
            if not isinstance(answer, dict) or not ({"result", "error"} & answer.keys()):
                raise TypeError("not a JSON-RPC response object")
            error = answer.get("error")
            # For eth_getLogs the same code can mean "too many results": the
            # explorer splits the block range instead of waiting.
            if (
                isinstance(error, dict)
                and error.get("code") == LIMIT_EXCEEDED
                and method != "eth_getLogs"
            ):
                raise QuotaError(
                    f"is rate limiting us ({error.get('message', 'Limit exceeded')})",
                    retryable=True,
                )
            return cast(RPCResponse, answer)

        return self._client.request(
            "POST", "", body=body, headers={"Content-Type": "application/json"}, decode=decode
        )

    def is_connected(self, show_traceback: bool = False) -> bool:
        try:
            return super().is_connected(show_traceback)
        except IntegrationError:
            if show_traceback:
                raise
            return False
