"""Child process of the approval-queue benchmark: unlock a big vault, show the queue.

    python -m benchmarks.queue_probe VAULT PASSPHRASE

Prints one JSON object: seconds from creating the queue model to its first rows
shown, for the default view (open requests, oldest first) and for a narrow one
(whitelist requests of customers matching a name, largest limit first), and the
process's own peak RSS in MiB (not its parent's). A process of its own, like
benchmarks/view_probe.py.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableView

from app.approvals.model import OPEN_STATUSES as OPEN
from app.approvals.model import QueueFilter
from app.session import VaultSession
from benchmarks.common import peak_rss_mib
from benchmarks.view_probe import start_app, wait_for_rows
from ui.approvals.context import ApprovalsContext
from ui.approvals.queue_model import QueueModel
from vault.keys import Keychain
from vault.unlock import Credentials

NARROW = QueueFilter(kinds=frozenset({"whitelist"}), statuses=OPEN, customer="Maria")


def _first_rows(
    app: QApplication, context: ApprovalsContext, flt: QueueFilter, sort: int | None = None
) -> tuple[float, int, int]:
    """Seconds from creating the model to its first rows in a shown view; rows, total."""
    start = time.perf_counter()
    model = QueueModel(context, flt)
    if sort is not None:
        model.sort(sort, Qt.SortOrder.DescendingOrder)  # reloads with the new order
    view = QTableView()
    view.setModel(model)
    view.resize(1400, 800)
    view.show()
    if sort is None:
        model.reload()
    wait_for_rows(app, model)
    elapsed = time.perf_counter() - start
    rows, total = model.rowCount(), model.total
    view.setModel(None)
    model.close()
    return elapsed, rows, total


def main(vault: str, passphrase: str) -> None:
    app, runner, services = start_app()
    session = VaultSession(vault, keychain=Keychain.disabled())
    session.unlock(Credentials(passphrase=passphrase))
    context = ApprovalsContext(session, services)
    default_s, default_rows, default_total = _first_rows(app, context, QueueFilter(statuses=OPEN))
    narrow_s, narrow_rows, narrow_total = _first_rows(app, context, NARROW, sort=4)
    rss_mib = peak_rss_mib()
    print(
        json.dumps(
            {
                "default_s": default_s,
                "default_rows": default_rows,
                "default_total": default_total,
                "narrow_s": narrow_s,
                "narrow_rows": narrow_rows,
                "narrow_total": narrow_total,
                "rss_mib": rss_mib,
            }
        )
    )
    context.close()
    runner.shutdown()
    session.lock()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
