"""The approval risk gate takes an address no imported list covers as not screened:
an offline list that holds only ETH addresses has nothing to say about Bitcoin."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from app.approvals.service import ApprovalService
from app.screening.sanctions import import_sanctions
from app.screening.service import Screening, Target
from tests.app.approvals.conftest import ETH, ETH2
from vault.store import Vault

BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


def test_a_chain_no_list_covers_stays_unscreened_at_the_gate(
    desk: ApprovalService, vault: Vault, tmp_path: Path
) -> None:
    desk.set_policy(desk.policy_text().replace("unscreened: allow", "unscreened: needs_refresh"))
    listed = tmp_path / "sanctioned_addresses_ETH.txt"
    listed.write_text(ETH2 + "\n")
    import_sanctions(vault, listed, "ETH", list_date=date(2024, 9, 27))
    bitcoin = desk.request_whitelist("C-1", "bitcoin", BTC, Decimal("1000"))
    ethereum = desk.request_whitelist("C-1", "ethereum", ETH, Decimal("1000"))
    screening = Screening(vault)
    screening.screen([Target("bitcoin", BTC), Target("ethereum", ETH)])
    screening.forget()
    desk.refresh()
    assert desk.detail(ethereum.id).row.status == "pending"  # screened, clean
    gated = desk.detail(bitcoin.id)
    assert gated.row.status == "needs_refresh" and gated.row.risk_level is None
    assert "never screened" in " ".join(gated.reasons)
