"""The normalised risk model: invariants, worst-of, rating suggestions, storage form."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.screening.risk import (
    RANK,
    Exposure,
    Level,
    RiskResult,
    Status,
    failed,
    level_for_score,
    raw_reference,
    score_for_level,
    suggest_rating,
    worst,
)

WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SANCTIONED = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"


def result(level: Level, score: int, address: str = "0xabc", **extra: object) -> RiskResult:
    fields: dict[str, object] = {"provider": "test-kyt", **extra}
    return RiskResult(
        chain="ethereum",
        address=address,
        level=level,
        score=score,
        fetched_at=WHEN,
        **fields,  # type: ignore[arg-type]
    )


def hit(address: str = SANCTIONED) -> RiskResult:
    return result(
        Level.SEVERE,
        100,
        address,
        sanctioned=True,
        categories=("sanctions",),
        provider="sanctions-list",
        source="OFAC SDN",
        sanctioned_party="EXAMPLE MIXER",
        list_date=date(2024, 9, 27),
        raw=b'{"match": "listed"}',
    )


def error(address: str = "TXYZ", status: Status = Status.TRANSIENT) -> RiskResult:
    return failed(
        chain="tron", address=address, provider="trongrid", status=status, error="timed out"
    )


# --- invariants -----------------------------------------------------------------


def test_sanctioned_means_severe_and_100() -> None:
    with pytest.raises(ValueError, match="severe with score 100"):
        result(Level.HIGH, 90, sanctioned=True)
    with pytest.raises(ValueError, match="severe with score 100"):
        result(Level.SEVERE, 99, sanctioned=True)
    assert hit().sanctioned


def test_an_error_never_looks_clean() -> None:
    with pytest.raises(ValueError, match="level unknown and no score"):
        RiskResult(
            chain="tron", address="T", provider="p", level=Level.NONE, score=0,
            fetched_at=WHEN, status=Status.TRANSIENT,
        )  # fmt: skip
    failure = error()
    assert (failure.level, failure.score, failure.ok) == (Level.UNKNOWN, None, False)
    with pytest.raises(ValueError, match="needs an error status"):
        failed(chain="tron", address="T", provider="p", status=Status.OK, error="")


@pytest.mark.parametrize("score", [-1, 101, 50.5, True])
def test_scores_are_integers_from_0_to_100(score: object) -> None:
    with pytest.raises(ValueError, match="score must be an integer"):
        result(Level.LOW, score)  # type: ignore[arg-type]


def test_ok_needs_a_level_and_score_and_times_are_aware() -> None:
    with pytest.raises(ValueError, match="needs a level and a score"):
        result(Level.UNKNOWN, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        RiskResult(
            chain="e", address="a", provider="p", level=Level.NONE, score=0,
            fetched_at=datetime(2026, 1, 1),
        )  # fmt: skip


def test_exposures_are_checked() -> None:
    with pytest.raises(ValueError, match="share"):
        Exposure("mixer", share=1.5)
    with pytest.raises(ValueError, match="negative"):
        Exposure("mixer", value=-1.0)
    assert Exposure("mixer", 1200.0, 0.25).as_dict() == {
        "category": "mixer",
        "value": 1200.0,
        "share": 0.25,
    }


def test_raw_is_evidence_not_identity() -> None:
    one, two = hit(), hit()
    assert one == two
    assert one.raw_ref == raw_reference(b'{"match": "listed"}')
    assert one.raw_ref is not None and one.raw_ref.startswith("sha256:")
    assert "raw" not in repr(one).split("error=")[1]
    assert result(Level.NONE, 0).raw_ref is None


def test_age() -> None:
    assert hit().age_seconds(WHEN + timedelta(hours=2)) == 7200


# --- levels and scores --------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "level"),
    [(0, "none"), (1, "low"), (24, "low"), (25, "medium"), (49, "medium"), (50, "high"),
     (74, "high"), (75, "severe"), (100, "severe")],
)  # fmt: skip
def test_score_bands(score: int, level: str) -> None:
    assert level_for_score(score) == level


@given(st.integers(0, 100), st.integers(0, 100))
def test_level_for_score_is_monotonic(a: int, b: int) -> None:
    if a <= b:
        assert RANK[level_for_score(a)] <= RANK[level_for_score(b)]


@pytest.mark.parametrize("level", [lv for lv in Level if lv is not Level.UNKNOWN])
def test_score_for_level_round_trips(level: Level) -> None:
    assert level_for_score(score_for_level(level)) is level


def test_unknown_has_no_score() -> None:
    with pytest.raises(ValueError):
        score_for_level(Level.UNKNOWN)


# --- worst and the customer rating -------------------------------------------------------


def test_worst_prefers_sanctioned_then_level_then_score() -> None:
    low, high, higher = result(Level.LOW, 10), result(Level.HIGH, 60), result(Level.HIGH, 70)
    assert worst([low, higher, high]) is higher
    assert worst([low, hit(), higher, error()]) == hit()
    assert worst([error()]) is None
    assert worst([]) is None


def test_suggestion_for_a_sanctioned_address() -> None:
    suggestion = suggest_rating([result(Level.NONE, 0, "0xclean"), hit()])
    assert suggestion.rating == "prohibited"
    assert suggestion.reason == (
        f"prohibited: {SANCTIONED} is sanctioned (OFAC SDN, list of 2024-09-27): EXAMPLE MIXER"
    )
    assert suggestion.basis == hit() and suggestion.complete


@pytest.mark.parametrize(
    ("level", "score", "rating"),
    [(Level.SEVERE, 90, "high"), (Level.HIGH, 60, "high"), (Level.MEDIUM, 30, "medium"),
     (Level.LOW, 5, "low"), (Level.NONE, 0, "low")],
)  # fmt: skip
def test_suggestion_follows_the_worst_level(level: Level, score: int, rating: str) -> None:
    flagged = result(level, score, categories=("mixer",), source="Test KYT")
    suggestion = suggest_rating([result(Level.NONE, 0, "0xother"), flagged])
    assert suggestion.rating == rating
    assert suggestion.reason.startswith(f"{rating}: ")


def test_suggestion_names_the_flag_and_the_provider() -> None:
    flagged = result(Level.HIGH, 62, categories=("mixer", "darknet"), source="Test KYT")
    assert suggest_rating([flagged]).reason == (
        "high: 0xabc on ethereum: high, score 62 (mixer, darknet) by Test KYT"
    )


def test_clean_suggestion_counts_the_addresses() -> None:
    clean = [result(Level.NONE, 0, f"0x{i}", source="OFAC SDN") for i in range(3)]
    assert suggest_rating(clean).reason == "low: no flags on 3 addresses (OFAC SDN)"


def test_failed_lookups_make_the_suggestion_incomplete() -> None:
    suggestion = suggest_rating([result(Level.NONE, 0, source="OFAC SDN"), error(), error("TB")])
    assert suggestion.rating == "low" and not suggestion.complete
    assert suggestion.reason == (
        "low: no flags on 1 address (OFAC SDN); 2 of 3 could not be screened "
        "(TXYZ on tron: transient and 1 more)"
    )


def test_nothing_to_suggest() -> None:
    assert suggest_rating([]).rating is None
    assert suggest_rating([]).reason == "no addresses to screen"
    only_errors = suggest_rating([error(status=Status.AUTH)])
    assert only_errors.rating is None and not only_errors.complete
    assert only_errors.reason == "1 of 1 could not be screened (TXYZ on tron: auth)"


def test_describe_an_error() -> None:
    assert error().describe() == "TXYZ on tron could not be screened (transient): timed out"


# --- the screenings row -------------------------------------------------------------


@pytest.mark.parametrize(
    "original",
    [
        hit(),
        error(),
        result(
            Level.MEDIUM,
            40,
            categories=("exchange",),
            direct=(Exposure("exchange", 1000.0, 0.5),),
            indirect=(Exposure("mixer", None, 0.01), Exposure("gambling", 20.5)),
            source="Test KYT",
            raw=b"{}",
        ),
    ],
)
def test_record_round_trip(original: RiskResult) -> None:
    row = original.to_record()
    assert row["level"] == str(original.level) and row["status"] == str(original.status)
    assert isinstance(row["categories"], str) and isinstance(row["exposures"], str)
    back = RiskResult.from_record({"id": 7, **row})
    assert back == original and back.raw == original.raw
