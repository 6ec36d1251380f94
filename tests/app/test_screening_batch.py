"""Batch screening on the network pool against a local server: progress, results as
they arrive, cancel that keeps only whole results, and errors kept as statuses."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.book.models import AddressDraft, CustomerDraft
from app.book.service import CustomerBook
from app.screening.batch import screen_batch
from app.screening.cache import Lookup, Origin
from app.screening.outbox import screening_key
from app.screening.risk import RiskResult, Status, utc_now
from app.screening.service import Screening, all_targets, customer_targets, suggestion_for
from app.tasks import Cancelled
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
from vault.screening import outbox as store
from vault.store import Vault


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    made = new_vault(tmp_path / "batch.vault")
    yield made
    made.close()


@pytest.fixture
def api(httpserver: HTTPServer) -> Iterator[SanctionsApi]:
    httpserver.expect_request(ADDRESS_PATH).respond_with_handler(sanctions_handler)
    client = SanctionsApi(httpserver.url_for("/"))
    yield client
    client.close()


def _rows(vault: Vault) -> int:
    return int(vault.conn.execute("SELECT count(*) FROM screenings").fetchone()[0])


def _runs(vault: Vault) -> list[dict[str, object]]:
    return [
        json.loads(p)
        for (p,) in vault.conn.execute(
            "SELECT payload FROM events WHERE type = 'screening.run' ORDER BY rowid_"
        )
    ]


def test_a_thousand_addresses_with_progress_and_results_as_they_arrive(
    vault: Vault, api: SanctionsApi, httpserver: HTTPServer
) -> None:
    targets = [("ethereum", evm(i)) for i in range(999)] + [("ethereum", SANCTIONED)]
    progress: list[tuple[int, int]] = []
    arrived: list[Lookup] = []
    stored_while_running: list[int] = []
    threads: set[str] = set()

    def on_result(lookup: Lookup) -> None:
        threads.add(threading.current_thread().name)
        arrived.append(lookup)
        if len(arrived) == 700:
            stored_while_running.append(_rows(vault))

    report = screen_batch(
        vault,
        api,
        targets,
        workers=8,
        write_every=100,
        progress=lambda done, total: progress.append((done, total)),
        on_result=on_result,
    )
    assert len(httpserver.log) == 1000
    assert progress[-1] == (1000, 1000) and len(progress) == 1000
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert threads == {threading.current_thread().name}  # callbacks on the calling thread
    assert stored_while_running[0] >= 500  # written in batches while the rest ran
    assert {x.origin for x in arrived} == {Origin.PROVIDER}
    assert sorted(x.address for x in arrived) == sorted(a for _, a in targets)
    assert (report.fetched, report.sanctioned, report.errors) == (1000, 1, 0)
    assert _rows(vault) == 1000
    assert _runs(vault) == [report.event()]
    hit = Screening(vault).history("ethereum", SANCTIONED)[0]
    assert hit.sanctioned and hit.raw is not None and b"identifications" in hit.raw


def test_cancel_stops_early_and_keeps_only_whole_results(
    vault: Vault, api: SanctionsApi, httpserver: HTTPServer
) -> None:
    targets = [("ethereum", evm(i)) for i in range(1000)]
    shown: list[Lookup] = []

    def progress(done: int, total: int) -> None:
        if done >= 100:
            raise Cancelled

    with pytest.raises(Cancelled):
        screen_batch(vault, api, targets, workers=8, progress=progress, on_result=shown.append)
    # Stopped early: calls not yet started were dropped; the ones already in flight (at
    # most two per worker) finish on their own and are not stored. Under load they can
    # reach the server late: wait until its log stops growing.
    _settle(httpserver)
    assert 100 <= len(httpserver.log) <= 100 + 2 * 8
    assert len(shown) == 100
    rows = Screening(vault).history  # every stored row is a whole, readable answer
    stored = [r for _, a in targets for r in rows("ethereum", a)]
    assert len(stored) == _rows(vault) == 100
    assert {(r.address, r.status) for r in stored} == {(x.address, Status.OK) for x in shown}
    assert all(r.raw is not None and r.source for r in stored)
    [run] = _runs(vault)
    assert run["cancelled"] is True and run["fetched"] == 100


def _settle(httpserver: HTTPServer, *, quiet: float = 0.5, limit: float = 10.0) -> None:
    deadline = time.monotonic() + limit
    seen = -1
    while len(httpserver.log) != seen and time.monotonic() < deadline:
        seen = len(httpserver.log)
        time.sleep(quiet)


def _errors_handler(request: Request) -> Response:
    address = ADDRESS_PATH.match(request.path)["address"]  # type: ignore[index]
    if address == evm(1):
        return Response(
            json.dumps({"message": "Invalid API Key"}), 401, mimetype="application/json"
        )
    if address == evm(2):
        return Response("<html><body>Captive portal</body></html>", 200, mimetype="text/html")
    if address == evm(3):
        return Response("{not json", 200, mimetype="application/json")
    if address == evm(4):
        return Response("upstream down", 503)
    if address == evm(5):
        return Response("slow down", 429, headers={"Retry-After": "120"})
    return sanctions_handler(request)


def test_provider_errors_become_statuses_never_clean_results(
    vault: Vault, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(ADDRESS_PATH).respond_with_handler(_errors_handler)
    api = SanctionsApi(httpserver.url_for("/"))
    targets = [("ethereum", evm(i)) for i in range(1, 7)]
    found: dict[str, Lookup] = {}
    started = utc_now()
    screen_batch(
        vault, api, targets, workers=1, on_result=lambda x: found.__setitem__(x.address, x)
    )
    api.close()

    def status(i: int) -> str:
        return found[evm(i)].status

    assert [status(i) for i in range(1, 7)] == [
        "auth",  # 401: ask for the key again
        "malformed",  # an HTML page instead of data
        "malformed",  # bad JSON
        "queued",  # 503 after retries: waits in the outbox, nothing stored
        "transient",  # 429 with a long Retry-After: quota, stored, and queued
        "ok",
    ]
    screening = Screening(vault)
    history = {r.address: r for c, a in targets for r in screening.history(c, a)}
    assert set(history) == {evm(1), evm(2), evm(3), evm(5), evm(6)}
    for i in (1, 2, 3, 5):
        result = history[evm(i)]
        assert not result.ok and result.score is None and not result.sanctioned
        assert result.level == "unknown" and result.error
    assert "Enter the API key again" in (history[evm(1)].error or "")
    assert (history[evm(5)].error or "").startswith("quota: ")
    assert "test-key" not in json.dumps([r.error for r in history.values()])
    quota = store.get(vault.conn, screening_key(NAME, "ethereum", evm(5)))
    assert quota is not None and quota.attempts == 1
    assert datetime.fromisoformat(quota.next_attempt_at) - started >= timedelta(seconds=120)
    waiting = {i.key for i in store.pending(vault.conn)}
    assert waiting == {screening_key(NAME, "ethereum", evm(i)) for i in (1, 4, 5)}


def test_a_customer_and_the_whole_book_with_a_rating_suggestion(vault: Vault) -> None:
    book = CustomerBook(vault)
    with vault.transaction() as tx:
        alice, _ = book.save_customer(tx, CustomerDraft("Alice", external_id="C-1"))
        bob, _ = book.save_customer(tx, CustomerDraft("Bob", external_id="C-2"))
        for i in range(3):
            book.save_address(tx, alice, AddressDraft("ethereum", evm(100 + i)))
        book.save_address(tx, bob, AddressDraft("ethereum", evm(200)))
    assert suggestion_for(vault, alice).rating is None  # nothing screened yet
    provider = ScriptedProvider()
    screening = Screening(vault, providers={NAME: provider})
    found = screening.lookup(customer_targets(vault, "C-1"), provider=NAME)
    assert [x.address for x in found] == [evm(100 + i) for i in range(3)]
    suggestion = screening.suggestion_for(alice)
    assert suggestion.rating == "low" and suggestion.complete
    assert suggestion.reason.startswith("low: ") and suggestion.basis is not None
    # A later failure on one address makes the suggestion incomplete, not cleaner.
    provider.mode = "auth"
    screening.lookup([("ethereum", evm(300))], provider=NAME)
    book_wide = screening.lookup(all_targets(vault), provider=NAME)
    assert [x.origin for x in book_wide] == [Origin.CACHE] * 3 + [Origin.PROVIDER]
    assert book_wide[-1].status == "auth"
    bob_says = suggestion_for(vault, bob)
    assert bob_says.rating is None and not bob_says.complete


def test_one_result_per_address_even_when_listed_twice(vault: Vault) -> None:
    provider = ScriptedProvider()
    got: list[RiskResult | None] = []
    screen_batch(
        vault,
        provider,
        [("ethereum", evm(1))] * 5 + [("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")],
        on_result=lambda x: got.append(x.result),
    )
    assert provider.total == 2 and len(got) == 2 and _rows(vault) == 2
