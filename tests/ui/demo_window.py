"""A main window over a vault filled like the small dashboards demo (tests of the
Dashboards and Alerts sections)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.app.dashboards.conftest import fill_small_demo
from tests.ui.conftest import PASSPHRASE, WindowFactory
from ui.main_window import MainWindow
from vault.keys import Keychain
from vault.unlock import Credentials, open_vault


def demo_filled_window(
    vault_file: Path, keychain: Keychain, make_window: WindowFactory, section: str
) -> MainWindow:
    """Fill the locked `vault_file` (screenings, flows, approvals, the alerts they
    raise), then open a 1280x800 window on `section`."""
    vault = open_vault(vault_file, Credentials(passphrase=PASSPHRASE, use_keychain=False),
                       keychain=keychain)  # fmt: skip
    try:
        fill_small_demo(vault, datetime.now(UTC))
    finally:
        vault.close()
    window = make_window()
    workspace = window.workspace
    assert workspace is not None
    workspace.resize(1280, 800)
    workspace.select_key(section)
    return window
