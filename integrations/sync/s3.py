"""S3-compatible object storage as a sync target: AWS S3, MinIO, Ceph, through boto3.

A put is `PutObject` with `IfNoneMatch='*'`: the store itself refuses to
replace an object (412), as AWS S3 and MinIO do. A store that does not know
conditional writes (501 NotImplemented), or one set up with
`conditional=False`, gets a HEAD then a PUT instead; that leaves a window, but
each device writes only names carrying its own device id, so no other writer
can use the name in between.

Credentials are the caller's (keychain or vault); when none are given, boto3
reads the standard AWS variables and files. `endpoint_url` points at a
non-AWS store, which is then addressed by path (`host/bucket/key`). botocore
retries throttling, 5xx and dropped connections itself (standard mode); what
still fails is sorted into the usual kinds.
"""

from __future__ import annotations

import threading
from typing import Any, cast

import boto3
import botocore.config
import botocore.exceptions

from integrations.http.errors import IntegrationError
from integrations.sync.base import (
    Entry,
    Put,
    TargetAuthError,
    TargetBusy,
    TargetError,
    TargetOffline,
    check_name,
    settle_taken,
    valid_name,
)

_AUTH_CODES = frozenset(
    {
        "AccessDenied",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "InvalidToken",
        "TokenRefreshRequired",
        "InvalidClientTokenId",
    }
)
_BUSY_CODES = frozenset(
    {
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "RequestTimeout",
        "Throttling",
        "ConditionalRequestConflict",  # another conditional write to the key is under way
    }
)


class S3Transport:
    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        session_token: str | None = None,
        verify: bool | str = True,
        conditional: bool = True,
        attempts: int = 4,
        read_timeout: float = 30.0,
        page_size: int = 1000,
    ) -> None:
        """`prefix`: a folder inside the bucket; `verify`: False, True or a CA bundle's path;
        `page_size`: keys per listing request (1,000 is AWS's most; some stores allow fewer)."""
        self.bucket = bucket
        self._prefix = check_name(prefix.strip("/")) + "/" if prefix.strip("/") else ""
        where = f"{bucket}/{self._prefix}" if self._prefix else bucket
        self.label = f"S3 target {where}"
        self._secrets = tuple(s for s in (secret_key, session_token) if s)
        session = boto3.session.Session(
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            aws_session_token=session_token,
            region_name=region,
        )
        config = botocore.config.Config(
            connect_timeout=3.05,
            read_timeout=read_timeout,
            retries={"max_attempts": attempts, "mode": "standard"},
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            user_agent_extra="Strongroom-sync",
        )
        self._s3: Any = session.client(
            "s3", endpoint_url=endpoint_url, verify=verify, config=config
        )
        self._conditional = conditional
        self._page_size = page_size
        self._lock = threading.Lock()

    def put_if_absent(self, name: str, data: bytes) -> Put:
        key = self._key(name)
        with self._lock:
            conditional = self._conditional
        if conditional:
            try:
                self._call(
                    self._s3.put_object, Bucket=self.bucket, Key=key, Body=data, IfNoneMatch="*"
                )
                return Put.WRITTEN
            except _Refused:
                return settle_taken(name, data, self.get)
            except _Unsupported:
                with self._lock:
                    self._conditional = False
        if self._call(self._head, key):
            return settle_taken(name, data, self.get)
        self._call(self._s3.put_object, Bucket=self.bucket, Key=key, Body=data)
        return Put.WRITTEN

    def get(self, name: str) -> bytes | None:
        key = self._key(name)
        try:
            answer = self._call(self._s3.get_object, Bucket=self.bucket, Key=key)
            return cast(bytes, answer["Body"].read())
        except _Missing:
            return None
        except botocore.exceptions.BotoCoreError as exc:  # the body broke off mid-read
            raise self._error(exc) from None

    def list(self, prefix: str = "") -> list[Entry]:
        check_name(prefix, prefix=True)
        pages = self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket,
            Prefix=self._prefix + prefix,
            PaginationConfig={"PageSize": self._page_size},
        )
        found: list[Entry] = []
        try:
            for page in pages:
                for item in page.get("Contents", ()):
                    name = str(item["Key"])[len(self._prefix) :]
                    if valid_name(name):
                        found.append(Entry(name, int(item["Size"])))
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise self._error(exc) from None
        return sorted(found)

    def close(self) -> None:
        self._s3.close()

    def _key(self, name: str) -> str:
        return self._prefix + check_name(name)

    def _head(self, key: str) -> bool:
        try:
            self._s3.head_object(Bucket=self.bucket, Key=key)
        except botocore.exceptions.ClientError as exc:
            if _status(exc) == 404:
                return False
            raise
        return True

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        """`method(...)`, with boto's failures turned into ours."""
        try:
            return method(*args, **kwargs)
        except botocore.exceptions.ClientError as exc:
            code = _code(exc)
            if code == "PreconditionFailed" or _status(exc) == 412:
                raise _Refused from None
            if code in ("NoSuchKey", "NotFound") or (
                _status(exc) == 404 and code != "NoSuchBucket"
            ):
                raise _Missing from None
            if code == "NotImplemented" or _status(exc) == 501:
                raise _Unsupported from None
            raise self._error(exc) from None
        except botocore.exceptions.BotoCoreError as exc:
            raise self._error(exc) from None

    def _error(self, exc: Exception) -> IntegrationError:
        error = _sorted(exc)
        error.provider = self.label
        error.redact(self._secrets)
        return error


class _Refused(Exception):
    """The store refused a conditional put: the key exists."""


class _Missing(Exception):
    """No such key."""


class _Unsupported(Exception):
    """The store does not know conditional puts."""


def _sorted(exc: Exception) -> IntegrationError:
    if isinstance(
        exc, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError
    ):
        return TargetAuthError("has no access key set")
    if isinstance(
        exc, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectTimeoutError
    ):
        return TargetOffline("could not be reached", retryable=True)
    if isinstance(exc, botocore.exceptions.ClientError):
        code, status = _code(exc), _status(exc)
        if code in _AUTH_CODES or status in (401, 403):
            return TargetAuthError(f"refused the access key ({code or status})", status=status)
        if code == "NoSuchBucket":
            return TargetError(
                "has no such bucket",
                hint="Check the bucket name in the sync settings; Strongroom does not create it",
                status=status,
            )
        if code in _BUSY_CODES or status >= 500 or status == 429:
            return TargetBusy(f"was busy ({code or status})", status=status, retryable=True)
        return TargetError(f"rejected the request ({code or status})", status=status)
    if isinstance(exc, botocore.exceptions.ReadTimeoutError | botocore.exceptions.ConnectionError):
        return TargetBusy("dropped the connection", retryable=True)
    return TargetError(f"failed ({type(exc).__name__})")


def _code(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: botocore.exceptions.ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
