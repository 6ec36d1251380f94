"""The throwaway demo vault: its own temporary folder, never the user's real vault."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vault.paths import DEFAULT_NAME

#: Shown in the window; the demo holds only synthetic data, so this is no secret.
DEMO_PASSPHRASE = "demo-passphrase"  # noqa: S105


@dataclass(frozen=True)
class DemoFolder:
    folder: Path

    @property
    def vault_path(self) -> Path:
        return self.folder / DEFAULT_NAME

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def new_demo_folder() -> DemoFolder:
    return DemoFolder(Path(tempfile.mkdtemp(prefix="strongroom-demo-")))


# --- synthetic sample data (never real people) ------------------------------------

_FIRST = (
    "Avery",
    "Bo",
    "Chidi",
    "Dana",
    "Emeka",
    "Farah",
    "Goran",
    "Hana",
    "Ines",
    "Jonas",
    "Kaito",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rafael",
    "Sana",
    "Tomas",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zara",
)
_LAST = (
    "Abara",
    "Berglund",
    "Castillo",
    "Dvorak",
    "Eze",
    "Fontaine",
    "Gallo",
    "Horvath",
    "Ibsen",
    "Jovanovic",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Oduya",
    "Petrenko",
    "Quispe",
    "Rahman",
    "Svensson",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weiss",
    "Xu",
    "Yilmaz",
    "Zeller",
)
_FIRMS = ("Capital", "Trading", "Digital Assets", "Ventures", "Markets", "Holdings", "Labs")
_PLACES = ("Alpine", "Harbour", "Meridian", "Northgate", "Orchid", "Pacific", "Summit", "Tidal")
_FORMS = ("Ltd", "AG", "LLC", "Pte Ltd", "GmbH", "SA", "BV", "KK")
_COUNTRIES = ("DE", "GB", "FR", "CH", "SG", "AE", "US", "JP", "NL", "ES", "HK", "KR")
_EVM = ("ethereum", "arbitrum", "optimism", "base", "polygon", "bsc")


def fill_demo(
    vault: object, *, customers: int = 3000, seed: int = 2026, approvals: bool = True
) -> dict[str, int]:
    """Fill a demo vault with synthetic customers and addresses, a few of them shared
    (conflicts) and a few near-duplicate customers, and (`approvals`) a desk of demo
    members with requests in every status. Runs on the database worker."""
    import random

    from app.addresses import segwit
    from app.addresses.base58 import b58check_encode
    from app.addresses.evm import to_checksum_address
    from app.book import validate
    from app.book.models import AddressDraft
    from app.book.service import CustomerBook
    from vault.store import Vault

    assert isinstance(vault, Vault)
    rng = random.Random(seed)
    book = CustomerBook(vault)
    made: list[int] = []
    counts = {"customers": 0, "addresses": 0, "conflicts": 0}
    with vault.transaction() as tx, tx.buffered_events():
        for i in range(customers):
            entity = rng.random() < 0.3
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            initial = chr(ord("A") + rng.randrange(26))
            brand = rng.choice((last, rng.choice(_PLACES)))
            name = (
                f"{brand} {rng.choice(_FIRMS)} {rng.choice(_FORMS)}"
                if entity
                else f"{first} {initial}. {last}"
            )
            country = rng.choice(_COUNTRIES)
            handle = f"{first}.{last}{i}".lower() if not entity else f"desk{i}"
            fields = {
                "external_id": f"DEMO-{i:05d}",
                "name": name,
                "kind": "entity" if entity else "individual",
                "country": country,
                "email": f"{handle}@example.com",
                "kyc_status": rng.choice(
                    ("approved", "approved", "pending", "not_started", "expired")
                ),
                "risk_rating": rng.choice(("low", "low", "medium", "high")),
                "tags": rng.choice(("otc", "otc;vip", "institutional", "retail", "")),
            }
            customer_id, _ = book.save_customer(tx, validate.customer(fields))
            made.append(customer_id)
            counts["customers"] += 1
            for _ in range(rng.choice((1, 1, 2, 3))):
                roll, raw = rng.random(), rng.randbytes(20)
                if roll < 0.75:
                    chain, address = rng.choice(_EVM), to_checksum_address(raw)
                elif roll < 0.9:
                    chain, address = "bitcoin", segwit.encode("bc", version=0, program=raw)
                else:
                    chain, address = "tron", b58check_encode(b"\x41" + raw)
                book.link_address(
                    tx, customer_id, AddressDraft(chain, address, label="demo wallet")
                )
                counts["addresses"] += 1
        # Near-duplicates: the same person entered twice with a typo.
        for i in range(0, min(customers, 40), 4):
            original = made[i]
            row = tx.execute(
                "SELECT display_name, country FROM customers WHERE id = ?", (original,)
            ).fetchone()
            twin = {
                "name": str(row[0]).replace("a", "á", 1) + " ",
                "country": row[1],
                "external_id": f"DEMO-DUP-{i:03d}",
            }
            book.save_customer(tx, validate.customer(twin))
        # Shared addresses: the same wallet linked to two customers.
        shared = tx.execute("SELECT chain, address FROM addresses ORDER BY id LIMIT 12").fetchall()
        for n, (chain, address) in enumerate(shared):
            other = made[(n * 97 + 500) % len(made)]
            book.link_address(tx, other, AddressDraft(chain, address, label="also claimed"))
        counts["conflicts"] = len(book.flag_conflicts(tx, since_row=1))
    if approvals:
        from app.demo_approvals import fill_demo_approvals

        counts["requests"] = fill_demo_approvals(vault, rng)
    return counts


def fill_demo_vault(vault: object, *, history: bool = True) -> dict[str, int]:
    """Everything the demo vault holds: the book and the approval desk (`fill_demo`),
    the screenings (`app.demo_screening`) and (`history`) the dashboards' history
    (`app.demo_dashboards.fill_demo_dashboards`; the window adds it after it opens)
    and the alerts the rules raise over it.
    Database worker; a few seconds."""
    from app.demo_dashboards import answer_some_long_ago, fill_demo_dashboards
    from app.demo_screening import screen_demo
    from vault.store import Vault

    assert isinstance(vault, Vault)
    counts = fill_demo(vault)
    counts["screened_long_ago"] = answer_some_long_ago(vault)
    counts.update({f"screening_{k}": v for k, v in screen_demo(vault).items()})
    if history:
        counts.update(fill_demo_dashboards(vault))
        from app.alerts.engine import run_rules

        counts["alerts"] = len(run_rules(vault).raised)
    return counts
