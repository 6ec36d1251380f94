"""What a sync target must do, and how its failures are sorted.

A target only keeps files. Strongroom needs three things of it (DESIGN.md,
"Sync"): write a file under a name nobody has used yet, read a file back, and
list the names (with sizes) under a prefix. No locks, no renames, no deletes:
each device writes only its own numbered files, so two writers never meet.

Names are relative, `/`-separated, made of letters, digits, `.`, `_` and `-`
(`desk/devices/dev/00000001.seg`); anything else is refused before it reaches
a target, so a name can never climb out of the folder or bucket prefix.

Failures are the HTTP machinery's kinds (STYLE point 8), with hints that point
at the sync settings: auth (ask for the password or keys again), transient
(`Offline` when the target could not be reached; try again later), fatal
(show, with what to do).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import NamedTuple, Protocol

from integrations.http.errors import AuthError, Offline, ProviderError, TransientError

_PART = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


class Entry(NamedTuple):
    """A file on the target: its name and its size in bytes."""

    name: str
    size: int


class Put(StrEnum):
    """What `put_if_absent` did."""

    #: the file is now on the target, written by this call
    WRITTEN = "written"
    #: the name was taken by a file with these very bytes: an earlier attempt
    #: whose answer was lost got there first, so the write is done
    IDENTICAL = "identical"
    #: the name was taken by a different file; nothing was written
    TAKEN = "taken"


class Transport(Protocol):
    """One sync target. Calls block (run them on the network pool, never on
    the GUI thread) and raise only `IntegrationError` subclasses."""

    #: shown to people, e.g. "WebDAV target dav.example.org"; never holds a secret
    label: str

    def put_if_absent(self, name: str, data: bytes) -> Put:
        """Write `data` under `name` unless the name is taken; never replaces a file."""
        ...

    def get(self, name: str) -> bytes | None:
        """The file's bytes, or None when there is no such file."""
        ...

    def list(self, prefix: str = "") -> list[Entry]:
        """Every file whose name starts with `prefix`, sorted by name.

        Files a target keeps for itself (temp files, conflict copies) are left out.
        """
        ...

    def close(self) -> None: ...


class TargetAuthError(AuthError):
    default_hint = "Enter the target's password or keys again in the sync settings"


class TargetBusy(TransientError):
    default_hint = "Sync tries again later"


class TargetOffline(Offline):
    default_hint = "Sync waits until the target can be reached again"


class TargetError(ProviderError):
    default_hint = "Check the sync target in the sync settings"


def check_name(name: str, *, prefix: bool = False) -> str:
    """`name` when it is a safe target name; ValueError otherwise.

    With `prefix`, "" and a trailing "/" are allowed too (a listing's prefix).
    """
    text = name[:-1] if prefix and name.endswith("/") else name
    if prefix and text == "":
        return name
    parts = text.split("/")
    if any(p in (".", "..") or not _PART.fullmatch(p) for p in parts):
        raise ValueError(f"{name!r} is not a valid name on a sync target")
    return name


def valid_name(name: str) -> bool:
    """Whether `name` could have been written by Strongroom; listings show only those."""
    try:
        check_name(name)
    except ValueError:
        return False
    return True


def kept_by_target(part: str) -> bool:
    """True for a file or folder name a target or a sync tool keeps for itself:
    hidden ones (our temp files, Syncthing's `.syncthing.*.tmp`, `.stfolder`,
    `.stversions`), Windows Syncthing temps (`~syncthing~*.tmp`), partial
    uploads (`*.part`, `*.tmp`) and conflict copies (`*.sync-conflict-*`)."""
    return (
        part.startswith((".", "~syncthing~"))
        or ".sync-conflict-" in part
        or part.endswith((".tmp", ".part"))
    )


def settle_taken(name: str, data: bytes, get: Callable[[str], bytes | None]) -> Put:
    """After a refused put: IDENTICAL when the file there holds `data`, else TAKEN.

    A put retried after a lost answer finds its own file; comparing the bytes
    tells that apart from a real clash, so a retried push is idempotent.
    """
    return Put.IDENTICAL if get(name) == data else Put.TAKEN
