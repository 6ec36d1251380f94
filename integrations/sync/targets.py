"""A target as the user writes it (`folder:DIR`, `webdav:URL`, `s3:BUCKET[/PREFIX]`), and
the transport for it.

The text holds no secret: a WebDAV password or S3 keys come separately, as
`credentials` (from the keychain, the vault, the environment or an
invitation; finding them is the caller's job). Their names:

- webdav: `password`
- s3: `access_key`, `secret_key`, optionally `session_token`; none at all
  lets boto3 read the standard AWS variables and files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from integrations.sync.base import Transport, valid_name
from integrations.sync.folder import FolderTransport
from integrations.sync.s3 import S3Transport
from integrations.sync.webdav import WebDavTransport, parse_url

KINDS = ("folder", "webdav", "s3")


@dataclass(frozen=True)
class Target:
    kind: str  # one of KINDS
    location: str  # the folder, the URL, or the bucket
    prefix: str = ""  # s3: the folder inside the bucket
    endpoint: str | None = None  # s3: a non-AWS store's URL

    def __str__(self) -> str:
        if self.kind == "s3":
            return f"s3:{self.location}/{self.prefix}" if self.prefix else f"s3:{self.location}"
        return f"{self.kind}:{self.location}"


def parse_target(text: str, *, endpoint: str | None = None) -> Target:
    """The target `text` names; ValueError with a message for people otherwise."""
    kind, colon, rest = text.partition(":")
    if not colon or kind not in KINDS or not rest.strip():
        raise ValueError(
            f"{text!r} is not a sync target; write folder:DIR, webdav:URL or s3:BUCKET[/PREFIX]"
        )
    if endpoint is not None and kind != "s3":
        raise ValueError("--endpoint is for S3-compatible targets only")
    if kind == "folder":
        return Target("folder", str(Path(rest).expanduser()))
    if kind == "webdav":
        parse_url(rest)  # http(s), a host, no password in it
        return Target("webdav", rest)
    bucket, _, prefix = rest.partition("/")
    prefix = prefix.strip("/")
    if not bucket or (prefix and not valid_name(prefix)):
        raise ValueError(f"{rest!r} is not an S3 bucket with an optional folder")
    return Target("s3", bucket, prefix, endpoint)


def open_transport(target: Target, *, credentials: Mapping[str, str]) -> Transport:
    if target.kind == "folder":
        return FolderTransport(Path(target.location))
    if target.kind == "webdav":
        return WebDavTransport(target.location, password=credentials.get("password", ""))
    return S3Transport(
        target.location,
        prefix=target.prefix,
        endpoint_url=target.endpoint,
        access_key=credentials.get("access_key"),
        secret_key=credentials.get("secret_key"),
        session_token=credentials.get("session_token"),
    )
