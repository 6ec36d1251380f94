"""Name screening figures: importing OFAC's sdn.csv with aliases, screening a book of
200k customers against the whole SDN list, one name as it is typed.

The real list (shared/data/ofac/sdn-2024-05-03.csv) is needed; OFAC's alt.csv is not
in that folder, so one is written from the aliases in the list's remarks (the same
names, in alt.csv's format) to time the alias path too.
"""

from __future__ import annotations

import csv
import random
import statistics
import time
import uuid
from datetime import date
from pathlib import Path

from app.names.service import NameScreening
from app.screening.sanctions import import_sanctions
from benchmarks.common import PASSPHRASE, Figure, MemoryKeyring, temp_folder
from integrations.sanctions.sdn_csv import iter_sdn_csv
from tests.app.names.variants import FIRST_NAMES, LAST_NAMES, SDN_CSV
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import create_vault

CUSTOMERS = 200_000
LISTED = 500  # customers named like a listed individual, so that hits are written too
COMPANY_WORDS = ("Trading", "Capital", "Logistics", "Ventures", "Partners", "Digital")
TYPED = ("Xiaobing Yan", "Mohammad Ghorbaniyan", "Maria Garcia", "Banco Nacional", "Ivan Petrov")


def _write_alt_csv(path: Path) -> int:
    """alt.csv rows for the aliases in sdn.csv's remarks; returns how many."""
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        for party in iter_sdn_csv(SDN_CSV):
            for quality, name in party.aliases:
                rows += 1
                out.writerow([party.entry_id, rows, quality, name, "-0-"])
    return rows


def _customers(rng: random.Random) -> list[tuple[str, str]]:
    """(kind, name): individuals of common first, middle and last names, some
    companies, and LISTED names taken from the list."""
    listed = [p.name for p in iter_sdn_csv(SDN_CSV) if p.kind == "individual"]
    made: list[tuple[str, str]] = []
    for _ in range(CUSTOMERS - LISTED):
        last = rng.choice(LAST_NAMES)
        if rng.random() < 0.1:
            made.append(("entity", f"{last} {rng.choice(COMPANY_WORDS)} Ltd"))
            continue
        middle = f" {rng.choice(FIRST_NAMES)}" if rng.random() < 0.5 else ""
        made.append(("individual", f"{rng.choice(FIRST_NAMES)}{middle} {last}"))
    made += [("individual", rng.choice(listed)) for _ in range(LISTED)]
    rng.shuffle(made)
    return made


def _fill(vault: Vault, people: list[tuple[str, str]]) -> None:
    now = "2026-01-01T00:00:00+00:00"
    conn = vault.conn
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO customers (id, uid, external_id, kind, legal_name, display_name, country, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'DE', ?, ?)",
        (
            (i, str(uuid.UUID(int=i)), f"C{i}", kind, name, name, now, now)
            for i, (kind, name) in enumerate(people, start=1)
        ),
    )
    conn.execute("COMMIT")


def bench_names() -> list[Figure]:
    if not SDN_CSV.is_file():
        raise SystemExit(f"names benchmark: the real SDN list is not at {SDN_CSV}")
    rng = random.Random(16)
    with temp_folder() as folder:
        alt = folder / "alt.csv"
        aliases = _write_alt_csv(alt)
        vault = create_vault(
            folder / "names.vault", passphrase=PASSPHRASE, keychain=Keychain(MemoryKeyring())
        ).vault
        start = time.perf_counter()
        counts = import_sanctions(vault, SDN_CSV, list_date=date(2024, 5, 3), aliases=alt)
        imported = time.perf_counter() - start
        _fill(vault, _customers(rng))
        service = NameScreening(vault)
        start, cpu = time.perf_counter(), time.process_time()
        report = service.screen()
        screened, screened_cpu = time.perf_counter() - start, time.process_time() - cpu
        if report.screened != CUSTOMERS or report.raised < LISTED:
            raise SystemExit(f"names benchmark: unexpected report {report.summary()}")
        times = []
        for name in TYPED:
            for n in range(3, len(name) + 1):
                begin = time.perf_counter()
                service.check(name[:n], "individual")
                times.append(time.perf_counter() - begin)
        vault.close()
    typed_max = max(times) * 1000
    typed_median = statistics.median(times) * 1000
    typed_p95 = statistics.quantiles(times, n=20)[-1] * 1000
    note = f"{counts['parties']} parties, {aliases} aliases from a written alt.csv"
    return [
        Figure("names_sdn_csv_import", imported, "s", f"< 5 s, {note}", imported / 5, "target"),
        Figure(
            "names_screen_200k",
            screened,
            "s",
            f"< 60 s, {CUSTOMERS} customers against the whole list (index build and "
            f"{report.raised} hits written included; {screened_cpu:.1f} s of CPU)",
            screened / 60,
            "target",
        ),
        Figure(
            "names_one_name_max",
            typed_max,
            "ms",
            f"< 50 ms, slowest of {len(times)} prefixes as typed (median {typed_median:.2f} ms, "
            f"95th percentile {typed_p95:.2f} ms)",
            typed_max / 50,
            "target",
        ),
    ]
