"""A target's credentials: from the environment, else `strongroom keys set` storage.

- WebDAV: the password in STRONGROOM_WEBDAV_PASSWORD, else the key stored as
  `strongroom keys set webdav` (OS keychain, else sealed in the vault). The
  user name is in the URL.
- S3: the access key and secret stored as `strongroom keys set s3 --with-secret`;
  else nothing, and boto3 reads the standard AWS variables and files.

Never the command line, never a plain file. The environment wins when it is
set: a script that sets it means it for this run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from app.screening.secrets import get_key
from integrations.sync.targets import Target
from vault.store import Vault

WEBDAV_KEY = "webdav"
S3_KEY = "s3"
WEBDAV_ENV = "STRONGROOM_WEBDAV_PASSWORD"


def credentials_for(
    vault: Vault, target: Target, *, env: Mapping[str, str] | None = None
) -> dict[str, str]:
    environ = os.environ if env is None else env
    if target.kind == "webdav":
        if environ.get(WEBDAV_ENV):
            return {"password": environ[WEBDAV_ENV]}
        stored = get_key(vault, WEBDAV_KEY)
        return {"password": stored.key} if stored is not None else {}
    if target.kind == "s3":
        stored = get_key(vault, S3_KEY)
        if stored is not None and stored.secret:
            return {"access_key": stored.key, "secret_key": stored.secret}
    return {}


def shared_credentials(
    vault: Vault, target: Target, *, env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """What an invitation carries (sealed) so the joining device needs nothing else: the
    credentials this device uses, and for S3 with none stored, the standard AWS
    variables' key pair (a session token expires, so it is never passed on)."""
    found = credentials_for(vault, target, env=env)
    environ = os.environ if env is None else env
    if target.kind == "s3" and not found:
        access, secret = environ.get("AWS_ACCESS_KEY_ID"), environ.get("AWS_SECRET_ACCESS_KEY")
        if access and secret:
            found = {"access_key": access, "secret_key": secret}
    return found
