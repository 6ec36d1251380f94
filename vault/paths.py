"""Where a vault's files live: the database and everything kept beside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

DEFAULT_NAME = "strongroom.vault"


@dataclass(frozen=True)
class VaultPaths:
    """All files of one vault; every one sits in the database's folder."""

    db: Path

    @classmethod
    def of(cls, path: str | Path) -> VaultPaths:
        return cls(Path(path).expanduser().absolute())

    def _beside(self, suffix: str) -> Path:
        return self.db.with_name(self.db.name + suffix)

    @property
    def header(self) -> Path:
        return self._beside(".header")

    @property
    def lock(self) -> Path:
        return self._beside(".lock")

    @property
    def failures(self) -> Path:
        """Failed unlock attempts, kept until the next unlock writes them to the log."""
        return self._beside(".failures")

    @property
    def rekey_journal(self) -> Path:
        return self._beside(".rekey-pending")

    @property
    def rekey_backup_db(self) -> Path:
        return self._beside(".rekey-backup")

    @property
    def wal(self) -> Path:
        return self._beside("-wal")

    @property
    def shm(self) -> Path:
        return self._beside("-shm")

    def migration_backup(self, from_version: int) -> Path:
        return self._beside(f".schema{from_version}.bak")


def default_vault_path() -> Path:
    """The user's own vault, in the platform's data folder."""
    return Path(platformdirs.user_data_dir("Strongroom", appauthor=False)) / DEFAULT_NAME
