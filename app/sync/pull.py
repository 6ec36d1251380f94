"""Pulling: other devices' announcements and segments from one target (or a bundle),
verified, then their events taken into this vault's log.

The rules:

- What to fetch comes from the listing (`cursor.survey`): per device, the
  numbers after the last one taken, one after the other.
- A new device is known from its announcement (`announce.open_announcement`);
  one that claims this vault's event log, or another known device's, is
  quarantined (`claimed_log`). One that joined by invitation brings its member
  and grants (`adopt`).
- A removal among a segment's events (`removal.take_removals`) applies with
  it: the removed devices' later segments stop counting and the new desk key
  this device receives opens the segments after it.
- Segments are fetched a batch at a time (`BATCH_FILES`, `BATCH_BYTES`), then
  verified whole (`segments.open_segment`) and taken in one vault transaction
  for the batch, each under its own savepoint: its events continue their
  device's chain (`vault.sync.event_rows.take_foreign`), receipts are
  recorded and the device's cursor moves. A failure of any part rolls that
  segment back and quarantines the file with its reason (`bad_events` for
  events that do not continue the log). After a failure nothing more of that
  device is taken this time: each segment must follow the one before.
- The appliers run once per batch, in merge order, over everything the
  batch's segments brought (one pass, not one per segment); a segment carrying
  a removal first has the earlier segments projected, so the removal is judged
  by the grants they brought, as it would be had each segment come alone.
- Killed half way, a pull leaves whole segments applied or not at all; the
  next one fetches the same immutable file again and a segment already taken
  is never fetched twice.
- A file that verifies leaves the quarantine; files gone from the target are
  reported (by `run`), never a reason to delete anything here.

Network reads run outside transactions; each transaction is one batch of segments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from app.sync.adopt import adopt
from app.sync.announce import Announcement, open_announcement
from app.sync.appliers import Appliers
from app.sync.container import digest
from app.sync.cursor import Survey
from app.sync.desk import now_text
from app.sync.local import DeskState
from app.sync.removal import EVENT as REMOVAL
from app.sync.removal import mark_handled, take_removals
from app.sync.segments import (
    KnownDevice,
    Position,
    Quarantine,
    Reason,
    Verified,
    announcement_name,
    open_segment,
    parse_name,
    segment_name,
)
from integrations.sync.base import Transport
from vault.store import Transaction, Vault
from vault.sync import cursors, customer_keys, event_rows, reports
from vault.sync import desk as desk_rows
from vault.sync.desk import DeviceRow
from vault.sync.event_rows import ForeignEventsError

#: segments fetched before they are verified and taken in one transaction: fewer
#: commits and one projection pass (each commit and pass costs per page, not per event)
BATCH_FILES = 32
BATCH_BYTES = 64 * 1024 * 1024


@dataclass
class Pulled:
    segments: int = 0  # segments verified and taken
    events: int = 0  # events added to the event log
    projected: int = 0  # events replayed by appliers
    quarantined: list[Quarantine] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)  # devices newly known
    missing: list[str] = field(default_factory=list)  # listed, gone when fetched


def pull_from(
    vault: Vault,
    state: DeskState,
    transport: Transport,
    *,
    target: str,
    found: Survey,
    appliers: Appliers,
) -> Pulled:
    done = Pulled()
    for device in sorted(found.announced - state.known.keys() - {state.device}):
        _learn_device(vault, state, transport, target=target, device=device, done=done)
    stopped: set[str] = set()
    queue = list(found.fetch)
    while queue:
        fetched = _fetch_batch(transport, state, queue, stopped=stopped, done=done)
        if fetched:
            _take_batch(
                vault,
                state,
                fetched,
                target=target,
                appliers=appliers,
                stopped=stopped,
                done=done,
            )
    return done


def _learn_device(
    vault: Vault, state: DeskState, transport: Transport, *, target: str, device: str, done: Pulled
) -> None:
    name = announcement_name(state.desk, device)
    data = transport.get(name)
    if data is None:
        done.missing.append(name)
        return
    opened = open_announcement(name, data, desk=state.desk, keys=state.keys)
    if isinstance(opened, Announcement) and (
        opened.log_device == state.own_log or opened.log_device in state.log_of.values()
    ):
        opened = Quarantine(
            name, Reason.CLAIMED_LOG, "it claims the event log of a device the desk knows"
        )
    if isinstance(opened, Quarantine):
        _quarantine(vault, target, opened, data, done)
        return
    now = now_text()
    public = opened.device
    with vault.transaction() as tx:
        trust = adopt(tx.conn, opened, now=now) if opened.proof else "desk_key"
        desk_rows.add_device(
            tx.conn,
            DeviceRow(
                device=public.device,
                signing=public.signing,
                agreement=public.agreement,
                member=opened.member,
                member_name=opened.member_name,
                log_device=opened.log_device,
                removed_after=None,
                proof=opened.proof,
                trust=trust,
                announcement=data,
                announced_at=opened.created_at,
                first_seen=now,
            ),
        )
        reports.release(tx.conn, target=target, name=name)
    state.known[public.device] = KnownDevice(public.signing)
    state.log_of[public.device] = opened.log_device
    done.devices.append(public.device)


def _fetch_batch(
    transport: Transport,
    state: DeskState,
    queue: list[tuple[str, int]],
    *,
    stopped: set[str],
    done: Pulled,
) -> list[tuple[str, str, bytes]]:
    """The next files of `queue` (device, name, data), up to a batch's worth; a device
    whose file is gone stops there (each segment must follow the one before)."""
    fetched: list[tuple[str, str, bytes]] = []
    size = 0
    while queue and len(fetched) < BATCH_FILES and size < BATCH_BYTES:
        device, seq = queue.pop(0)
        if device in stopped:
            continue
        name = segment_name(state.desk, device, seq)
        data = transport.get(name)
        if data is None:
            done.missing.append(name)
            stopped.add(device)
            continue
        fetched.append((device, name, data))
        size += len(data)
    return fetched


def _take_batch(
    vault: Vault,
    state: DeskState,
    fetched: list[tuple[str, str, bytes]],
    *,
    target: str,
    appliers: Appliers,
    stopped: set[str],
    done: Pulled,
) -> None:
    """Verify and take fetched segments in one vault transaction, each whole or not at
    all (a savepoint each), then project what they brought once."""
    now = now_text()
    batch = _Batch()
    with vault.transaction() as tx:
        for device, name, data in fetched:
            if device in stopped:
                continue
            opened = open_segment(
                name,
                data,
                desk=state.desk,
                devices=state.known,
                keys=state.keys,
                after=state.taken.get(device, Position()),
            )
            if isinstance(opened, Verified) and _removes(opened) and batch.waiting:
                # A removal is judged by the grants the segments before it brought:
                # those are projected first, as when each segment was its own pull.
                batch.project(vault, tx, appliers)
            if isinstance(opened, Verified):
                try:
                    batch.take(tx, state, opened, target=target, appliers=appliers, now=now)
                except ForeignEventsError as exc:
                    opened = Quarantine(name, Reason.BAD_EVENTS, str(exc))
            if isinstance(opened, Quarantine):
                _hold(tx, target, opened, data)
                done.quarantined.append(opened)
                stopped.add(device)
                continue
            state.taken[device] = opened.position
            done.segments += 1
        batch.project(vault, tx, appliers)
    # The log's cached Lamport clock is behind the received events now.
    vault.log.forget_cache()
    done.events += batch.added
    done.projected += batch.projected


def _removes(segment: Verified) -> bool:
    return any(raw.get("type") == REMOVAL for raw in segment.events)


@dataclass
class _Batch:
    """What the segments taken so far in one transaction brought, to project once."""

    added: int = 0
    projected: int = 0
    waiting: bool = False
    carried: dict[tuple[str, str], tuple[int, bytes]] = field(default_factory=dict)
    #: the documents the taken segments carry beside their events (`app.sync.documents`)
    documents: dict[str, tuple[str, tuple[bytes, ...]]] = field(default_factory=dict)

    def take(
        self,
        tx: Transaction,
        state: DeskState,
        segment: Verified,
        *,
        target: str,
        appliers: Appliers,
        now: str,
    ) -> None:
        """Events, receipts, removals, cursor of one segment, under a savepoint: a
        segment whose events do not continue the log leaves nothing behind."""
        tx.conn.execute("SAVEPOINT segment")
        try:
            added = event_rows.take_foreign(
                tx.conn,
                segment.events,
                log_device=state.log_of[segment.device],
                segment=segment.name,
                now=now,
                projection=appliers.projection,
            )
            carried = customer_keys.take(
                tx.conn, log_device=state.log_of[segment.device], keys=segment.keys
            )
            # Removals first: a key they bring opens the next segments of this pull.
            handled = take_removals(tx.conn, state, segment.events) if added else []
            mark_handled(tx.conn, handled)
            cursors.set_taken(
                tx.conn, device=segment.device, seq=segment.seq, digest=segment.digest, now=now
            )
            reports.release(tx.conn, target=target, name=segment.name)
        except BaseException:
            tx.conn.execute("ROLLBACK TO segment")
            tx.conn.execute("RELEASE segment")
            raise
        tx.conn.execute("RELEASE segment")
        self.carried.update(carried)
        self.documents.update(segment.documents)
        self.added += len(added)
        self.waiting = self.waiting or bool(added)

    def project(self, vault: Vault, tx: Transaction, appliers: Appliers) -> None:
        if not self.waiting:
            return
        # Own events a projection appends (a status that became final) order after these.
        vault.log.forget_cache()
        self.projected += appliers.apply_waiting(
            vault, tx, carried=self.carried, documents=self.documents
        )
        self.carried, self.documents = {}, {}
        self.waiting = False


def _hold(tx: Transaction, target: str, found: Quarantine, data: bytes) -> None:
    reports.quarantine(
        tx.conn,
        target=target,
        name=found.name,
        reason=str(found.reason),
        detail=found.detail,
        hold=found.reason.hold,
        digest=digest(data),
        now=now_text(),
    )


def _quarantine(vault: Vault, target: str, found: Quarantine, data: bytes, done: Pulled) -> None:
    with vault.transaction() as tx:
        _hold(tx, target, found, data)
    done.quarantined.append(found)


def listed_own(listing: Iterable[tuple[str, int]], *, desk: str, device: str) -> set[int]:
    """This device's segment numbers in a listing."""
    numbers: set[int] = set()
    for name, _ in listing:
        where = parse_name(name)
        if where is not None and where.desk == desk and where.device == device and where.seq:
            numbers.add(where.seq)
    return numbers
