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
- Each segment is verified whole (`segments.open_segment`) and then applied in
  one vault transaction: its events continue their device's chain
  (`vault.sync.event_rows.take_foreign`), receipts are recorded, the appliers
  run, and the device's cursor moves. A failure of any part rolls all of it
  back and quarantines the file with its reason (`bad_events` for events that
  do not continue the log). After a failure nothing more of that device is
  fetched this time: each segment must follow the one before.
- Killed half way, a pull leaves whole segments applied or not at all; the
  next one fetches the same immutable file again and a segment already taken
  is never fetched twice.
- A file that verifies leaves the quarantine; files gone from the target are
  reported (by `run`), never a reason to delete anything here.

Network reads run outside transactions; each transaction is one segment.
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
from vault.store import Vault
from vault.sync import cursors, customer_keys, event_rows, reports
from vault.sync import desk as desk_rows
from vault.sync.desk import DeviceRow
from vault.sync.event_rows import ForeignEventsError


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
    for device, seq in found.fetch:
        if device in stopped:
            continue
        taken = _take(
            vault, state, transport, target=target, at=(device, seq), appliers=appliers, done=done
        )
        if not taken:
            stopped.add(device)
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


def _take(
    vault: Vault,
    state: DeskState,
    transport: Transport,
    *,
    target: str,
    at: tuple[str, int],
    appliers: Appliers,
    done: Pulled,
) -> bool:
    """Fetch, verify and apply one segment; False when the device's later ones must wait."""
    device, seq = at
    name = segment_name(state.desk, device, seq)
    data = transport.get(name)
    if data is None:
        done.missing.append(name)
        return False
    opened = open_segment(
        name,
        data,
        desk=state.desk,
        devices=state.known,
        keys=state.keys,
        after=state.taken.get(device, Position()),
    )
    if isinstance(opened, Quarantine):
        _quarantine(vault, target, opened, data, done)
        return False
    try:
        added = _apply(vault, state, opened, target=target, appliers=appliers)
    except ForeignEventsError as exc:
        _quarantine(vault, target, Quarantine(name, Reason.BAD_EVENTS, str(exc)), data, done)
        return False
    state.taken[device] = opened.position
    done.segments += 1
    done.events += added[0]
    done.projected += added[1]
    return True


def _apply(
    vault: Vault, state: DeskState, segment: Verified, *, target: str, appliers: Appliers
) -> tuple[int, int]:
    """One transaction: events, receipts, projections, cursor. (added, projected)"""
    now = now_text()
    with vault.transaction() as tx:
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
        # Own events a projection appends (a status that became final) order after these.
        vault.log.forget_cache()
        projected = (
            appliers.apply_waiting(vault, tx, carried=carried, documents=segment.documents)
            if added
            else 0
        )
        cursors.set_taken(
            tx.conn, device=segment.device, seq=segment.seq, digest=segment.digest, now=now
        )
        reports.release(tx.conn, target=target, name=segment.name)
    # The log's cached Lamport clock is behind the received events now.
    vault.log.forget_cache()
    return len(added), projected


def _quarantine(vault: Vault, target: str, found: Quarantine, data: bytes, done: Pulled) -> None:
    with vault.transaction() as tx:
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
    done.quarantined.append(found)


def listed_own(listing: Iterable[tuple[str, int]], *, desk: str, device: str) -> set[int]:
    """This device's segment numbers in a listing."""
    numbers: set[int] = set()
    for name, _ in listing:
        where = parse_name(name)
        if where is not None and where.desk == desk and where.device == device and where.seq:
            numbers.add(where.seq)
    return numbers
