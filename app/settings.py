"""Typed user settings, declared in one place with defaults and a version.

Stored as JSON in the platform's config folder, written atomically. Never
holds a secret: keys live in the OS keychain or the vault.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from vault.atomic import write_atomic

VERSION = 1


@dataclass(frozen=True)
class Settings:
    version: int = VERSION
    #: the vault opened last; None means the default location
    vault_path: str | None = None
    #: minutes without input before the vault locks itself; 0 turns it off
    idle_lock_minutes: int = 10
    #: keep the vault key in the OS keychain so unlocking needs no passphrase
    use_keychain: bool = True
    #: the provider screening asks by default (the offline sanctions list needs no key)
    screening_provider: str = "sanctions-list"
    #: KYT provider name -> base URL replacing the documented one (a proxy, a mirror)
    provider_urls: dict[str, str] = field(default_factory=dict)
    #: chain -> base URL of its explorer or node (a desk's own Blockscout, Esplora, node)
    explorer_urls: dict[str, str] = field(default_factory=dict)

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def default_settings_file() -> Path:
    return Path(platformdirs.user_config_dir("Strongroom", appauthor=False)) / "settings.json"


def load(path: Path | None = None) -> Settings:
    """The saved settings; defaults for anything missing, unknown or of the wrong type."""
    path = path or default_settings_file()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(raw, dict):
        return Settings()
    defaults = Settings()
    values: dict[str, Any] = {}
    for f in fields(Settings):
        value = raw.get(f.name, getattr(defaults, f.name))
        default = getattr(defaults, f.name)
        if default is not None and type(value) is not type(default):
            value = default
        if isinstance(value, dict):
            value = {k: v.strip() for k, v in value.items() if isinstance(v, str) and v.strip()}
        values[f.name] = value
    values["version"] = VERSION
    settings = Settings(**values)
    if settings.idle_lock_minutes < 0:
        settings = settings.with_changes(idle_lock_minutes=defaults.idle_lock_minutes)
    return settings


def save(settings: Settings, path: Path | None = None) -> None:
    path = path or default_settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, (json.dumps(asdict(settings), indent=2) + "\n").encode())
