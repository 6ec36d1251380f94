"""The mapping tables of each provider (no network), the registry, and the
adapter's guarantees with a fake client: nothing unreadable ever looks clean."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.addresses import CHAINS
from app.screening.providers import (
    PROVIDERS,
    KytRiskProvider,
    ProviderInfo,
    Verdict,
    chainalysis,
    default_config,
    elliptic,
    make_provider,
    trm,
)
from app.screening.providers.base import exposures
from app.screening.risk import Level, RiskResult, Status, level_for_score
from integrations.http import Offline, ProviderStatus
from integrations.http.breaker import CircuitState
from integrations.kyt import MalformedAnswer, Screened
from integrations.kyt.chainalysis import (
    Cluster,
    EntityRisk,
    Exposure,
    Identification,
    Risk,
    SanctionsAnswer,
)
from integrations.kyt.elliptic import WalletAnalysis
from integrations.kyt.trm import Entity, RiskIndicator, ScreenedAddress
from integrations.kyt.trm.models import parse_screening

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
TRM_FIXTURES = Path(__file__).parents[1] / "integrations" / "kyt_fixtures" / "trm"
ADDRESS = "0x8589427373d6d84e98730d7795d8f6f8731fda16"


# -- Chainalysis ----------------------------------------------------------------


def entity(**changes: Any) -> EntityRisk:
    base: dict[str, Any] = {
        "address": ADDRESS,
        "risk": Risk.LOW,
        "risk_reason": None,
        "cluster": None,
        "address_type": "PRIVATE_WALLET",
        "identifications": (),
        "exposures": (),
        "triggers": (),
    }
    return EntityRisk(**{**base, **changes})


@pytest.mark.parametrize(
    ("risk", "level", "score"),
    [
        (Risk.LOW, Level.LOW, 20),
        (Risk.MEDIUM, Level.MEDIUM, 40),
        (Risk.HIGH, Level.HIGH, 70),
        (Risk.SEVERE, Level.SEVERE, 90),
    ],
)
def test_chainalysis_levels(risk: Risk, level: Level, score: int) -> None:
    verdict = chainalysis.judge_entity(entity(risk=risk))
    assert (verdict.level, verdict.score, verdict.sanctioned) == (level, score, False)
    assert level_for_score(score) is level


@pytest.mark.parametrize("category", ["sanctions", "Sanctioned Entity"])
def test_chainalysis_designation_of_the_address_itself_is_sanctioned(category: str) -> None:
    named = Identification(category=category, name="OFAC SDN Lazarus Group", address=ADDRESS)
    verdict = chainalysis.judge_entity(entity(risk=Risk.HIGH, identifications=(named,)))
    assert (verdict.level, verdict.score, verdict.sanctioned) == (Level.SEVERE, 100, True)
    assert verdict.sanctioned_party == "OFAC SDN Lazarus Group"


def test_chainalysis_sanctioned_jurisdiction_or_exposure_is_not_a_designation() -> None:
    verdict = chainalysis.judge_entity(
        entity(
            risk=Risk.HIGH,
            cluster=Cluster("Some exchange", "sanctioned jurisdiction"),
            exposures=(Exposure("sanctions", Decimal(5), "indirect", None),),
        )
    )
    assert not verdict.sanctioned and verdict.level is Level.HIGH
    assert [e.category for e in verdict.indirect] == ["sanctions"]


def test_chainalysis_sanctions_api_table() -> None:
    assert chainalysis.judge_sanctions(SanctionsAnswer(())) == Verdict(Level.NONE, 0)
    listed = Identification("sanctions", "SANCTIONS: OFAC SDN X")
    verdict = chainalysis.judge_sanctions(SanctionsAnswer((listed, listed)))
    assert (verdict.level, verdict.score, verdict.sanctioned) == (Level.SEVERE, 100, True)
    assert verdict.sanctioned_party == "SANCTIONS: OFAC SDN X"


# -- Elliptic -------------------------------------------------------------------


def wallet(score: Decimal | None, tier: str = "full") -> WalletAnalysis:
    return WalletAnalysis("id", score, tier, (), (), ())


@given(st.decimals(min_value=0, max_value=10, places=6))
def test_elliptic_scores_scale_up_and_never_look_cleaner(score: Decimal) -> None:
    verdict = elliptic.judge_wallet(wallet(score))
    assert verdict.score == math.ceil(score * 10) and 0 <= verdict.score <= 100
    assert verdict.level is level_for_score(verdict.score)
    assert (verdict.level is Level.NONE) == (score == 0)


@pytest.mark.parametrize(
    ("score", "level", "ours"),
    [
        (None, Level.NONE, 0),
        ("0", Level.NONE, 0),
        ("0.01", Level.LOW, 1),
        ("2.4", Level.LOW, 24),
        ("2.41", Level.MEDIUM, 25),
        ("4.9", Level.MEDIUM, 49),
        ("5", Level.HIGH, 50),
        ("7.4", Level.HIGH, 74),
        ("7.41", Level.SEVERE, 75),
        ("9.038007", Level.SEVERE, 91),
        ("10", Level.SEVERE, 100),
    ],
)
def test_elliptic_table(score: str | None, level: Level, ours: int) -> None:
    verdict = elliptic.judge_wallet(wallet(None if score is None else Decimal(score)))
    assert (verdict.level, verdict.score, verdict.sanctioned) == (level, ours, False)


def test_elliptic_sanctions_tier_is_named_in_the_source() -> None:
    assert elliptic.judge_wallet(wallet(None, "sanctions")).source == "Elliptic (sanctions tier)"


# -- TRM -------------------------------------------------------------------------


def indicator(
    level: int, risk_type: str = "COUNTERPARTY", category: str = "Mixer"
) -> RiskIndicator:
    return RiskIndicator(category, "11", level, risk_type, Decimal(1), Decimal(2), Decimal(3))


@pytest.mark.parametrize(
    ("levels", "level", "score"),
    [
        ((), Level.NONE, 0),
        ((0,), Level.LOW, 10),
        ((1,), Level.LOW, 20),
        ((1, 5), Level.MEDIUM, 40),
        ((10, 1), Level.HIGH, 70),
        ((5, 15, 0), Level.SEVERE, 90),
    ],
)
def test_trm_table(levels: tuple[int, ...], level: Level, score: int) -> None:
    answer = ScreenedAddress(ADDRESS, "ethereum", tuple(indicator(n) for n in levels), (), None)
    verdict = trm.judge_screening(answer)
    assert (verdict.level, verdict.score, verdict.sanctioned) == (level, score, False)


def test_trm_entities_count_towards_the_level() -> None:
    samsam = Entity("SamSam", "Ransomware", "58", 15, None)
    verdict = trm.judge_screening(ScreenedAddress(ADDRESS, "bitcoin", (), (samsam,), None))
    assert (verdict.level, verdict.score, verdict.categories) == (Level.SEVERE, 90, ("ransomware",))


@pytest.mark.parametrize(
    ("risk_type", "sanctioned"),
    [("OWNERSHIP", True), ("COUNTERPARTY", False), ("INDIRECT", False)],
)
def test_trm_only_ownership_of_sanctions_is_sanctioned(risk_type: str, sanctioned: bool) -> None:
    flag = RiskIndicator("Sanctions", "69", 15, risk_type, Decimal(0), Decimal(0), Decimal(0))
    verdict = trm.judge_screening(ScreenedAddress(ADDRESS, "tron", (flag,), (), None))
    assert verdict.sanctioned is sanctioned and verdict.level is Level.SEVERE


# -- exposures --------------------------------------------------------------------


def test_exposures_add_values_and_keep_the_largest_share_per_category() -> None:
    found = exposures(
        [
            ("Exchange", Decimal(10), Decimal("0.2")),
            ("exchange ", Decimal(5), Decimal("0.6")),
            ("Mixer", None, Decimal("0.1")),
            ("Gambling", Decimal(0), Decimal(0)),  # nothing: left out
            (None, Decimal(3), None),  # no category: left out
        ]
    )
    assert [(e.category, e.value, e.share) for e in found] == [
        ("exchange", 15.0, 0.6),
        ("mixer", None, 0.1),
    ]


# -- the adapter with a fake client -------------------------------------------------


class FakeClient:
    name = "Fake"

    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome
        self.calls: list[tuple[str, str]] = []

    def supports(self, chain: str) -> bool:
        return chain != "tron"

    def screen(self, chain: str, address: str) -> Screened[Any]:
        self.calls.append((chain, address))
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return Screened(self.outcome, b'{"fake": true}', WHEN)

    def check_key(self) -> str:
        return "GET /fake"

    def status(self) -> ProviderStatus:
        return ProviderStatus("Fake", CircuitState.CLOSED, 0.0)

    def close(self) -> None:
        pass


INFO = ProviderInfo("fake", "Fake KYT", True, False, 1.0, "test", 60, "test", CHAINS)


def provider(outcome: Any, judge: Any) -> KytRiskProvider[Any]:
    return KytRiskProvider(FakeClient(outcome), info=INFO, judge=judge, secrets=("sekrit",))


def test_a_verdict_that_breaks_the_risk_model_is_malformed() -> None:
    # sanctioned but not severe: RiskResult refuses it, so it is never stored as an answer
    result = provider("x", lambda _: Verdict(Level.HIGH, 70, sanctioned=True)).screen(
        "ethereum", ADDRESS
    )
    assert result.status is Status.MALFORMED and result.fetched_at == WHEN
    assert "does not fit the risk model" in (result.error or "")


def test_a_judge_that_cannot_read_the_answer_is_malformed() -> None:
    def judge(answer: Any) -> Verdict:
        raise ValueError("exposure value must not be negative: -1")

    assert provider("x", judge).screen("ethereum", ADDRESS).status is Status.MALFORMED


def test_an_answer_keeps_its_raw_body_and_date() -> None:
    result = provider("x", lambda _: Verdict(Level.MEDIUM, 40)).screen("ethereum", ADDRESS)
    assert result.ok and result.raw == b'{"fake": true}' and result.fetched_at == WHEN
    assert result.source == "Fake KYT" and result.raw_ref is not None


def test_a_chain_the_client_does_not_name_is_unsupported() -> None:
    fake = provider("x", lambda _: Verdict(Level.NONE, 0))
    result = fake.screen("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
    assert result.status is Status.UNSUPPORTED


def test_secrets_are_blanked_from_any_error_text() -> None:
    failing = provider(
        Offline("could not be reached with sekrit"), lambda _: Verdict(Level.NONE, 0)
    )
    result = failing.screen("ethereum", ADDRESS)
    assert result.status is Status.TRANSIENT and "sekrit" not in (result.error or "")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (MalformedAnswer("gave junk"), Status.MALFORMED),
        (Offline("could not be reached"), Status.TRANSIENT),
    ],
)
def test_client_errors_become_statuses(error: Exception, status: Status) -> None:
    result = provider(error, lambda _: Verdict(Level.NONE, 0)).screen("ethereum", ADDRESS)
    assert result.status is status and isinstance(result, RiskResult)


# -- the registry -------------------------------------------------------------------


def test_every_provider_is_described() -> None:
    assert set(PROVIDERS) == {"chainalysis-sanctions", "chainalysis", "elliptic", "trm"}
    for name, info in PROVIDERS.items():
        assert info.name == name and info.label and info.needs_key
        assert info.rate_per_second == default_config(name).rate_per_second > 0
        assert info.ttl_seconds >= 3600 and info.ttl_reason and info.rate_source
        assert set(info.chains) <= set(CHAINS) and info.chains
    assert PROVIDERS["elliptic"].needs_secret and not PROVIDERS["trm"].needs_secret
    assert PROVIDERS["trm"].chains == ("ethereum", "polygon", "bitcoin", "tron")


def test_an_unknown_provider_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="known: chainalysis-sanctions"):
        make_provider("coinfirm", key="k")


@pytest.mark.parametrize(
    ("name", "key", "secret", "missing"),
    [
        ("trm", "", None, "API key"),
        ("chainalysis", "   ", None, "API key"),
        ("elliptic", "k", None, "secret"),
        ("elliptic", "", "", "API key or secret"),
    ],
)
def test_a_missing_key_or_secret_is_not_configured(
    name: str, key: str, secret: str | None, missing: str
) -> None:
    provider = make_provider(name, key=key, secret=secret)
    result = provider.screen("ethereum", ADDRESS)
    assert result.status is Status.NOT_CONFIGURED and f"has no {missing}" in (result.error or "")
    tested = provider.test_connection()
    assert isinstance(tested, RiskResult) and tested.status is Status.NOT_CONFIGURED


def test_a_secret_that_cannot_sign_is_an_auth_failure_without_a_request() -> None:
    provider = make_provider("elliptic", key="k", secret="not base64 at all!")
    result = provider.screen("ethereum", ADDRESS)
    assert result.status is Status.AUTH and "not valid Base64" in (result.error or "")
    assert "not base64 at all!" not in (result.error or "")


def test_base_url_and_rate_can_be_overridden() -> None:
    provider = make_provider("trm", key="k", base_url="http://127.0.0.1:9", rate_per_second=7.0)
    assert isinstance(provider, KytRiskProvider)
    provider.close()


def test_trm_an_undocumented_level_still_finds_the_sanctions_and_says_what_it_missed() -> None:
    """The captured answer with an entity rated 42 (tests/integrations/kyt_fixtures/trm/
    level_42.json): its OWNERSHIP Sanctions indicator makes the address sanctioned, and
    the 42 shows among the categories instead of voiding the answer."""
    body = json.loads((TRM_FIXTURES / "level_42.json").read_bytes(), parse_float=Decimal)
    verdict = trm.judge_screening(parse_screening(body))
    assert verdict.sanctioned and (verdict.level, verdict.score) == (Level.SEVERE, 100)
    assert "sanctions" in verdict.categories and "cold wallet" in verdict.categories
    assert verdict.categories[-1] == (
        "not understood: entity Tether Treasury: riskScoreLevel 42 is undocumented "
        "(its label Low was used)"
    )


def test_trm_a_flag_without_a_readable_level_counts_as_unknown() -> None:
    flag = RiskIndicator("Mixer", "11", None, "COUNTERPARTY", Decimal(1), Decimal(2), Decimal(3))
    answer = ScreenedAddress(ADDRESS, "ethereum", (flag,), (), None, ("indicator Mixer: ...",))
    verdict = trm.judge_screening(answer)
    assert (verdict.level, verdict.score) == (Level.LOW, 10)  # flagged, never "none"
    assert verdict.categories == ("mixer", "not understood: indicator Mixer: ...")
