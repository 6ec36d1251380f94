"""Pushing: this device's new events sealed into numbered segments, kept in the vault,
then put on a target.

The rules:

- A segment carries this device's events in order, from where the last one
  ended, at most `MAX_EVENTS` and `MAX_PAYLOAD` bytes of payload each. Events that change no table
  (`appliers.audit_only`: an unlock, a lock) never make a segment on their
  own; they ride in the next one, since the chain cannot travel with holes.
- Segments are sealed and stored (`sync_outgoing`) before anything is put,
  in one transaction with their numbers; a target then gets the very bytes.
  A put that died half way is simply put again (`put_if_absent` finds its own
  bytes: IDENTICAL), so a SIGKILL never forks or repeats a number.
- Every stored segment the target's listing lacks is put: new ones, and ones
  it lost (put back byte for byte). A different file under one of this
  device's names (`Put.TAKEN`), or numbers on the target beyond what this
  vault wrote (`ahead`: a restored or copied vault), stop pushing to that
  target: writing on would fork this device's chain. Both are reported.

Database worker for the sealing; the puts block on the network and run
outside any transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.sync import documents as carried_documents
from app.sync.appliers import audit_only
from app.sync.desk import now_text
from app.sync.local import DeskState
from app.sync.segments import Position, announcement_name, seal_segment, segment_name
from integrations.sync.base import Put, Transport
from vault.approvals import store as approvals_store
from vault.store import Vault
from vault.sync import cursors, customer_keys, event_rows
from vault.sync.cursors import Outgoing

MAX_EVENTS = 5000
#: payload bytes per segment: far below `container.MAX_FILE`, which readers refuse
#: beyond (a bulk import's batch events are large)
MAX_PAYLOAD = 32 * 1024 * 1024


def seal_pending(vault: Vault, state: DeskState) -> int:
    """Seal this device's events not yet in a segment; returns how many segments."""
    conn = vault.conn
    last = cursors.last_outgoing(conn)
    after = last.last_event if last is not None else 0
    counts = event_rows.type_counts(conn, device=state.own_log, after=after)
    if not any(not audit_only(t) for t in counts):
        return 0
    made = 0
    with vault.transaction() as tx:
        while rows := _within_budget(
            event_rows.own_events(tx.conn, device=state.own_log, after=after, limit=MAX_EVENTS)
        ):
            position = Position(last.seq, last.digest) if last is not None else Position()
            now = now_text()
            keys = customer_keys.own_keys(
                tx.conn, device=state.own_log, first=rows[0]["seq"], last=rows[-1]["seq"]
            )
            sealed = seal_segment(
                rows,
                desk=state.desk,
                seq=position.seq + 1,
                after=position,
                key=state.key,
                device=state.me,
                created_at=now,
                keys=keys,
                documents=carried_documents.gather(tx.conn, rows),
            )
            last = Outgoing(position.seq + 1, sealed.digest, rows[0]["seq"], rows[-1]["seq"])
            cursors.add_outgoing(tx.conn, out=last, data=sealed.data, now=now)
            after = last.last_event
            made += 1
    return made


def _within_budget(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first rows whose payloads fit in `MAX_PAYLOAD` (always at least one)."""
    total = 0
    for n, row in enumerate(rows):
        total += len(row["payload"]) + carried_documents.carried_bytes(row)
        if total > MAX_PAYLOAD and n > 0:
            return rows[:n]
    return rows


@dataclass
class Pushed:
    written: int = 0  # segments put by this run
    restored: list[int] = field(default_factory=list)  # of them, ones the target had lost
    announced: bool = False  # this device's announcement was put
    blocked: str | None = None  # why pushing to this target stopped


def push_to(
    vault: Vault,
    state: DeskState,
    transport: Transport,
    *,
    target: str,
    listed_own: set[int],
    announced: bool,
    ahead: tuple[int, ...],
) -> Pushed:
    """Put what `target` lacks of this device: its announcement and its segments.

    `listed_own`: this device's segment numbers in the target's listing;
    `announced`: whether its announcement is listed there; `ahead`: own numbers
    listed beyond the last segment this vault sealed."""
    done = Pushed()
    if ahead:
        done.blocked = (
            f"{transport.label} holds segments {ahead[0]}–{ahead[-1]} of this device that "
            "this vault did not write: it was restored from a backup or copied to another "
            "machine. Nothing is pushed there until that is sorted out."
        )
        return done
    if not announced:
        name = announcement_name(state.desk, state.device)
        if transport.put_if_absent(name, state.announcement) == Put.TAKEN:
            done.blocked = f"{transport.label} holds another announcement under this device's id."
            return done
        done.announced = True
    conn = vault.conn
    confirmed = cursors.pushed(conn, target)
    for out in cursors.outgoing(conn):
        if out.seq in listed_own and out.seq in confirmed:
            continue
        # Listed but never noted: a run that died after its put, or a vault restored
        # from a backup finding its old number taken. The put tells them apart.
        data = cursors.outgoing_data(conn, out.seq)
        put = transport.put_if_absent(segment_name(state.desk, state.device, out.seq), data)
        if put == Put.TAKEN:
            done.blocked = (
                f"{transport.label} holds a different file under this device's segment "
                f"{out.seq}: this vault was restored from a backup or copied to another "
                "machine. Nothing more is pushed there until that is sorted out."
            )
            return done
        with vault.transaction() as tx:
            now = now_text()
            cursors.mark_pushed(tx.conn, target=target, seq=out.seq, now=now)
            approvals_store.set_shared(
                tx.conn, device=state.own_log, first=out.first_event, last=out.last_event, now=now
            )
        if put == Put.WRITTEN:
            done.written += 1
            if out.seq in confirmed:
                done.restored.append(out.seq)
    return done
