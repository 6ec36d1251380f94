"""Daily inflow/outflow totals from transfers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from integrations.explorers import Asset, Transfer, daily_flows

ETH = Asset("ethereum", "ETH", 18)
USDC = Asset("ethereum", "USDC", 6, "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")


def transfer(when: datetime | None, *, inflow: int = 0, outflow: int = 0, **kw: object) -> Transfer:
    return Transfer(
        chain="ethereum",
        tx_hash="0x" + "00" * 32,
        asset=kw.pop("asset", ETH),  # type: ignore[arg-type]
        inflow=inflow,
        outflow=outflow,
        timestamp=when,
        block=1,
        failed=bool(kw.pop("failed", False)),
    )


def test_totals_per_utc_day_and_asset() -> None:
    late = datetime(2024, 5, 1, 23, 30, tzinfo=timezone(timedelta(hours=-2)))  # 01:30 UTC, May 2
    flows = daily_flows(
        [
            transfer(datetime(2024, 5, 1, 9, tzinfo=UTC), inflow=5),
            transfer(datetime(2024, 5, 1, 10, tzinfo=UTC), outflow=2),
            transfer(datetime(2024, 5, 1, 11, tzinfo=UTC), inflow=7, asset=USDC),
            transfer(late, inflow=1),
            transfer(None, inflow=100),  # unconfirmed: no day yet
            transfer(datetime(2024, 5, 1, 12, tzinfo=UTC), outflow=50, failed=True),
        ]
    )
    assert [(f.day, f.asset.symbol, f.inflow, f.outflow, f.transfers) for f in flows] == [
        (date(2024, 5, 1), "ETH", 5, 2, 2),
        (date(2024, 5, 1), "USDC", 7, 0, 1),
        (date(2024, 5, 2), "ETH", 1, 0, 1),
    ]


def test_no_transfers_no_rows() -> None:
    assert daily_flows([]) == []


@given(
    st.lists(
        st.tuples(
            st.integers(0, 10 * 365 * 86_400),
            st.integers(0, 10**30),
            st.integers(0, 10**30),
        ),
        max_size=40,
    )
)
def test_daily_totals_add_up_to_the_transfers(rows: list[tuple[int, int, int]]) -> None:
    base = datetime(2015, 1, 1, tzinfo=UTC)
    transfers = [transfer(base + timedelta(seconds=s), inflow=i, outflow=o) for s, i, o in rows]
    flows = daily_flows(transfers)
    assert sum(f.inflow for f in flows) == sum(i for _, i, _ in rows)
    assert sum(f.outflow for f in flows) == sum(o for _, _, o in rows)
    assert sum(f.transfers for f in flows) == len(rows)
    assert [f.day for f in flows] == sorted({f.day for f in flows})
