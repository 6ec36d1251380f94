"""Sync targets: plain storage a desk already runs, behind one small `Transport`.

`folder` (a shared drive, USB stick, Syncthing folder), `webdav` (Nextcloud, a
NAS, Apache/nginx) and `s3` (AWS S3, MinIO, Ceph through boto3). Each keeps
files only: put-if-absent, get, list. What the files hold, and how they are
checked, is `app.sync`'s business.
"""

from __future__ import annotations

from integrations.sync.base import (
    Entry,
    Put,
    TargetAuthError,
    TargetBusy,
    TargetError,
    TargetOffline,
    Transport,
)

__all__ = [
    "Entry",
    "Put",
    "TargetAuthError",
    "TargetBusy",
    "TargetError",
    "TargetOffline",
    "Transport",
]
