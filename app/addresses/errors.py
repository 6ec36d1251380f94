"""The one error every address check raises."""

from __future__ import annotations


class AddressError(ValueError):
    """An address that must not be stored; `reason` says why, in words a user can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
