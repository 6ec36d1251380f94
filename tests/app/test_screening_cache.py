"""The cache: answers within their time to live are served without a call; `refresh`
asks again; errors are never served as answers; every answer is kept as history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from app.screening.cache import Origin, ResultCache, TtlPolicy
from app.screening.risk import Status, utc_now
from app.screening.service import Screening
from tests.app.test_screening_support import (
    ADDRESS_PATH,
    NAME,
    SANCTIONED,
    SanctionsApi,
    ScriptedProvider,
    evm,
    new_vault,
    sanctions_handler,
)
from vault.store import Vault


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    made = new_vault(tmp_path / "cache.vault")
    yield made
    made.close()


def test_a_look_up_within_the_ttl_makes_no_call_and_refresh_forces_one(
    vault: Vault, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(ADDRESS_PATH).respond_with_handler(sanctions_handler)
    api = SanctionsApi(httpserver.url_for("/"))
    screening = Screening(vault, providers={NAME: api})
    targets = [("ethereum", SANCTIONED), ("ethereum", evm(7))]
    first = screening.lookup(targets, provider=NAME)
    assert [x.origin for x in first] == [Origin.PROVIDER, Origin.PROVIDER]
    assert first[0].result is not None and first[0].result.sanctioned
    assert len(httpserver.log) == 2

    again = screening.lookup(targets, provider=NAME)
    assert len(httpserver.log) == 2  # zero requests within the TTL
    assert [x.origin for x in again] == [Origin.CACHE, Origin.CACHE]
    cached = again[0].result
    assert cached is not None and cached.sanctioned and cached.source == "Chainalysis Sanctions API"
    assert cached.raw is not None and b"Secondeye" in cached.raw  # the evidence comes along
    assert 0 <= (again[0].age_seconds() or 0) < 60

    forced = screening.lookup(targets[:1], provider=NAME, refresh=True)
    assert len(httpserver.log) == 3
    assert forced[0].origin is Origin.PROVIDER
    history = screening.history("ethereum", SANCTIONED)
    assert len(history) == 2 and all(r.sanctioned for r in history)
    api.close()


def test_an_answer_past_its_ttl_is_asked_again(vault: Vault) -> None:
    provider = ScriptedProvider()
    later = utc_now() + timedelta(hours=25)
    Screening(vault, providers={NAME: provider}).lookup([("ethereum", evm(1))], provider=NAME)
    policy = TtlPolicy().with_ttl(NAME, timedelta(hours=24))
    tomorrow = Screening(vault, providers={NAME: provider}, policy=policy, clock=lambda: later)
    found = tomorrow.lookup([("ethereum", evm(1))], provider=NAME)
    assert found[0].origin is Origin.PROVIDER and provider.total == 2
    longer = Screening(
        vault,
        providers={NAME: provider},
        policy=policy.with_ttl(NAME, timedelta(days=7)),
        clock=lambda: later,
    )
    assert longer.lookup([("ethereum", evm(1))], provider=NAME)[0].origin is Origin.CACHE
    assert provider.total == 2


def test_errors_are_stored_as_statuses_and_never_served_from_the_cache(vault: Vault) -> None:
    provider = ScriptedProvider(mode="auth")
    screening = Screening(vault, providers={NAME: provider})
    found = screening.lookup([("ethereum", evm(2))], provider=NAME)
    result = found[0].result
    assert result is not None and result.status is Status.AUTH
    assert result.score is None and not result.sanctioned
    assert "Enter the API key again" in (result.error or "")
    # The next look-up asks again: an error is history, not an answer.
    provider.mode = "ok"
    again = screening.lookup([("ethereum", evm(2))], provider=NAME)
    assert again[0].origin is Origin.PROVIDER and provider.total == 2
    statuses = [r.status for r in screening.history("ethereum", evm(2))]
    assert statuses == [Status.OK, Status.AUTH]


def test_the_last_known_answer_outlives_a_later_failure(vault: Vault) -> None:
    provider = ScriptedProvider()
    Screening(vault, providers={NAME: provider}).lookup([("ethereum", evm(3))], provider=NAME)
    provider.mode = "fatal"
    Screening(vault, providers={NAME: provider}).lookup(
        [("ethereum", evm(3))], provider=NAME, refresh=True
    )
    cache = ResultCache(vault.conn)
    known = cache.last_known("ethereum", evm(3), NAME)
    assert known is not None and known.ok
    assert cache.fresh("ethereum", evm(3), NAME) is None  # the newest row is the failure


def test_the_offline_list_is_never_served_from_the_cache(vault: Vault) -> None:
    screening = Screening(vault)
    first = screening.lookup([("ethereum", evm(4))])
    second = screening.lookup([("ethereum", evm(4))])
    assert [x.origin for x in first + second] == [Origin.PROVIDER, Origin.PROVIDER]
    assert second[0].result is not None
    assert second[0].result.status is Status.NOT_CONFIGURED  # no list imported yet
