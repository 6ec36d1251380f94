"""Setting up customer-book data for GUI tests: real writes on the database worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from app.book import validate
from app.book.models import AddressDraft
from app.book.service import CustomerBook
from app.demo import fill_demo
from app.session import VaultSession
from app.tasks import Operation
from ui.main_window import MainWindow
from ui.services import Services
from vault.connection import Connection

T = TypeVar("T")

#: EIP-55 test vectors: valid Ethereum addresses
ETH_A = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
ETH_B = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"


def on_worker(services: Services, work: Callable[[], T]) -> T:
    """Run `work` on the database worker and wait for it (as the views would)."""
    result: T = services.runner.run_db(Operation(work=lambda _p: work())).wait(30)
    return result


def read(session: VaultSession, services: Services, work: Callable[[Connection], T]) -> T:
    return on_worker(services, lambda: work(session.vault.conn))


def fill(session: VaultSession, services: Services, customers: int) -> dict[str, int]:
    return on_worker(
        services, lambda: fill_demo(session.vault, customers=customers, approvals=False)
    )


def add_customer(
    session: VaultSession, services: Services, *, addresses: tuple[str, ...] = (), **fields: Any
) -> int:
    """A customer from form fields (name=..., email=...), with Ethereum addresses."""

    def work() -> int:
        book = CustomerBook(session.vault)
        with session.vault.transaction() as tx:
            customer_id, _ = book.save_customer(tx, validate.customer(fields))
            for address in addresses:
                book.save_address(tx, customer_id, AddressDraft("ethereum", address))
        return customer_id

    return on_worker(services, work)


def customer_page(window: MainWindow) -> Any:
    assert window.workspace is not None
    return window.workspace.customers


def open_customer(qtbot: Any, window: MainWindow, customer_id: int) -> Any:
    """Open the customer's page in `window` and wait until its record is shown."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    customers = customer_page(window)
    customers.open_customer(customer_id)
    page = customers.detail
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.id == customer_id)
    return page


def count_events(session: VaultSession, services: Services, kind: str) -> int:
    """How many events of type `kind` the log holds."""
    return int(
        read(
            session,
            services,
            lambda conn: conn.execute(
                "SELECT count(*) FROM events WHERE type = ?", (kind,)
            ).fetchone()[0],
        )
    )
