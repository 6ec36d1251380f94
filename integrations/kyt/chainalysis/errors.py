"""How Chainalysis refuses a request (chainalysis.md §1 "Errors", §2 "Errors").

Both products answer 401/403 for a bad or missing key (`{"message": "Invalid
API Key"}` on the sanctions API, a Spring Boot envelope with `"message":
"Invalid token"` on screening), 400 for a malformed address and 429 when
rate limited; the generic reading of `integrations.http.responses` fits all
but 400 and the screening API's 404.
"""

from __future__ import annotations

import requests

from integrations.http.errors import IntegrationError
from integrations.http.responses import error_text, status_error
from integrations.kyt.base import AddressRejected, UnknownAddress


class NotRegistered(UnknownAddress):
    """Screening API 404: "address not registered (only relevant to the old
    POST-first workflow)" (chainalysis.md §2, "Errors")."""


def refuse(response: requests.Response) -> IntegrationError:
    code = response.status_code
    said = error_text(response)
    detail = f" ({said})" if said else ""
    if code == 400:  # sanctions: "400 | ... | malformed address"; screening: "400 invalid address"
        return AddressRejected(f"rejected the address (HTTP 400){detail}", status=code)
    if code == 404:
        return NotRegistered(f"does not know this address (HTTP 404){detail}", status=code)
    return status_error(response)
