"""Per-customer data keys for personal values inside events (crypto-shredding).

Events are never rewritten (the chain would break), so personal values in
them are sealed with a key that belongs to one customer. Erasing the
customer destroys that key: the values become unreadable everywhere in the
history, and every hash still verifies because it covers the ciphertext.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault.connection import Connection

PREFIX = "enc:v1:"
ERASED = "[erased]"


class CustomerKeys:
    """Keys of the customers a transaction touches; lives as long as one open vault.

    Not thread-safe: used by the database worker only. `forget()` on lock.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._ciphers: dict[int, AESGCM] = {}
        #: seal_many's (encrypt, associated data) per customer, kept across batches
        self._sealers: dict[int, tuple[Callable[[bytes, bytes, bytes], bytes], bytes]] = {}

    def cipher(self, customer_id: int, *, create: bool = False) -> AESGCM | None:
        found = self._ciphers.get(customer_id)
        if found is not None:
            return found
        row = self._conn.execute(
            "SELECT key FROM customer_keys WHERE customer_id = ?", (customer_id,)
        ).fetchone()
        if row is None:
            if not create:
                return None
            key = secrets.token_bytes(32)
            self._conn.execute(
                "INSERT INTO customer_keys (customer_id, key) VALUES (?, ?)", (customer_id, key)
            )
        else:
            key = bytes(row[0])
        cipher = AESGCM(key)
        self._ciphers[customer_id] = cipher
        return cipher

    def seal_many(self, values: Sequence[tuple[int, str | None]]) -> list[str | None]:
        """`seal(customer, value)` for each pair, as one bulk import needs it: the keys
        read with a few queries, the nonces drawn at once, and each customer's cipher
        and associated data looked up once per row rather than built."""
        ciphers = self._ciphers
        needed = {c for c, v in values if v is not None}
        wanted = list(needed.difference(ciphers))
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            for customer_id, key in self._conn.execute(
                # only ? placeholders are joined in
                "SELECT customer_id, key FROM customer_keys "  # nosec B608
                f"WHERE customer_id IN ({', '.join('?' * len(part))})",
                part,
            ):
                ciphers[int(customer_id)] = AESGCM(bytes(key))
        for customer_id in sorted(needed.difference(ciphers)):
            self.cipher(customer_id, create=True)
        bound = self._sealers
        for customer_id in needed.difference(bound):
            bound[customer_id] = (ciphers[customer_id].encrypt, b"%d" % customer_id)
        nonces = secrets.token_bytes(12 * len(values))
        encode = binascii.b2a_base64
        sealed: list[str | None] = []
        append = sealed.append
        for n, (customer_id, value) in enumerate(values):
            if value is None:
                append(None)
                continue
            encrypt, bound_to = bound[customer_id]
            nonce = nonces[12 * n : 12 * n + 12]
            body = encrypt(nonce, value.encode(), bound_to)
            append(PREFIX + encode(nonce + body, newline=False).decode("ascii"))
        return sealed

    def seal(self, customer_id: int, value: str | None) -> str | None:
        if value is None:
            return None
        cipher = self.cipher(customer_id, create=True)
        assert cipher is not None
        nonce = secrets.token_bytes(12)
        sealed = cipher.encrypt(nonce, value.encode(), str(customer_id).encode())
        return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, customer_id: int, token: object) -> object:
        """The clear value, or ERASED once the customer's key is gone."""
        if not isinstance(token, str) or not token.startswith(PREFIX):
            return token
        cipher = self.cipher(customer_id)
        if cipher is None:
            return ERASED
        raw = base64.b64decode(token[len(PREFIX) :])
        try:
            return cipher.decrypt(raw[:12], raw[12:], str(customer_id).encode()).decode()
        except InvalidTag:
            return ERASED

    def destroy(self, customer_id: int) -> None:
        """Delete the key inside the caller's transaction (secure_delete wipes the page)."""
        self._conn.execute("DELETE FROM customer_keys WHERE customer_id = ?", (customer_id,))
        self._ciphers.pop(customer_id, None)
        self._sealers.pop(customer_id, None)

    def forget(self) -> None:
        self._ciphers.clear()
        self._sealers.clear()

    def rollback(self) -> None:
        """A rolled-back transaction may have created keys that no longer exist."""
        self._ciphers.clear()
        self._sealers.clear()
