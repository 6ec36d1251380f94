"""The crash harness: SIGKILL a process doing real writes at random moments, then check.

    python -m benchmarks.crash_bench [--kills N] [--seed S] [--json FILE]
    (or through benchmarks/run.py --only crash, which runs 1,000 kills)

A writer process imports customers from CSV files, stores screening answers,
makes withdrawal requests and signs decisions on them, and runs `sync` against a
folder that a second device fills; it reports each write on a pipe only after
the call that made it returned. The harness kills it with SIGKILL at a random
moment, then opens the vault, verifies it (pages, structure, event chain,
signatures) and checks that every reported write is there and that nothing was
applied twice. An import that was cut short is run again by the next writer, as
a user would. At the end both devices sync to the end and must hold the same
projected state.

The writer is forked from this process (which imported everything once and
holds the vault key in an in-memory keychain), so a kill costs milliseconds, not
an interpreter start and an Argon2 derivation.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import select
import signal
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.approvals.service import ApprovalService
from app.book.importer import default_mapping, run_import
from app.book.models import CustomerDraft
from app.book.service import CustomerBook
from app.prices.book import store_quotes
from app.prices.quotes import Quote
from app.screening.risk import Level, RiskResult, utc_now
from app.screening.service import Screening, Target
from app.sync.desk import create_desk, desk_info, enter_desk
from app.sync.keys import DeskKey
from app.sync.run import sync_run
from app.sync.state import state_digest
from benchmarks.common import PASSPHRASE, Figure, MemoryKeyring, temp_folder
from vault.keys import Keychain
from vault.store import Vault
from vault.sync import desk as desk_rows
from vault.unlock import Credentials, create_vault, open_vault
from vault.verify import verify_vault

PROVIDER = "chainalysis-sanctions"
OPERATIONS = ("import", "screen", "decide", "sync")
#: customers per imported file
PER_FILE = 4
#: the second device writes and pushes this often (in kills)
B_EVERY = 5


@dataclass
class Tally:
    """What a run of the harness found; `ok` when nothing was lost, doubled or broken."""

    kills: int = 0
    mid_operation: int = 0
    acknowledged: int = 0
    #: acknowledged writes by kind (import, screen, request, decision, sync)
    by_kind: dict[str, int] = field(default_factory=dict)
    corrupt: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    twice: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: events of device b that a reported having applied (the last sync acknowledged)
    synced_from_b: int = 0
    converged: bool = False
    #: why they did not converge
    diverged: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.converged and not (self.corrupt or self.lost or self.twice or self.errors)


@dataclass
class Acks:
    """Everything a writer reported as done, and the imports it started but did not finish."""

    imports: set[str] = field(default_factory=set)
    unfinished_imports: set[str] = field(default_factory=set)
    screens: set[str] = field(default_factory=set)
    requests: set[str] = field(default_factory=set)
    decisions: set[str] = field(default_factory=set)
    synced_from_b: int = 0

    def take(self, line: str) -> bool:
        """Note one line from the writer; True if it acknowledged a write."""
        word, _, rest = line.partition(" ")
        if word == "begin":
            op, _, key = rest.partition(" ")
            if op == "import":
                self.unfinished_imports.add(key)
            return False
        if word != "ack":
            return False
        op, _, key = rest.partition(" ")
        if op == "import":
            self.imports.add(key)
            self.unfinished_imports.discard(key)
        elif op == "screen":
            self.screens.add(key)
        elif op == "request":
            self.requests.add(key)
        elif op == "decision":
            self.decisions.add(key)
        elif op == "sync":
            self.synced_from_b = max(self.synced_from_b, int(key))
        return True


@dataclass(frozen=True)
class Desk:
    folder: Path
    a: Path
    b: Path
    keychain: Keychain
    b_device: str

    @property
    def files(self) -> Path:
        return self.folder / "imports"


class _Answers:
    """A risk provider answering at once (the network is not what is tested here)."""

    name = PROVIDER

    def screen(self, chain: str, address: str) -> RiskResult:
        return RiskResult(
            chain=chain,
            address=address,
            provider=PROVIDER,
            level=Level.LOW,
            score=10,
            fetched_at=utc_now(),
            source="crash harness",
            raw=json.dumps({"address": address, "risk": "Low"}).encode(),
        )

    def test_connection(self) -> RiskResult | str:
        return "crash harness"


def make_desk(folder: Path) -> Desk:
    """Device a (the one killed) with a customer, officers and prices; device b in its desk."""
    keychain = Keychain(MemoryKeyring())
    a = create_vault(folder / "a.vault", passphrase=PASSPHRASE, keychain=keychain).vault
    with a.transaction() as tx:
        CustomerBook(a).save_customer(tx, CustomerDraft(display_name="Acme", external_id="C-1"))
    root = ApprovalService(a)
    root.add_member("alice", ["officer"])
    root.add_member("bob", ["officer"])
    root.set_policy(root.policy_text().replace("unscreened: needs_refresh", "unscreened: allow"))
    # A day-old price at most: the harness may run for a while.
    now = datetime.now(UTC)
    usdt = Quote("USDT", "USD", Decimal(1), now - timedelta(minutes=5), "crash harness")
    store_quotes(a, [usdt], now=now, about={"file": "crash harness"})
    target = folder / "target"
    target.mkdir()
    create_desk(a, target=f"folder:{target}")
    (folder / "b").mkdir()
    b = create_vault(folder / "b" / "b.vault", passphrase=PASSPHRASE, keychain=keychain).vault
    info = desk_info(a)
    assert info is not None
    keys = [DeskKey(k) for k in desk_rows.keys(a.conn).values()]
    where, endpoint = desk_rows.targets(a.conn)[0]
    enter_desk(b, desk=info.desk, name=info.name, keys=keys, target=where, endpoint=endpoint)
    desk = Desk(folder, a.paths.db, b.paths.db, keychain, b.device)
    a.close()
    b.close()
    desk.files.mkdir()
    return desk


def _open(desk: Desk, path: Path) -> Vault:
    return open_vault(path, Credentials(), keychain=desk.keychain)


def _address(rng: random.Random) -> str:
    return "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(40))


def _b_writes(desk: Desk, n: int) -> None:
    """Device b adds two customers and edits one, then syncs: a's next sync pulls them."""
    b = _open(desk, desk.b)
    try:
        book = CustomerBook(b)
        with b.transaction() as tx:
            for k in range(2):
                book.save_customer(
                    tx, CustomerDraft(display_name=f"From b {n}.{k}", external_id=f"B-{n}-{k}")
                )
        with b.transaction() as tx:
            found = book.find_same(tx, CustomerDraft(display_name="", external_id=f"B-{n}-0"))
            assert found is not None
            book.apply_changes(
                tx,
                found,
                CustomerDraft(display_name=f"From b {n}.0", external_id=f"B-{n}-0", country="DE"),
            )
        sync_run(b)
    finally:
        b.close()


class _Writer:
    """The killed process's work: each write reported on `fd` once its call returned."""

    def __init__(self, desk: Desk, fd: int, rng: random.Random, name: str) -> None:
        self.desk = desk
        self.fd = fd
        self.rng = rng
        self.name = name
        self.count = 0

    def say(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())

    def run(self, redo: list[str]) -> None:
        vault = _open(self.desk, self.desk.a)
        self.say("open")
        book = CustomerBook(vault)
        for key in redo:
            self.import_file(book, key)
        screening = Screening(vault, providers={PROVIDER: _Answers()}, workers=1)
        root = ApprovalService(vault)
        alice = ApprovalService(vault, acting_as="alice")
        while True:
            op = self.rng.choice(OPERATIONS)
            self.count += 1
            if op == "import":
                key = f"{self.name}-{self.count}"
                self._write_file(key)
                self.import_file(book, key)
            elif op == "screen":
                address = _address(self.rng)
                self.say(f"begin screen {address}")
                screening.screen([Target("ethereum", address)], provider=PROVIDER, refresh=True)
                self.say(f"ack screen {address}")
            elif op == "decide":
                self.say("begin request")
                row = root.request_withdrawal(
                    "C-1", "USDT", Decimal(2000), "ethereum", _address(self.rng)
                )
                self.say(f"ack request {row.id}")
                outcome = alice.decide(row.id, "approve", "checked")
                if not outcome.ok:
                    raise AssertionError(f"decision refused: {outcome.message}")
                self.say(f"ack decision {row.id}")
            else:
                self.say("begin sync")
                report = sync_run(vault)
                if not report.ok:
                    raise AssertionError(f"sync failed: {report.line()}")
                [(got,)] = vault.conn.execute(
                    "SELECT count(*) FROM events WHERE device = ?", (self.desk.b_device,)
                )
                self.say(f"ack sync {got}")

    def _write_file(self, key: str) -> None:
        rows = "".join(f"{key}-{i},Imported {key} {i}\n" for i in range(PER_FILE))
        (self.desk.files / f"{key}.csv").write_text("external_id,name\n" + rows)

    def import_file(self, book: CustomerBook, key: str) -> None:
        self.say(f"begin import {key}")
        report = run_import(
            book, self.desk.files / f"{key}.csv", default_mapping("customers"), parallel=False
        )
        if report.rejected:
            raise AssertionError(f"import {key}: {report.rejected} rows rejected")
        self.say(f"ack import {key}")


def _fork_writer(desk: Desk, rng: random.Random, name: str, redo: list[str]) -> tuple[int, int]:
    read, write = os.pipe()
    seed = rng.getrandbits(64)
    pid = os.fork()
    if pid == 0:  # the writer: never returns into the harness
        os.close(read)
        code = 0
        try:
            _Writer(desk, write, random.Random(seed), name).run(redo)
        except BaseException:  # reported to the harness, which counts it
            os.write(
                write, ("error " + traceback.format_exc().replace("\n", " | ") + "\n").encode()
            )
            code = 3
        os._exit(code)
    os.close(write)
    return pid, read


def _drain(fd: int, into: bytearray, *, until: bytes | None, timeout: float) -> None:
    """Read the writer's pipe into `into` until `until` was read, `timeout` passed or it ended."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return
        chunk = os.read(fd, 65536)
        if not chunk:
            return
        into += chunk
        if until is not None and until in into:
            return


def _kill_one(desk: Desk, rng: random.Random, name: str, redo: list[str]) -> list[str]:
    """Fork a writer, SIGKILL it at a random moment, return every whole line it wrote
    (a line the kill cut short was never an acknowledgement)."""
    pid, fd = _fork_writer(desk, rng, name, redo)
    data = bytearray()
    try:
        if rng.random() < 0.15:
            # Sometimes while it is still unlocking (which writes an event too).
            _drain(fd, data, until=None, timeout=rng.uniform(0.0, 0.05))
        else:
            # After a random number of lines (begun and finished writes), then a random
            # moment: kills spread over the operations whatever the machine's load.
            lines = rng.randint(1, 12)
            deadline = time.monotonic() + 30
            while data.count(b"\n") < lines and time.monotonic() < deadline:
                before = len(data)
                _drain(fd, data, until=b"\n", timeout=deadline - time.monotonic())
                if len(data) == before:
                    break  # it ended (an error, reported in its lines)
            _drain(fd, data, until=None, timeout=rng.uniform(0.0, 0.05))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        _drain(fd, data, until=None, timeout=5)
    finally:
        os.close(fd)
    *lines, _cut = bytes(data).split(b"\n")
    return [line.decode() for line in lines]


def check(desk: Desk, acks: Acks, tally: Tally, kill: int) -> None:
    """Open and verify device a after a kill; what was reported is there, once."""
    report = verify_vault(desk.a, Credentials(), keychain=desk.keychain)
    if not report.ok:
        tally.corrupt.append(f"kill {kill}: {report.summary()}")
        return
    vault = _open(desk, desk.a)
    try:
        lost, twice = _lost(vault, acks, desk.b_device), _twice(vault)
    finally:
        vault.close(audit=False)
    tally.lost += [f"kill {kill}: {what}" for what in lost]
    tally.twice += [f"kill {kill}: {what}" for what in twice]


def _lost(vault: Vault, acks: Acks, b_device: str) -> list[str]:
    conn = vault.conn
    lost: list[str] = []
    ids = {r[0] for r in conn.execute("SELECT external_id FROM customers")}
    for key in sorted(acks.imports):
        missing = [f"{key}-{i}" for i in range(PER_FILE) if f"{key}-{i}" not in ids]
        lost += [f"imported customer {m}" for m in missing]
    screened = {
        r[0] for r in conn.execute("SELECT address FROM screenings WHERE provider = ?", (PROVIDER,))
    }
    lost += [
        f"screening of {a}"
        for a in sorted(acks.screens)
        if a.lower() not in {s.lower() for s in screened}
    ]
    requests = {r[0] for r in conn.execute("SELECT id FROM approval_requests")}
    lost += [f"request {r}" for r in sorted(acks.requests - requests)]
    decided = {r[0] for r in conn.execute("SELECT request_id FROM approval_decisions")}
    lost += [f"decision on {r}" for r in sorted(acks.decisions - decided)]
    [(from_b,)] = conn.execute("SELECT count(*) FROM events WHERE device = ?", (b_device,))
    if from_b < acks.synced_from_b:
        lost.append(f"{acks.synced_from_b - from_b} events synced from device b")
    return lost


#: (what, query returning the keys that occur more than once)
_TWICE = (
    (
        "customer created twice",
        "SELECT json_extract(payload, '$.customer') FROM events WHERE type = 'customer.created' "
        "GROUP BY 1 HAVING count(*) > 1",
    ),
    (
        "screening stored twice",
        "SELECT address FROM screenings GROUP BY chain, address, provider HAVING count(*) > 1",
    ),
    (
        "decision signed twice",
        "SELECT request_id FROM approval_decisions GROUP BY request_id, signer HAVING count(*) > 1",
    ),
    (
        "request made twice",
        "SELECT json_extract(payload, '$.request') FROM events "
        "WHERE type = 'approvals.requested' GROUP BY 1 HAVING count(*) > 1",
    ),
    (
        "decision recorded twice",
        "SELECT json_extract(payload, '$.request') FROM events WHERE type = 'approvals.decided' "
        "GROUP BY 1, json_extract(payload, '$.signer') HAVING count(*) > 1",
    ),
    ("event stored twice", "SELECT id FROM events GROUP BY device, seq HAVING count(*) > 1"),
    (
        "event received twice",
        "SELECT event_id FROM event_receipts GROUP BY event_id HAVING count(*) > 1",
    ),
)


def _twice(vault: Vault) -> list[str]:
    found: list[str] = []
    for what, query in _TWICE:
        found += [f"{what}: {row[0]}" for row in vault.conn.execute(query)]
    return found


def converge(desk: Desk) -> str:
    """Both devices sync to the end (a, b, a, b): "" when both then hold the same
    projected state, else what differs."""
    digests: list[str] = []
    for path in (desk.a, desk.b, desk.a, desk.b):
        vault = _open(desk, path)
        try:
            report = sync_run(vault)
            if not report.ok:
                return "; ".join(f"{t.target}: {t.outcome} {t.message}" for t in report.targets)
            digests.append(state_digest(vault.conn))
        finally:
            vault.close()
    if digests[-1] != digests[-2]:
        return "the two devices' projected states differ after syncing to the end"
    return ""


def run_kills(
    kills: int, *, seed: int = 20261207, folder: Path | None = None, progress: bool = False
) -> Tally:
    """Run the harness `kills` times in `folder` (a new temporary one if None);
    `progress`: a line on stderr every 50 kills."""
    with _folder(folder) as where:
        return _run(where, kills, random.Random(seed), progress=progress)


@contextlib.contextmanager
def _folder(folder: Path | None) -> Iterator[Path]:
    if folder is not None:
        yield folder
        return
    with temp_folder() as made:
        yield made


def _run(folder: Path, kills: int, rng: random.Random, *, progress: bool = False) -> Tally:
    start = time.perf_counter()
    desk = make_desk(folder)
    acks, tally = Acks(), Tally()
    for kill in range(kills):
        if kill % B_EVERY == 0:
            _b_writes(desk, kill)
        redo = sorted(acks.unfinished_imports)
        lines = _kill_one(desk, rng, f"w{kill}", redo)
        tally.kills += 1
        tally.errors += [f"kill {kill}: {line[6:]}" for line in lines if line.startswith("error ")]
        for line in lines:
            if acks.take(line):
                tally.acknowledged += 1
                kind = line.split()[1]
                tally.by_kind[kind] = tally.by_kind.get(kind, 0) + 1
        if "open" not in lines or lines[-1].startswith("begin"):
            tally.mid_operation += 1
        check(desk, acks, tally, kill)
        if progress and (kill + 1) % 50 == 0:
            print(
                f"  {kill + 1} kills, {tally.acknowledged} acknowledged, "
                f"{len(tally.corrupt) + len(tally.lost) + len(tally.twice)} problems, "
                f"{time.perf_counter() - start:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    tally.synced_from_b = acks.synced_from_b
    tally.diverged = converge(desk)
    tally.converged = not tally.diverged
    tally.seconds = time.perf_counter() - start
    return tally


def bench_crash(kills: int = 1000) -> list[Figure]:
    tally = run_kills(kills, progress=True)
    if tally.errors:
        raise SystemExit(f"crash benchmark: the writer failed: {tally.errors[:3]}")
    broken = len(tally.corrupt) + len(tally.lost) + len(tally.twice) + (not tally.converged)
    return [
        Figure(
            "crash_kills",
            tally.kills,
            "kills",
            f"{kills} SIGKILLs of a writer (import, screening, decisions, sync), "
            f"{tally.mid_operation} inside a write, {tally.acknowledged} acknowledged writes, "
            f"{tally.seconds:.1f} s",
            tally.kills / kills,
            "target",
        ),
        Figure(
            "crash_corrupt_vaults",
            len(tally.corrupt),
            "vaults",
            "0 (verify fails)",
            float(len(tally.corrupt)),
            "target",
        ),
        Figure(
            "crash_lost_acknowledged_writes",
            len(tally.lost),
            "writes",
            "0",
            float(len(tally.lost)),
            "target",
        ),
        Figure(
            "crash_applied_twice",
            len(tally.twice) + (not tally.converged),
            "writes",
            "0 (and both devices converge after the last kill)",
            float(broken),
            "target",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--json", metavar="FILE", help="also write the tally as JSON")
    args = parser.parse_args(argv)
    tally = run_kills(args.kills, seed=args.seed, progress=True)
    print(
        f"{tally.kills} kills ({tally.mid_operation} inside a write), "
        f"{tally.acknowledged} acknowledged writes, {len(tally.corrupt)} corrupt vaults, "
        f"{len(tally.lost)} lost, {len(tally.twice)} applied twice, "
        f"converged: {tally.converged}, {len(tally.errors)} writer errors, {tally.seconds:.1f} s"
    )
    print(f"  acknowledged: {tally.by_kind}; events synced from device b: {tally.synced_from_b}")
    if tally.diverged:
        print("  " + tally.diverged)
    for line in (tally.corrupt + tally.lost + tally.twice + tally.errors)[:20]:
        print("  " + line)
    if args.json:
        Path(args.json).write_text(json.dumps({**asdict(tally), "ok": tally.ok}, indent=2) + "\n")
    return 0 if tally.ok else 1


if __name__ == "__main__":
    sys.exit(main())
