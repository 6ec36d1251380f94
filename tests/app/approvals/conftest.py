from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.approvals.service import ApprovalService
from app.book.models import CustomerDraft
from app.book.service import CustomerBook
from app.prices.book import store_quotes
from app.prices.quotes import Quote
from tests.conftest import PASSPHRASE
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import create_vault

ETH = "0x52908400098527886E0F7030069857D2E4169EE7"
ETH2 = "0x8617E340B3D01FA5F11F306F4090FD50E238070D"
#: a request's signed content, as the service makes it
SIGNED_CONTENT = {
    "id": "01a23e99-5d44-7f34-8e93-ed02f34871cf",
    "kind": "withdrawal",
    "customer": "C-1",
    "asset": "USDT",
    "amount": "20000",
    "chain": "ethereum",
    "address": "0x52908400098527886E0F7030069857D2E4169EE7",
    "limit": "",
    "justification": "",
    "createdAt": "2026-12-04T01:09:28.004+00:00",
    "createdBy": "0x3443598a308dC2281B460d1Af4d8F3845E701e67",
}


@pytest.fixture
def vault(tmp_path: Path, no_keychain: Keychain) -> Iterator[Vault]:
    made = create_vault(tmp_path / "desk.vault", passphrase=PASSPHRASE, keychain=no_keychain)
    yield made.vault
    made.vault.close()


def add_customer(vault: Vault, external_id: str, name: str = "Acme Ltd") -> int:
    book = CustomerBook(vault)
    with vault.transaction() as tx:
        customer_id, _ = book.save_customer(
            tx, CustomerDraft(display_name=name, external_id=external_id)
        )
    return customer_id


@pytest.fixture
def desk(vault: Vault) -> ApprovalService:
    """A desk with the root admin, two officers and a desk head; screening not required."""
    add_customer(vault, "C-1")
    root = ApprovalService(vault)
    root.add_member("alice", ["officer"])
    root.add_member("bob", ["officer"])
    root.add_member("dana", ["desk_head"])
    root.set_policy(root.policy_text().replace("unscreened: needs_refresh", "unscreened: allow"))
    add_prices(vault, USDT="1", USDC="1", ETH="3000")
    return root


def add_prices(vault: Vault, *, age: timedelta = timedelta(hours=1), **prices: str) -> None:
    """Fresh prices in USD (the default policy's currency), as a price import stores them."""
    now = datetime.now(UTC)
    quotes = [Quote(a, "USD", Decimal(p), now - age, "test prices") for a, p in prices.items()]
    store_quotes(vault, quotes, now=now, about={"file": "test"})
