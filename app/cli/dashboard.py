"""`strongroom demo create` and `strongroom dashboard export`."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime
from pathlib import Path

from app.dashboards.charts import DEFAULT_DAYS, Span, all_charts
from app.dashboards.export import PngWriter, export_charts
from app.demo import DEMO_PASSPHRASE, fill_demo_vault
from app.session import VaultSession
from vault.errors import VaultError
from vault.keys import Keychain


def create_demo(args: argparse.Namespace, passphrase: str | None, keychain: Keychain) -> int:
    """A new vault at --vault filled like `strongroom --demo`; never over an existing one."""
    session = VaultSession(args.vault, keychain=keychain)
    created = session.create(
        passphrase=passphrase or DEMO_PASSPHRASE, use_keychain=not args.no_keychain
    )
    try:
        counts = fill_demo_vault(created.vault)
    finally:
        session.lock(reason="command finished")
    line: dict[str, object] = {"vault": str(session.path), **counts}
    line["keychain"] = created.keychain_stored
    if passphrase is None:
        line["passphrase"] = DEMO_PASSPHRASE  # the public demo passphrase, no secret
    print(json.dumps(line))
    return 0


def span_of(args: argparse.Namespace, today: date) -> Span:
    try:
        last = date.fromisoformat(args.last) if args.last else today
        first = (
            date.fromisoformat(args.first)
            if args.first
            else Span.last_days(DEFAULT_DAYS, last).first
        )
    except ValueError:
        raise VaultError("--from and --until take dates as YYYY-MM-DD.") from None
    if first > last:
        raise VaultError("--from is after --until: give the earlier date first.")
    return Span(first, last)


def export_dashboard(args: argparse.Namespace, session: VaultSession, png: PngWriter) -> int:
    now = datetime.now(UTC)
    span = span_of(args, now.date())
    charts = all_charts(session.vault.conn, span, now)
    done = export_charts(charts, Path(args.to), png)
    for item in done:
        print(json.dumps(item))
    print(json.dumps({"charts": [d["chart"] for d in done], "dir": str(Path(args.to))}))
    return 0
