"""The throwaway demo vault: its own temporary folder, never the user's real vault."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vault.paths import DEFAULT_NAME

#: Shown in the window; the demo holds only synthetic data, so this is no secret.
DEMO_PASSPHRASE = "demo-passphrase"  # noqa: S105


@dataclass(frozen=True)
class DemoFolder:
    folder: Path

    @property
    def vault_path(self) -> Path:
        return self.folder / DEFAULT_NAME

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def new_demo_folder() -> DemoFolder:
    return DemoFolder(Path(tempfile.mkdtemp(prefix="strongroom-demo-")))
