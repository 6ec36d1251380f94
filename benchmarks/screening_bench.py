"""Screening figures: the offline sanctions list (import, look-ups), and screening over
the network (a rate-limited local server; re-screening from the cache).

python -m benchmarks.screening_bench     (or through benchmarks/run.py)
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from wsgiref.types import StartResponse, WSGIEnvironment

from werkzeug.serving import WSGIRequestHandler, make_server

from app.addresses.evm import to_checksum_address
from app.screening.batch import screen_batch
from app.screening.outbox import RiskProvider
from app.screening.providers import make_provider
from app.screening.risk import Level, RiskResult, utc_now
from app.screening.sanctions import OfflineSanctions, import_sanctions, screen_offline
from app.tasks import DbCalls, OnDb, Operation, TaskRunner
from benchmarks.common import PASSPHRASE, Figure, MemoryKeyring, temp_folder
from vault.keys import Keychain
from vault.screening import screenings
from vault.store import Vault
from vault.unlock import create_vault

T = TypeVar("T")
NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML"
LOOKUPS = 1_000_000

_PARTY = """  <DistinctParty FixedRef="{i}"><Profile ID="{i}" PartySubTypeID="3">
   <Identity ID="{i}" Primary="true"><Alias AliasTypeID="1403" Primary="true">
    <DocumentedName><DocumentedNamePart><NamePartValue>PARTY {i}</NamePartValue>
    </DocumentedNamePart></DocumentedName></Alias></Identity>
{features}  </Profile></DistinctParty>
"""
_FEATURE = """   <Feature ID="{fid}" FeatureTypeID="{type_id}"><FeatureVersion ID="{fid}" \
ReliabilityID="1560"><Comment /><VersionDetail DetailTypeID="1432">{value}</VersionDetail>
   </FeatureVersion><IdentityReference IdentityID="{i}" IdentityFeatureLinkTypeID="1" />
   </Feature>
"""


def _write_sdn(path: Path, size: int) -> list[str]:
    """An SDN advanced XML of about `size` bytes, shaped like the real one (most parties
    have no address); returns the ETH addresses it lists."""
    listed: list[str] = []
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            f'<?xml version="1.0" encoding="utf-8"?>\n<Sanctions xmlns="{NS}">\n'
            "<DateOfIssue><Year>2026</Year><Month>1</Month><Day>15</Day></DateOfIssue>\n"
            "<ReferenceValueSets><FeatureTypeValues>\n"
            '<FeatureType ID="8">Birthdate</FeatureType>\n'
            '<FeatureType ID="345">Digital Currency Address - ETH</FeatureType>\n'
            "</FeatureTypeValues></ReferenceValueSets>\n<DistinctParties>\n"
        )
        i = 0
        while out.tell() < size:
            i += 1
            features = _FEATURE.format(fid=i * 10, type_id=8, value="1970", i=i)
            if i % 20 == 0:
                address = to_checksum_address(i.to_bytes(20, "big"))
                listed.append(address)
                features += _FEATURE.format(fid=i * 10 + 1, type_id=345, value=address, i=i)
            out.write(_PARTY.format(i=i, features=features))
        out.write("</DistinctParties>\n</Sanctions>\n")
    return listed


def bench_sanctions() -> list[Figure]:
    rng = random.Random(11)
    with temp_folder() as folder:
        xml = folder / "SDN_ADVANCED.XML"
        listed = _write_sdn(xml, 100_000_000)
        vault = create_vault(
            folder / "bench.vault", passphrase=PASSPHRASE, keychain=Keychain(MemoryKeyring())
        ).vault
        start = time.perf_counter()
        import_sanctions(vault, xml)
        imported = time.perf_counter() - start

        service = OfflineSanctions(vault)
        start = time.perf_counter()
        snapshot = service.snapshot()
        loaded = time.perf_counter() - start

        # One in a thousand is listed; half typed lower-case, as exchanges export them.
        sample = [
            ("ethereum", to_checksum_address(rng.randbytes(20)).lower() if i % 2 else
             to_checksum_address(rng.randbytes(20)))
            for i in range(999)
        ] + [("bsc", listed[len(listed) // 2].lower())]  # fmt: skip
        pairs = sample * (LOOKUPS // len(sample))

        keys = frozenset(a.lower() for a in listed)
        start = time.perf_counter()
        baseline_hits = sum(1 for _chain, address in pairs if address.strip().lower() in keys)
        baseline = time.perf_counter() - start

        start = time.perf_counter()
        hits = sum(1 for chain, address in pairs if snapshot.lookup(chain, address) is not None)
        lookups = time.perf_counter() - start
        if hits != baseline_hits or hits != LOOKUPS // len(sample):
            raise SystemExit(f"sanctions benchmark: {hits} hits, expected {baseline_hits}")

        start = time.perf_counter()
        for chain, address in pairs:
            snapshot.screen(chain, address, validate=False)
        screens = time.perf_counter() - start

        some = pairs[:20_000]
        start = time.perf_counter()
        for chain, address in some:
            snapshot.screen(chain, address)
        validated_us = (time.perf_counter() - start) / len(some) * 1e6

        few = pairs[:2_000]
        start = time.perf_counter()
        for chain, address in few:
            screen_offline(vault.conn, chain, address)
        sql_us = (time.perf_counter() - start) / len(few) * 1e6
        vault.close(audit=False)
    return [
        Figure(
            "sanctions_import_100mb_xml",
            imported,
            "s",
            f"< 10 s (streamed parse, one transaction; {len(listed)} addresses)",
            imported / 10,
            "target",
        ),
        Figure(
            "sanctions_snapshot_load",
            loaded,
            "s",
            "< 0.5 s, once per unlock",
            loaded / 0.5,
            "target",
        ),
        Figure(
            "sanctions_1m_lookups",
            lookups,
            "s",
            f"< 2 s (a plain frozenset membership test takes {baseline:.3f} s)",
            lookups / 2,
            "target",
        ),
        Figure(
            "sanctions_1m_screens_unvalidated",
            screens,
            "s",
            "< 5 s, a RiskResult per address (book addresses are already valid)",
            screens / 5,
            "target",
        ),
        Figure(
            "sanctions_screen_validated",
            validated_us,
            "µs/call",
            "< 20 µs, the address validated on a miss (EIP-55 keccak)",
            validated_us / 20,
            "target",
        ),
        Figure(
            "sanctions_sql_lookup",
            sql_us,
            "µs/call",
            "< 1000 µs, no snapshot: one indexed query per call",
            sql_us / 1000,
            "target",
        ),
    ]


# --- screening over the network ------------------------------------------------

RATE = 100  # requests per second the server allows and the client keeps to
NETWORK_LOOKUPS = 1_000
CACHED_LOOKUPS = 10_000
KYT = "chainalysis-sanctions"


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # a line per request would drown the figures


class _RateLimitedServer:
    """The Chainalysis Sanctions API's documented answer on 127.0.0.1, allowing `rate`
    requests per second (a token bucket holding 5, so a few milliseconds of thread
    jitter are not punished); beyond that it answers 429 with Retry-After, as the
    real service does. Threaded: the client's workers call it concurrently."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.requests = 0
        self.refused = 0
        self._lock = threading.Lock()
        self._tokens = 5.0
        self._updated = time.monotonic()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _allowed(self) -> bool:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(5.0, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self.requests += 1
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            self.refused += 1
            return False

    def _app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not self._allowed():
            start_response("429 Too Many Requests", [("Retry-After", "1")])
            return [b""]
        body = json.dumps({"identifications": []}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    def __enter__(self) -> _RateLimitedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(10)


def _provider(base_url: str, rate: float) -> RiskProvider:
    """The Chainalysis Sanctions provider, pointed at the local server."""
    return make_provider(KYT, key="bench-key", base_url=base_url, rate_per_second=rate)


def _close(provider: RiskProvider) -> None:
    close = getattr(provider, "close", None)
    if callable(close):
        close()


@contextmanager
def _bench_vault(folder: Path) -> Iterator[Vault]:
    vault = create_vault(
        folder / "bench.vault", passphrase=PASSPHRASE, keychain=Keychain(MemoryKeyring())
    ).vault
    try:
        yield vault
    finally:
        vault.close(audit=False)


def _addresses(count: int) -> list[tuple[str, str]]:
    return [("ethereum", "0x" + f"{i:040x}") for i in range(1, count + 1)]


@contextmanager
def _runner() -> Iterator[TaskRunner]:
    runner = TaskRunner()
    try:
        yield runner
    finally:
        runner.shutdown()


def _as_in_the_gui(runner: TaskRunner, vault: Vault, work: Callable[[OnDb], T]) -> T:
    """Run `work` as the GUI runs a KYT batch: on the network pool, the vault through
    short calls on the database worker."""
    calls = DbCalls(runner)
    result: T = runner.run_network(Operation(work=lambda _p: work(calls))).wait()
    return result


def bench_screening_rate_limited() -> list[Figure]:
    """1,000 look-ups through the batch (8 network threads, results written in batches)
    against a server allowing 100/s, with the client's token bucket at 100/s; run as the
    GUI runs it, while a view reads through the database worker every 50 ms."""
    limit = NETWORK_LOOKUPS / RATE  # seconds the limit permits (the first call is free)
    with (
        temp_folder() as folder,
        _bench_vault(folder) as vault,
        _RateLimitedServer(RATE) as server,
        _runner() as runner,
    ):
        provider = _provider(server.url, RATE)
        reads: list[float] = []
        stop = threading.Event()

        def view() -> None:
            while not stop.wait(0.05):
                start = time.perf_counter()
                runner.run_db(
                    Operation(work=lambda _p: vault.conn.execute("SELECT 1").fetchone())
                ).wait()
                reads.append(time.perf_counter() - start)

        reader = threading.Thread(target=view)
        try:
            reader.start()
            start = time.perf_counter()
            report = _as_in_the_gui(
                runner,
                vault,
                lambda db: screen_batch(
                    vault, provider, _addresses(NETWORK_LOOKUPS), workers=8, db=db
                ),
            )
            wall = time.perf_counter() - start
        finally:
            stop.set()
            reader.join()
            _close(provider)
        if report.fetched != NETWORK_LOOKUPS or report.errors:
            raise SystemExit(f"rate-limited benchmark: {report}")
    slowest = max(reads) * 1000
    return [
        Figure(
            "screening_1000_at_100_per_s",
            wall,
            "s",
            f"within 15% of the {limit:.0f} s the limit permits ({server.requests} requests, "
            f"{server.refused} answered 429)",
            wall / limit,
            f"the {limit:.0f} s the limit permits",
        ),
        Figure(
            "screening_read_during_batch",
            slowest,
            "ms",
            f"< 100 ms, the slowest of {len(reads)} view reads on the database worker "
            "while the batch ran",
            slowest / 100,
            "target",
        ),
    ]


def bench_screening_cached() -> list[Figure]:
    """10,000 addresses answered once, then screened again within their time to live
    with a provider pointed at the server: every answer from the vault, no request."""
    with temp_folder() as folder, _bench_vault(folder) as vault, _RateLimitedServer(RATE) as server:
        provider = _provider(server.url, RATE)
        targets = _addresses(CACHED_LOOKUPS)
        try:
            with vault.transaction() as tx:
                for chain, address in targets:
                    answer = RiskResult(
                        chain=chain,
                        address=address,
                        provider=KYT,
                        level=Level.NONE,
                        score=0,
                        fetched_at=utc_now(),
                        source="Chainalysis Sanctions API",
                        raw=b'{"identifications": []}',
                    )
                    screenings.record(tx.conn, answer.to_record())
            with _runner() as runner:
                start = time.perf_counter()
                report = _as_in_the_gui(
                    runner, vault, lambda db: screen_batch(vault, provider, targets, db=db)
                )
                wall = time.perf_counter() - start
        finally:
            _close(provider)
        if report.cached != CACHED_LOOKUPS or server.requests:
            raise SystemExit(f"cached benchmark: {report}, {server.requests} requests")
    return [
        Figure(
            "screening_10k_cached_within_ttl",
            wall,
            "s",
            f"< 1 s and zero requests ({server.requests} made)",
            wall / 1.0,
            "target",
        )
    ]


if __name__ == "__main__":
    for figure in bench_sanctions() + bench_screening_rate_limited() + bench_screening_cached():
        print(figure.line())
