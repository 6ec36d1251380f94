"""The Screening section's list over a big vault: each address's newest answer per
provider, counted and its first page read, as the view does on the database worker."""

from __future__ import annotations

import time
from datetime import timedelta

from app.screening.risk import Level, RiskResult, utc_now
from benchmarks.common import Figure, temp_folder
from benchmarks.screening_bench import _bench_vault
from vault.screening import latest, screenings

ADDRESSES = 100_000
#: answers per address (history): the list shows the newest of each
ANSWERS = 2
TARGET = 0.5  # seconds: the section should fill in at once


def bench_screening_view() -> list[Figure]:
    figures = []
    with temp_folder() as folder, _bench_vault(folder) as vault:
        now = utc_now()
        with vault.transaction() as tx:
            for i in range(1, ADDRESSES + 1):
                for age in range(ANSWERS):
                    sanctioned = i % 1000 == 0 and age == 0
                    result = RiskResult(
                        chain="ethereum",
                        address="0x" + f"{i:040x}",
                        provider="sanctions-list",
                        level=Level.SEVERE if sanctioned else Level.NONE,
                        score=100 if sanctioned else 0,
                        sanctioned=sanctioned,
                        fetched_at=now - timedelta(hours=age * 30, seconds=i),
                        source="OFAC SDN",
                    )
                    screenings.record(tx.conn, result.to_record())
        for name, where, sort in (
            ("screening_view_first_page", latest.Filter(), "age"),
            ("screening_view_sanctioned_first_page", latest.Filter(sanctioned=True), "age"),
            ("screening_view_sorted_by_level", latest.Filter(), "level"),
        ):
            start = time.perf_counter()
            total = latest.count(vault.conn, where)
            rows = latest.page(vault.conn, where, sort=sort, descending=True, offset=0, limit=200)
            wall = time.perf_counter() - start
            if not rows or total < len(rows):
                raise SystemExit(f"{name}: {total} counted, {len(rows)} read")
            figures.append(
                Figure(
                    name,
                    wall,
                    "s",
                    f"< {TARGET} s for the count and 200 rows of {ADDRESSES * ANSWERS:,} "
                    f"answers ({total:,} listed)",
                    wall / TARGET,
                    "target",
                )
            )
    return figures


if __name__ == "__main__":
    for figure in bench_screening_view():
        print(figure.line())
