"""Screening addresses: whom to screen, which provider answers, what is kept.

Every answer is stored in the vault (`screenings`: the cache and the history,
with the raw body as evidence); each run is one audit event. Today the
offline sanctions list is the provider that works with no key and no
network; the online providers join through the same `screen` call.
Runs on the database worker.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from app.addresses import AddressError, normalize
from app.book.models import ValidationError
from app.screening.risk import RiskResult
from app.screening.sanctions import PROVIDER as SANCTIONS
from app.screening.sanctions import OfflineSanctions
from vault.book import customers
from vault.screening import screenings
from vault.store import Vault

PROVIDERS = (SANCTIONS,)


@dataclass(frozen=True)
class Target:
    chain: str
    address: str
    customer_id: int | None = None


def parse_target(text: str) -> Target:
    """`chain:address` as typed on the command line or pasted in a form."""
    chain, sep, address = text.strip().partition(":")
    if not sep or not address:
        raise ValidationError("address", f"'{text[:60]}' is not chain:address")
    try:
        return Target(chain.lower(), normalize(chain.lower(), address))
    except AddressError as exc:
        raise ValidationError("address", exc.reason) from None


def customer_targets(vault: Vault, external_id: str) -> list[Target]:
    customer_id = customers.by_external_id(vault.conn, external_id)
    if customer_id is None:
        raise ValidationError("customer", f"no customer with external id '{external_id[:40]}'")
    return [
        Target(chain, address, customer_id)
        for chain, address in vault.conn.execute(
            "SELECT chain, address FROM addresses WHERE customer_id = ? ORDER BY id",
            (customer_id,),
        )
    ]


def all_targets(vault: Vault) -> Iterator[Target]:
    cursor = vault.conn.execute(
        "SELECT a.chain, a.address, a.customer_id FROM addresses a JOIN customers c "
        "ON c.id = a.customer_id WHERE c.erased_at IS NULL AND c.merged_into IS NULL ORDER BY a.id"
    )
    while batch := cursor.fetchmany(5000):
        for chain, address, customer_id in batch:
            yield Target(chain, address, int(customer_id))


class Screening:
    """The screening use cases of one open vault. `forget()` on lock."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.sanctions = OfflineSanctions(vault)

    def forget(self) -> None:
        self.sanctions.forget()

    def screen(
        self, targets: Sequence[Target], *, provider: str = SANCTIONS, offline: bool = False
    ) -> list[RiskResult]:
        """Screen and store each target's answer; one audit event for the run."""
        if provider not in PROVIDERS:
            raise ValidationError(
                "provider",
                f"'{provider}' is not set up in this vault; available: {', '.join(PROVIDERS)}",
            )
        # The offline list needs no network, so --offline changes nothing for it.
        del offline
        snapshot = self.sanctions.refresh()
        unique = dict.fromkeys((t.chain, t.address) for t in targets)
        results = [snapshot.screen(chain, address, validate=False) for chain, address in unique]
        with self.vault.transaction() as tx:
            for result in results:
                screenings.record(tx.conn, result.to_record())
            tx.event(
                "screening.run",
                {
                    "provider": provider,
                    "addresses": len(results),
                    "sanctioned": sum(r.sanctioned for r in results),
                    "errors": sum(not r.ok for r in results),
                },
            )
        return results
