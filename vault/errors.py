"""Errors the vault raises, each with a message a user can act on.

Every message names the file concerned and says what to do. None ever
contains a key, a passphrase or a value read from the vault, so they are
safe to print, log and show in a dialog.
"""

from __future__ import annotations

from pathlib import Path


class VaultError(Exception):
    """Base class: `str(error)` is one or two plain sentences for a user."""

    #: process exit code the CLI uses for this kind of error
    exit_code = 1

    def __init__(self, message: str, *, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path

    @property
    def message(self) -> str:
        return str(self.args[0])


class VaultExistsError(VaultError):
    """A file already stands where a new vault would be created."""

    exit_code = 2


class VaultNotFoundError(VaultError):
    exit_code = 2


class AuthenticationError(VaultError):
    """The key material offered does not open this vault."""

    exit_code = 3


class WrongPassphraseError(AuthenticationError):
    pass


class WrongRecoveryKeyError(AuthenticationError):
    pass


class KeychainError(AuthenticationError):
    """The OS keychain has no usable entry, or no keychain backend exists."""


class NoUnlockMethodError(AuthenticationError):
    """Nothing was offered that could unlock the vault."""


class CorruptVaultError(VaultError):
    """The database or its header is damaged, truncated or was altered."""

    exit_code = 4


class VaultTooNewError(VaultError):
    """The vault was written by a newer Strongroom; it is refused, untouched."""

    exit_code = 4


class VaultBusyError(VaultError):
    """Another process holds the vault open."""

    exit_code = 5


class StorageError(VaultError):
    """The disk refused a write: read-only location, full disk, permissions."""

    exit_code = 6


class ChainBrokenError(VaultError):
    """The event log's hash chain does not verify."""

    exit_code = 7
