"""The flow rules' edges, as pure functions of flow rows."""

from __future__ import annotations

from datetime import date, timedelta

from app.alerts import checks
from app.alerts.rules import default_rules
from vault.alerts.facts import FlowRow, Waking

TODAY = date(2026, 3, 15)
ETH = 10**18


def _day(n: int) -> str:
    """n days before today."""
    return (TODAY - timedelta(days=n)).isoformat()


def _row(days_ago: int, inflow: int, outflow: int = 0, *, customer: int = 1) -> FlowRow:
    return FlowRow(customer, "ethereum", "ETH", 18, _day(days_ago), str(inflow), str(outflow),
                   f"{TODAY.isoformat()}T08:00:00+00:00")  # fmt: skip


def _drops(rows: list[FlowRow]) -> list[checks.Hit]:
    rule = default_rules().get("inflow_drop")
    windows = checks.Windows.of(TODAY, rule.number("days"))
    return checks.inflow_drops(checks.flow_totals(rows, windows), rule, windows)


def test_the_windows_are_the_last_seven_days_with_today_and_the_seven_before() -> None:
    windows = checks.Windows.of(TODAY, 7)
    assert windows.last_first == TODAY - timedelta(days=6)
    assert windows.previous_first == TODAY - timedelta(days=13)


def test_exactly_half_the_inflow_before_raises_and_a_wei_more_does_not() -> None:
    exactly = _drops([_row(10, 20 * ETH), _row(2, 10 * ETH)])
    assert len(exactly) == 1
    assert exactly[0].why == (
        "inflow 10.0 ETH in the last 7 days vs 20.0 ETH the 7 days before: -50%"
    )
    assert exactly[0].facts["change_percent"] == -50.0
    assert _drops([_row(10, 20 * ETH), _row(2, 10 * ETH + 1)]) == []


def test_the_issue_example_reads_in_numbers() -> None:
    hits = _drops([_row(8, 31 * ETH), _row(1, 12 * ETH + 4 * ETH // 10)])
    assert [h.why for h in hits] == [
        "inflow 12.4 ETH in the last 7 days vs 31.0 ETH the 7 days before: -60%"
    ]
    assert hits[0].subject == "customer:1:flows:ethereum" and hits[0].customer_id == 1


def test_no_previous_inflow_is_no_drop() -> None:
    assert _drops([_row(2, 5 * ETH)]) == []
    assert _drops([_row(10, 0, 3 * ETH), _row(2, 0)]) == []


def test_one_day_of_data_judges_only_what_it_covers() -> None:
    # one day in the last week only: nothing before, so no drop
    assert _drops([_row(0, 7 * ETH)]) == []
    # one day in the week before, fetched today: the last week stored nothing -> -100%
    hits = _drops([_row(9, 7 * ETH)])
    assert len(hits) == 1 and hits[0].facts["change_percent"] == -100.0
    # ... but data fetched before the last window began says nothing about it
    stale = FlowRow(1, "ethereum", "ETH", 18, _day(9), str(7 * ETH), "0", f"{_day(8)}T08:00:00")
    assert _drops([stale]) == []


def test_rows_older_than_both_windows_are_not_counted() -> None:
    assert _drops([_row(20, 100 * ETH), _row(2, 10 * ETH)]) == []


def test_each_customer_is_judged_on_its_own() -> None:
    rows = [_row(10, 10 * ETH, customer=1), _row(2, 1 * ETH, customer=1),
            _row(10, 10 * ETH, customer=2), _row(2, 9 * ETH, customer=2)]  # fmt: skip
    assert [h.customer_id for h in _drops(rows)] == [1]


def test_an_outflow_spike_needs_a_previous_outflow_and_the_whole_rise() -> None:
    rule = default_rules().get("outflow_spike")  # +200%: at least three times
    windows = checks.Windows.of(TODAY, 7)

    def spikes(rows: list[FlowRow]) -> list[checks.Hit]:
        return checks.outflow_spikes(checks.flow_totals(rows, windows), rule, windows)

    assert len(spikes([_row(10, 0, 2 * ETH), _row(1, 0, 6 * ETH)])) == 1
    assert spikes([_row(10, 0, 2 * ETH), _row(1, 0, 6 * ETH - 1)]) == []
    assert spikes([_row(1, 0, 600 * ETH)]) == []
    hit = spikes([_row(10, 0, 2 * ETH), _row(1, 0, 8 * ETH)])[0]
    assert hit.why == "outflow 8.0 ETH in the last 7 days vs 2.0 ETH the 7 days before: +300%"


def test_a_dormant_address_wakes_only_after_the_whole_quiet_spell() -> None:
    rule = default_rules().get("dormant_active")  # 180 days
    windows = checks.Windows.of(TODAY, 7)
    first = windows.last_first

    def waking(last_before: str | None) -> list[checks.Hit]:
        row = Waking("ethereum", "0xabc", 3, TODAY.isoformat(), last_before)
        return checks.dormant_wakings([row], rule, windows)

    assert waking(None) == []  # a new address is not a dormant one
    assert waking((first - timedelta(days=180)).isoformat()) == []
    hit = waking((first - timedelta(days=181)).isoformat())
    assert len(hit) == 1 and hit[0].facts["idle_days"] == 181
    assert hit[0].subject == "address:ethereum:0xabc"
