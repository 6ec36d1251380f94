"""The view probes' memory figure is the probe's own, not the runner's that started it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.book.models import CustomerDraft
from app.book.service import CustomerBook
from benchmarks.common import PASSPHRASE, MemoryKeyring, run_probe
from vault.keys import Keychain
from vault.unlock import create_vault

#: what the runner holds when it starts a probe (it has just built a big vault)
BALLAST_MIB = 400


@pytest.fixture
def ballast() -> Iterator[bytearray]:
    held = bytearray(BALLAST_MIB << 20)
    held[::4096] = b"\1" * len(range(0, len(held), 4096))  # touched: resident, not just mapped
    yield held
    del held


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the inherited peak is Linux's")
def test_customers_view_probe_reports_its_own_peak(tmp_path: Path, ballast: bytearray) -> None:
    path = tmp_path / "small.vault"
    vault = create_vault(path, passphrase=PASSPHRASE, keychain=Keychain(MemoryKeyring())).vault
    book = CustomerBook(vault)
    with vault.transaction() as tx:
        book.save_customer(tx, CustomerDraft(display_name="Probe Ltd", external_id="P-1"))
    vault.close(audit=False)

    view = run_probe("benchmarks.view_probe", path)

    assert view["rows"] == 1
    # ru_maxrss, inherited across fork and exec, said at least the runner's 400 MiB.
    assert 20 < view["rss_mib"] < BALLAST_MIB * 0.75, view
