"""The demo vault's screenings: a synthetic sanctions list naming a few demo
wallets, and the whole demo book screened against it, so the Screening section
and the approval risk gates have something to show on first open.

The listed addresses are the demo's own random ones: no real party, no real
list. The list is labelled DEMO so it cannot pass for OFAC's.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from app.screening.sanctions import PROVIDER as SANCTIONS
from app.screening.sanctions.importer import import_sanctions
from app.screening.service import Screening
from vault.store import Vault

DEMO_LIST_LABEL = "DEMO list (not OFAC)"
#: one demo Ethereum wallet in this many is put on the demo list
EVERY = 100


def screen_demo(vault: Vault, *, every: int = EVERY) -> dict[str, int]:
    """List a few demo EVM wallets and screen every demo address not screened yet
    offline. Database worker; a fraction of a second for the 3,000-customer demo.

    Addresses the demo desk already screened (app.demo_approvals: its requests'
    statuses depend on those answers and their age) keep their answers; the EVM
    ones it found sanctioned go on the list too, so list and answers agree.
    """
    conn = vault.conn
    ethereum = conn.execute("SELECT address FROM addresses WHERE chain = 'ethereum'")
    listed = [str(address) for (address,) in ethereum.fetchall()[::every]]
    listed += [
        str(address)
        for (address,) in conn.execute(
            "SELECT DISTINCT address FROM screenings WHERE sanctioned = 1 AND address LIKE '0x%'"
        )
    ]
    if not listed:
        return {"listed": 0, "screened": 0, "sanctioned": 0}
    with tempfile.TemporaryDirectory(prefix="strongroom-demo-list-") as folder:
        path = Path(folder) / "demo_sanctioned_addresses_ETH.txt"
        path.write_text("".join(f"{a}\n" for a in listed), encoding="ascii")
        import_sanctions(vault, path, asset="ETH", list_date=date.today(), shown_as=DEMO_LIST_LABEL)
    pairs = [
        (str(c), str(a))
        for c, a in conn.execute(
            "SELECT chain, address FROM addresses a WHERE NOT EXISTS (SELECT 1 FROM screenings s "
            "WHERE s.chain = a.chain AND s.address = a.address)"
        )
    ]
    screening = Screening(vault)
    try:
        found = screening.lookup(pairs, provider=SANCTIONS)
    finally:
        screening.forget()
    sanctioned = sum(1 for f in found if f.result is not None and f.result.sanctioned)
    return {"listed": len(listed), "screened": len(found), "sanctioned": sanctioned}
