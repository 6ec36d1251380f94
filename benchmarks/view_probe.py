"""Child process of the Customers-view benchmark: unlock a big vault, show the list.

    python -m benchmarks.view_probe VAULT PASSPHRASE

Prints one JSON object: seconds from unlock to the first rows shown, seconds from
asking the model to the first rows, and the process's peak RSS in MiB. A process
of its own, so the RSS is the app's, not the benchmark's (which built the vault).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QTableView

from app.session import VaultSession
from app.settings import Settings
from app.tasks import TaskRunner
from ui.book.context import BookContext
from ui.book.customer_model import CustomerModel
from ui.bridge import Bridge
from ui.services import Services
from vault.keys import Keychain
from vault.unlock import Credentials


def main(vault: str, passphrase: str) -> None:
    app = QApplication([])
    bridge = Bridge()
    runner = TaskRunner(bridge.deliver)
    services = Services(runner, bridge, Settings(use_keychain=False), persist_settings=False)
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
    deadline = asked + 30
    while model.rowCount() == 0 and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()
    shown = time.perf_counter()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
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
