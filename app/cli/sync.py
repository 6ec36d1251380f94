"""`strongroom desk ...` and `strongroom sync ...`: the last line printed is one JSON object.

Runs on an unlocked session opened by app.cli.main. Exit codes: 0 ok; 1 when
a target failed (its message on stderr, the JSON still printed); 3 when a
target refused the credentials.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.session import VaultSession
from app.sync.bundle import export_bundle, import_bundle
from app.sync.desk import SyncError, create_desk, devices
from app.sync.inviting import invite
from app.sync.join import join
from app.sync.removal import remove
from app.sync.run import SyncReport, announce, sync_run
from app.sync.status import sync_status

AUTH_FAILED = 3


def run_desk(args: argparse.Namespace, session: VaultSession) -> int:
    vault = session.vault
    try:
        if args.desk_command == "create":
            info = create_desk(vault, target=args.target, endpoint=args.endpoint, name=args.name)
            said = announce(vault)
            for target, outcome in said.items():
                if outcome != "ok":
                    print(
                        f"{target}: the announcement waits for the next 'sync run': {outcome}",
                        file=sys.stderr,
                    )
            _emit(
                {
                    "desk": info.desk,
                    "name": info.name,
                    "device": info.device,
                    "targets": list(info.targets),
                    "announced": [t for t, outcome in said.items() if outcome == "ok"],
                }
            )
            return 0
        if args.desk_command in ("invite", "join", "remove"):
            return _membership(args, session)
        for device in devices(vault):
            _emit(device)
        return 0
    except SyncError as exc:
        print(f"strongroom desk: {exc.message}", file=sys.stderr)
        return 1


def _membership(args: argparse.Namespace, session: VaultSession) -> int:
    """`desk invite`, `desk join`, `desk remove` (SyncError goes to the caller)."""
    vault = session.vault
    now = datetime.now(UTC)
    if args.desk_command == "invite":
        made = invite(vault, member=args.member, roles=tuple(args.role), to=Path(args.to), now=now)
        _emit(
            {
                "invite": str(made.file),
                "code": made.code,
                "expires_at": made.expires_at.isoformat(timespec="seconds"),
            }
        )
        return 0
    if args.desk_command == "join":
        joined = join(vault, file=Path(args.file), code=args.code, now=now)
        for note in joined.notes:
            print(note, file=sys.stderr)
        _emit(
            {
                "desk": joined.desk,
                "name": joined.name,
                "member": joined.member,
                "device": joined.device,
                "announced": list(joined.announced),
            }
        )
        return 0
    removed = remove(vault, args.who)
    _emit({"removed": list(removed.devices), "member": removed.member, "key": removed.key})
    return 0


def run_sync(args: argparse.Namespace, session: VaultSession) -> int:
    vault = session.vault
    try:
        if args.sync_command == "status":
            _emit(sync_status(vault))
            return 0
        if args.sync_command == "export":
            report = export_bundle(vault, Path(args.to))
        elif args.sync_command == "import":
            report = import_bundle(vault, Path(args.file))
        else:
            report = sync_run(vault)
    except SyncError as exc:
        print(f"strongroom sync: {exc.message}", file=sys.stderr)
        return 1
    return _finish(report)


def _finish(report: SyncReport) -> int:
    """Notes and failures on stderr, the counts last on stdout."""
    for target in report.targets:
        for note in target.notes:
            print(f"{target.target}: {note}", file=sys.stderr)
        if target.outcome != "ok":
            print(f"{target.target}: {target.message}", file=sys.stderr)
    _emit(report.line())
    outcomes = {t.outcome for t in report.targets}
    if "auth" in outcomes:
        return AUTH_FAILED
    return 1 if outcomes - {"ok"} else 0


def _emit(value: dict[str, Any]) -> None:
    print(json.dumps(value), flush=True)
