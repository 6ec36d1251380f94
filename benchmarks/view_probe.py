"""Child process of the Customers-view benchmark: unlock a big vault, show the list.

    python -m benchmarks.view_probe VAULT PASSPHRASE

Prints one JSON object: seconds from unlock to the first rows shown, seconds from
asking the model to the first rows, and the process's peak RSS in MiB. A process
of its own, so the RSS is the app's, not the benchmark's (which built the vault):
read as this process's own high-water mark (benchmarks.common.peak_rss_mib), since
ru_maxrss would carry over the runner's.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QApplication, QTableView

from app.session import VaultSession
from app.settings import Settings
from app.tasks import TaskRunner
from benchmarks.common import peak_rss_mib
from ui.book.context import BookContext
from ui.book.customer_model import CustomerModel
from ui.bridge import Bridge
from ui.services import Services
from vault.keys import Keychain
from vault.unlock import Credentials


def start_app() -> tuple[QApplication, TaskRunner, Services]:
    """The application, the database worker and the services a probe's views need."""
    app = QApplication([])
    bridge = Bridge()
    runner = TaskRunner(bridge.deliver)
    return (
        app,
        runner,
        Services(runner, bridge, Settings(use_keychain=False), persist_settings=False),
    )


def wait_for_rows(app: QApplication, model: QAbstractItemModel, *, timeout: float = 30) -> None:
    """Let the event loop run until the model shows its first rows."""
    deadline = time.perf_counter() + timeout
    while model.rowCount() == 0 and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()


def main(vault: str, passphrase: str) -> None:
    app, runner, services = start_app()
    session = VaultSession(vault, keychain=Keychain.disabled())
    start = time.perf_counter()
    session.unlock(Credentials(passphrase=passphrase))
    unlocked = time.perf_counter()
    context = BookContext(session, services)
    model = CustomerModel(context)
    view = QTableView()
    view.setModel(model)
    view.resize(1200, 800)
    view.show()
    asked = time.perf_counter()
    model.reload()
    wait_for_rows(app, model)
    shown = time.perf_counter()
    rss_mib = peak_rss_mib()
    print(
        json.dumps(
            {
                "unlock_to_rows_s": shown - start,
                "model_to_rows_s": shown - asked,
                "unlock_s": unlocked - start,
                "rows": model.rowCount(),
                "total": model.total,
                "rss_mib": rss_mib,
            }
        )
    )
    model.close()
    context.close()
    runner.shutdown()
    session.lock()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
