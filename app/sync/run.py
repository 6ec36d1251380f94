"""`sync run`: seal what is new, then for each target list, push, pull; and what it found.

Per target, in this order: one listing (`cursor.survey` compares it with what
was seen there before), this device's missing files put (`push`), other
devices' new segments taken (`pull`), and the highest numbers listed
remembered. A target that cannot be reached, refuses the credentials or
fails is reported with its kind and skipped; the others go on. What the
listing shows wrong (files gone, gaps, another desk's files, strays) is
reported and logged, and never deletes anything here.

Blocks on the network and on the vault: run it on a worker, never the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.sync.appliers import Appliers
from app.sync.credentials import credentials_for
from app.sync.cursor import Seen, Survey, survey
from app.sync.desk import now_text
from app.sync.local import DeskState, load
from app.sync.project import default_appliers
from app.sync.pull import Pulled, listed_own, pull_from
from app.sync.push import Pushed, push_to, seal_pending
from app.sync.removal import finish_rotation
from app.sync.segments import Position, announcement_name
from app.sync.state import state_digest
from integrations.http.errors import IntegrationError
from integrations.sync.base import Put, Transport
from integrations.sync.targets import Target, open_transport, parse_target
from vault.store import Vault
from vault.sync import cursors, reports
from vault.sync import desk as desk_rows
from vault.sync.reports import LogRow

OpenTarget = Callable[..., Transport]


@dataclass
class TargetReport:
    target: str
    outcome: str = "ok"  # ok, or the failure's kind: offline, auth, transient, fatal
    message: str = ""
    pushed: int = 0
    pulled: int = 0
    applied: int = 0
    quarantined: int = 0
    notes: list[str] = field(default_factory=list)
    found: dict[str, Any] = field(default_factory=dict)  # for the log: numbers, names


@dataclass
class SyncReport:
    pushed: int
    pulled: int
    applied: int
    quarantined: int
    state: str
    targets: list[TargetReport]

    def line(self) -> dict[str, Any]:
        return {
            "pushed": self.pushed,
            "pulled": self.pulled,
            "applied": self.applied,
            "quarantined": self.quarantined,
            "state": self.state,
        }

    @property
    def ok(self) -> bool:
        return all(t.outcome == "ok" for t in self.targets)


def sync_run(
    vault: Vault,
    *,
    appliers: Appliers | None = None,
    open_target: OpenTarget = open_transport,
    env: Mapping[str, str] | None = None,
) -> SyncReport:
    finish_rotation(vault)  # a removal that died before its key turned
    state = load(vault)
    seal_pending(vault, state)
    done: list[TargetReport] = []
    for text, endpoint in desk_rows.targets(vault.conn):
        done.append(
            sync_target(
                vault,
                state,
                target=text,
                endpoint=endpoint,
                appliers=appliers or default_appliers(),
                open_target=open_target,
                env=env,
            )
        )
    return SyncReport(
        pushed=sum(t.pushed for t in done),
        pulled=sum(t.pulled for t in done),
        applied=sum(t.applied for t in done),
        quarantined=sum(t.quarantined for t in done),
        state=state_digest(vault.conn),
        targets=done,
    )


def announce(
    vault: Vault, *, open_target: OpenTarget = open_transport, env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Put this device's announcement on each target now (`desk create`): per target,
    "ok", or the message of why not (the next `sync run` tries again)."""
    state = load(vault)
    name = announcement_name(state.desk, state.device)
    said: dict[str, str] = {}
    for text, endpoint in desk_rows.targets(vault.conn):
        parsed = parse_target(text, endpoint=endpoint)
        try:
            transport = open_target(parsed, credentials=credentials_for(vault, parsed, env=env))
            try:
                put = transport.put_if_absent(name, state.announcement)
            finally:
                transport.close()
            said[text] = "ok" if put != Put.TAKEN else "another announcement is there"
        except IntegrationError as exc:
            said[text] = str(exc)
    return said


def sync_target(
    vault: Vault,
    state: DeskState,
    *,
    target: str,
    endpoint: str | None,
    appliers: Appliers,
    open_target: OpenTarget,
    env: Mapping[str, str] | None,
) -> TargetReport:
    started = now_text()
    report = TargetReport(target)
    parsed: Target = parse_target(target, endpoint=endpoint)
    try:
        transport = open_target(parsed, credentials=credentials_for(vault, parsed, env=env))
        try:
            exchange(vault, state, transport, target=target, appliers=appliers, report=report)
        finally:
            transport.close()
    except IntegrationError as exc:
        report.outcome = exc.kind
        report.message = str(exc)
    log(vault, report, kind="run", started=started)
    return report


def exchange(
    vault: Vault,
    state: DeskState,
    transport: Transport,
    *,
    target: str,
    appliers: Appliers,
    report: TargetReport,
    push: bool = True,
    remember: bool = True,
) -> None:
    """List, push (unless `push` is False), pull; fills `report`."""
    listing = [(e.name, e.size) for e in transport.list("")]
    before = cursors.seen(vault.conn, target)
    found = survey(listing, desk=state.desk, own=state.device, cursor=_cursor(vault, state, before))
    if push:
        pushed = push_to(
            vault,
            state,
            transport,
            target=target,
            listed_own=listed_own(listing, desk=state.desk, device=state.device),
            announced=state.device in found.announced,
            ahead=found.ahead,
        )
        _note_push(report, pushed)
    pulled = pull_from(vault, state, transport, target=target, found=found, appliers=appliers)
    _note_pull(report, pulled)
    _note_survey(report, found, before if remember else {}, own=state.device)
    if remember and found.highest:
        with vault.transaction() as tx:
            cursors.remember_seen(tx.conn, target, found.highest)


def _cursor(vault: Vault, state: DeskState, seen: Mapping[str, int]) -> dict[str, Seen]:
    cursor = {
        device: Seen(state.taken.get(device, Position()), seen.get(device, 0))
        for device in set(state.taken) | set(seen)
    }
    last = cursors.last_outgoing(vault.conn)
    own = Position(last.seq, last.digest) if last is not None else Position()
    cursor[state.device] = Seen(own, seen.get(state.device, 0))
    return cursor


def _note_push(report: TargetReport, pushed: Pushed) -> None:
    report.pushed = pushed.written
    if pushed.restored:
        report.notes.append(
            f"segments {_numbers(pushed.restored)} of this device were gone from the target "
            "and were put back, byte for byte"
        )
        report.found["restored"] = pushed.restored
    if pushed.blocked:
        report.notes.append(pushed.blocked)
        report.found["blocked"] = pushed.blocked


def _note_pull(report: TargetReport, pulled: Pulled) -> None:
    report.pulled = pulled.segments
    report.applied = pulled.events
    report.quarantined = len(pulled.quarantined)
    for q in pulled.quarantined:
        report.notes.append(f"{q.name} quarantined ({q.reason}): {q.detail}")
    if pulled.devices:
        report.found["new_devices"] = pulled.devices
    if pulled.missing:
        report.found["missing"] = pulled.missing
        report.notes.append(f"{len(pulled.missing)} listed file(s) were gone when fetched")


def _note_survey(report: TargetReport, found: Survey, seen: Mapping[str, int], *, own: str) -> None:
    # A number counts as vanished only if this target listed it before: another
    # target may hold segments this one never had.
    earlier = {
        device: [n for n in numbers if n <= seen.get(device, 0)]
        for device, numbers in found.vanished.items()
    }
    vanished = {d: n for d, n in earlier.items() if n}
    for device, numbers in sorted(vanished.items()):
        report.notes.append(
            f"segments {_numbers(numbers)} of device {device} are gone from the target; "
            "nothing was deleted here"
        )
    for device, missing in sorted(found.gaps.items()):
        report.notes.append(
            f"segments {_numbers(list(missing))} of device {device} are missing on the "
            "target; its later ones wait for them"
        )
    if found.other_desks:
        report.notes.append(
            f"the target also holds files of {len(found.other_desks)} other desk(s); "
            "check that it is this desk's target"
        )
    if found.suspect:
        report.notes.append(
            "the target holds none of this desk's files any more: it was emptied, or "
            "points at another place"
        )
    if found.strays or found.short:
        report.notes.append(
            f"{len(found.strays) + len(found.short)} file(s) under this desk are not "
            "Strongroom's or were cut short"
        )
    report.found.update(
        {
            "vanished": vanished,
            "gaps": {d: list(n) for d, n in found.gaps.items()},
            "other_desks": sorted(found.other_desks),
            "strays": list(found.strays),
            "short": list(found.short),
            "unannounced": sorted(found.unannounced - {own}),
        }
    )


def log(vault: Vault, report: TargetReport, *, kind: str, started: str) -> None:
    detail = {k: v for k, v in report.found.items() if v}
    if report.message:
        detail["message"] = report.message
    with vault.transaction() as tx:
        reports.add_log(
            tx.conn,
            LogRow(
                kind=kind,
                target=report.target,
                started_at=started,
                finished_at=now_text(),
                pushed=report.pushed,
                pulled=report.pulled,
                applied=report.applied,
                quarantined=report.quarantined,
                outcome=report.outcome,
                detail=detail,
            ),
        )


def _numbers(numbers: list[int]) -> str:
    if len(numbers) > 1 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(str(n) for n in numbers)
