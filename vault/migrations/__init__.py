"""Numbered schema migrations.

Each `mNNNN_name.py` module holds `SQL` (a script) or `upgrade(conn)`.
Migration N takes the database from `user_version` N-1 to N, in one
transaction together with the version bump, so a crash leaves the old
schema or the new one, never a mix.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from vault.connection import Connection


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]


def _from_module(version: int, module: ModuleType) -> Migration:
    name = module.__name__.rsplit(".", 1)[-1]
    upgrade = getattr(module, "upgrade", None)
    if callable(upgrade):
        return Migration(version, name, upgrade)
    sql: str = module.SQL

    def run_script(conn: Connection) -> None:
        # executescript() would COMMIT first; run statement by statement instead
        # so that the caller's transaction covers the whole migration.
        for statement in _statements(sql):
            conn.execute(statement)

    return Migration(version, name, run_script)


def _statements(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def discover() -> list[Migration]:
    found: list[Migration] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("m") and info.name[1:5].isdigit():
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append(_from_module(int(info.name[1:5]), module))
    found.sort(key=lambda m: m.version)
    expected = list(range(1, len(found) + 1))
    if [m.version for m in found] != expected:
        raise RuntimeError(f"migrations are not numbered 1..N: {[m.name for m in found]}")
    return found


MIGRATIONS: list[Migration] = discover()
LATEST = MIGRATIONS[-1].version
