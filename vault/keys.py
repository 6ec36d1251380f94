"""The OS keychain: the only module that calls `keyring`.

The database key is stored as hex under the service name "strongroom" with
the vault id as user name, so moving or renaming the vault file keeps its
entry. Every failure is turned into a `KeychainStatus` or a `KeychainError`
whose text never contains the key.
"""

from __future__ import annotations

import contextlib
import enum
from dataclasses import dataclass

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

SERVICE = "strongroom"


class KeychainState(enum.Enum):
    AVAILABLE = "available"
    NO_BACKEND = "no keychain"
    LOCKED_OR_FAILED = "keychain refused"


@dataclass(frozen=True)
class KeychainStatus:
    state: KeychainState
    backend: str

    @property
    def usable(self) -> bool:
        return self.state is KeychainState.AVAILABLE

    def describe(self) -> str:
        if self.state is KeychainState.AVAILABLE:
            return f"OS keychain available ({self.backend})"
        if self.state is KeychainState.NO_BACKEND:
            return "No OS keychain on this machine: the vault opens with its passphrase"
        return f"The OS keychain ({self.backend}) refused access"


class Keychain:
    """Stores and fetches vault keys. Calls may block on the OS: never on the GUI thread."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend

    @classmethod
    def disabled(cls) -> Keychain:
        """A keychain that holds and stores nothing (demo vaults, --no-keychain)."""
        from keyring.backends import fail

        return cls(fail.Keyring())  # type: ignore[no-untyped-call]

    def _ring(self) -> KeyringBackend:
        return self._backend if self._backend is not None else keyring.get_keyring()

    def status(self) -> KeychainStatus:
        ring = self._ring()
        name = type(ring).__module__.removeprefix("keyring.backends.") + "." + type(ring).__name__
        if _is_fail_backend(ring):
            return KeychainStatus(KeychainState.NO_BACKEND, name)
        return KeychainStatus(KeychainState.AVAILABLE, name)

    def get(self, vault_id: str) -> bytes | None:
        """The stored key, or None when there is no usable entry or no keychain."""
        ring = self._ring()
        if _is_fail_backend(ring):
            return None
        try:
            value = ring.get_password(SERVICE, vault_id)
        except (keyring.errors.KeyringError, OSError, RuntimeError):
            return None
        if value is None:
            return None
        try:
            key = bytes.fromhex(value)
        except ValueError:
            return b""  # present but not a key: the caller reports it as wrong
        return key

    def put(self, vault_id: str, key: bytes) -> bool:
        """Store `key`; False when no keychain accepted it."""
        ring = self._ring()
        if _is_fail_backend(ring):
            return False
        try:
            ring.set_password(SERVICE, vault_id, key.hex())
        except (keyring.errors.KeyringError, OSError, RuntimeError):
            return False
        return True

    def delete(self, vault_id: str) -> None:
        ring = self._ring()
        if _is_fail_backend(ring):
            return
        with contextlib.suppress(keyring.errors.KeyringError, OSError, RuntimeError):
            ring.delete_password(SERVICE, vault_id)

    # Other secrets of a vault (provider API keys) sit beside its key, under the
    # user name "<vault id>/<name>", so they follow the vault as its key does.

    def put_secret(self, vault_id: str, name: str, value: str) -> bool:
        """Store a secret of this vault (e.g. "api/etherscan/key"); False when no
        keychain accepted it."""
        ring = self._ring()
        if _is_fail_backend(ring):
            return False
        try:
            ring.set_password(SERVICE, f"{vault_id}/{name}", value)
        except (keyring.errors.KeyringError, OSError, RuntimeError):
            return False
        return True

    def get_secret(self, vault_id: str, name: str) -> str | None:
        """The stored secret, or None when there is none or no keychain answers."""
        ring = self._ring()
        if _is_fail_backend(ring):
            return None
        try:
            return ring.get_password(SERVICE, f"{vault_id}/{name}")
        except (keyring.errors.KeyringError, OSError, RuntimeError):
            return None

    def delete_secret(self, vault_id: str, name: str) -> None:
        ring = self._ring()
        if _is_fail_backend(ring):
            return
        with contextlib.suppress(keyring.errors.KeyringError, OSError, RuntimeError):
            ring.delete_password(SERVICE, f"{vault_id}/{name}")


def _is_fail_backend(ring: KeyringBackend) -> bool:
    # keyring falls back to fail.Keyring (or a chainer holding nothing) when no
    # Secret Service, Keychain or Credential Manager answers.
    module = type(ring).__module__
    if module.startswith("keyring.backends.fail") or module.startswith("keyring.backends.null"):
        return True
    backends = getattr(ring, "backends", None)
    return backends is not None and not backends
