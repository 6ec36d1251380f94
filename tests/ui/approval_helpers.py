"""Setting up a desk for the approvals GUI tests: real members, real signed requests."""

from __future__ import annotations

import random
from decimal import Decimal

from app.addresses.evm import to_checksum_address
from app.approvals.model import QueueFilter, QueueRow
from app.approvals.service import ApprovalService
from app.session import VaultSession
from tests.app.approvals.conftest import add_prices
from ui.main_window import MainWindow
from ui.services import Services

from .book_helpers import on_worker

#: a second desk member, who makes requests the vault's own member may then decide
ANA = "Ana Officer"


def service(session: VaultSession, acting_as: str | None = None) -> ApprovalService:
    return ApprovalService(session.vault, acting_as=acting_as)


def desk(session: VaultSession, services: Services) -> str:
    """The vault's own member gets the officer role beside admin; Ana joins as officer.
    Returns the own member's name."""

    def work() -> str:
        own = service(session)
        me = own.me()
        own.grant_role(me.name, "officer")
        own.add_member(ANA, ["officer"])
        add_prices(session.vault, USDT="1")
        return me.name

    return on_worker(services, work)


def addresses(count: int, *, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    return [to_checksum_address(rng.randbytes(20)) for _ in range(count)]


def whitelist_many(
    session: VaultSession, services: Services, external_id: str, count: int, *, by: str = ANA
) -> list[QueueRow]:
    def work() -> list[QueueRow]:
        maker = service(session, by)
        return [
            maker.request_whitelist(external_id, "ethereum", a, Decimal("5000"))
            for a in addresses(count)
        ]

    return on_worker(services, work)


def withdrawal(
    session: VaultSession,
    services: Services,
    external_id: str,
    amount: str,
    *,
    by: str | None = ANA,
    seed: int = 99,
) -> QueueRow:
    return on_worker(
        services,
        lambda: service(session, by).request_withdrawal(
            external_id, "USDT", Decimal(amount), "ethereum", addresses(1, seed=seed)[0]
        ),
    )


def count(session: VaultSession, services: Services, flt: QueueFilter) -> int:
    return on_worker(services, lambda: service(session).count(flt))


def approvals_page(window: MainWindow) -> object:
    assert window.workspace is not None
    return window.workspace.approvals


def screened(
    session: VaultSession,
    services: Services,
    address: str,
    *,
    level: str = "high",
    hours_ago: float = 3,
) -> None:
    """A stored screening (as a provider's answer would be kept) and an explorer summary."""
    from datetime import UTC, datetime, timedelta

    from app.screening.risk import Level, RiskResult, score_for_level
    from vault.screening import explorer, screenings

    fetched = datetime.now(UTC) - timedelta(hours=hours_ago)
    result = RiskResult(
        chain="ethereum",
        address=address,
        provider="chainalysis",
        level=Level(level),
        score=score_for_level(Level(level)),
        fetched_at=fetched,
        categories=("gambling",),
        source="Chainalysis KYT",
    )

    def work() -> None:
        with session.vault.transaction() as tx:
            screenings.record(tx.conn, result.to_record())
            explorer.put_summary(
                tx.conn,
                {
                    "chain": "ethereum",
                    "address": address,
                    "source": "etherscan",
                    "balances": [
                        {
                            "symbol": "ETH",
                            "contract": None,
                            "decimals": 18,
                            "amount": 1_500_000_000_000_000_000,
                            "pending": 0,
                        }
                    ],
                    "tx_count": 42,
                    "nonce": 7,
                    "first_seen": "2024-03-01T10:00:00+00:00",
                    "last_seen": "2026-11-30T08:00:00+00:00",
                    "fetched_at": fetched.isoformat(),
                    "raw": b"{}",
                },
            )

    on_worker(services, work)
