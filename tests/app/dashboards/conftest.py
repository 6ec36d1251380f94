"""A small demo vault, filled like `strongroom --demo`, shared by a module's tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from keyring.backends import fail

from app.alerts.engine import run_rules
from app.demo import fill_demo
from app.demo_dashboards import answer_some_long_ago, fill_demo_dashboards
from app.demo_screening import screen_demo
from tests.conftest import PASSPHRASE
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import create_vault


def fill_small_demo(vault: Vault, now: datetime) -> None:
    fill_demo(vault, customers=200)
    answer_some_long_ago(vault, now=now, share=0.3)
    screen_demo(vault, every=10)
    fill_demo_dashboards(vault, now=now)
    run_rules(vault, now=now)


@pytest.fixture(scope="module")
def demo_now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_now: datetime) -> Iterator[Vault]:
    path = tmp_path_factory.mktemp("dash") / "demo.vault"
    made = create_vault(path, passphrase=PASSPHRASE, keychain=Keychain(fail.Keyring()))
    fill_small_demo(made.vault, demo_now)
    yield made.vault
    made.vault.close()
