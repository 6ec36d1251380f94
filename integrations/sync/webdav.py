"""WebDAV as a sync target: Nextcloud, a NAS, Apache or nginx with mod_dav.

Four methods only (RFC 4918): PUT with `If-None-Match: *`, so the server
refuses to replace an existing file (412); GET; PROPFIND with `Depth: 1`,
walking down folder by folder (many servers refuse `Depth: infinity`); and
MKCOL for the folders a PUT needs (a PUT into a missing folder answers 409).
Never LOCK: lock files are where other WebDAV sync clients fail (409/423).

The user name comes from the URL (`https://desk@host/path`); the password is
given by the caller (keychain, vault, or STRONGROOM_WEBDAV_PASSWORD) and is
never logged: it is one of the client's secrets, blanked from every message
and from urllib3's log. The base folder itself is never created, as with a
folder target: a missing base folder is a wrong URL, not something to make.

Requests go through `integrations.http.HttpClient`: timeouts, retries with
backoff on 5xx, 423 and dropped connections, a circuit breaker. A retried PUT
that finds its own bytes already there counts as written (`settle_taken`).
"""

from __future__ import annotations

import builtins
import random
import threading
from typing import NamedTuple
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import requests
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from integrations.http.client import HttpClient, ProviderConfig
from integrations.http.clock import Clock
from integrations.http.errors import IntegrationError
from integrations.http.retry import RetryPolicy
from integrations.sync.base import (
    Entry,
    Put,
    TargetAuthError,
    TargetBusy,
    TargetError,
    check_name,
    kept_by_target,
    settle_taken,
    valid_name,
)

_DAV = "{DAV:}"
_PROPFIND = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getcontentlength/></d:prop>'
    b"</d:propfind>"
)
#: what a PUT found: done, the name is taken, or its folder is missing
_CREATED, _EXISTS, _NO_FOLDER = "created", "exists", "no folder"


class WebDavTransport:
    def __init__(
        self,
        url: str,
        *,
        password: str,
        verify: bool | str = True,
        read_timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        """`url`: `https://user@host/path/`; `verify`: False, True or a CA bundle's path."""
        where = parse_url(url)
        #: the folder's path on the server, decoded, with a trailing slash
        self._root = where.root
        self.label = f"WebDAV target {where.host}"
        config = ProviderConfig(
            name=self.label,
            base_url=where.base,
            read_timeout=read_timeout,
            rate_per_second=50.0,
            burst=10,
            retry=retry or RetryPolicy(),
            user_agent="Strongroom sync",
        )

        def session() -> requests.Session:
            made = requests.Session()
            if where.user:
                made.auth = (where.user, password)  # Basic, sent with the first request
            made.verify = verify
            return made

        self._http = HttpClient(
            config, secrets=(password,), clock=clock, rng=rng, session_factory=session
        )
        self._folders: set[str] = set()
        self._lock = threading.Lock()

    def put_if_absent(self, name: str, data: bytes) -> Put:
        check_name(name)
        outcome = self._put(name, data)
        if outcome == _NO_FOLDER:
            folder = name.rpartition("/")[0]
            with self._lock:  # folders made earlier may have been deleted since
                self._folders -= {f for f in self._folders if (folder + "/").startswith(f + "/")}
            self._make_folders(folder)
            outcome = self._put(name, data)
        if outcome == _CREATED:
            return Put.WRITTEN
        if outcome == _EXISTS:
            return settle_taken(name, data, self.get)
        raise self._failed(TargetError(f"could not create the folder for {name}"))

    def get(self, name: str) -> bytes | None:
        return self._http.request("GET", _path(check_name(name)), decode=_read)

    def list(self, prefix: str = "") -> list[Entry]:
        check_name(prefix, prefix=True)
        found: list[Entry] = []
        todo = [prefix.rpartition("/")[0]]
        while todo:
            folder = todo.pop()
            for name, size in self._propfind(folder):
                if size is None:  # a folder: walk it only if it can hold a match
                    if name.startswith(prefix) or prefix.startswith(name + "/"):
                        todo.append(name)
                elif name.startswith(prefix):
                    found.append(Entry(name, size))
        return sorted(found)

    def close(self) -> None:
        self._http.close()

    def _put(self, name: str, data: bytes) -> str:
        return self._http.request(
            "PUT",
            _path(name),
            body=data,
            headers={"If-None-Match": "*", "Content-Type": "application/octet-stream"},
            decode=_put_outcome,
        )

    def _make_folders(self, folder: str) -> None:
        """MKCOL each folder of `folder` in turn, from the top; the base is never made."""
        parts = folder.split("/")
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            with self._lock:
                if path in self._folders:
                    continue
            made = self._http.request("MKCOL", _path(path) + "/", decode=_mkcol_outcome)
            if not made:
                raise self._failed(
                    TargetError(
                        "the folder of the WebDAV address does not exist on the server",
                        hint="Check the address in the sync settings; "
                        "Strongroom does not create it",
                    )
                )
            with self._lock:
                self._folders.add(path)

    def _failed(self, error: IntegrationError) -> IntegrationError:
        error.provider = self.label
        return error

    def _propfind(self, folder: str) -> builtins.list[tuple[str, int | None]]:
        """(name, size) of each file in `folder`, size None for a sub-folder."""
        path = _path(folder) + "/" if folder else "/"
        body = self._http.request(
            "PROPFIND",
            path,
            body=_PROPFIND,
            headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
            decode=_multistatus,
        )
        here = (self._root + folder).rstrip("/")
        out: list[tuple[str, int | None]] = []
        for href, size in _members(body):
            full = unquote(urlsplit(href).path).rstrip("/")
            if full == here or not full.startswith(self._root):
                continue
            name = full[len(self._root) :]
            if valid_name(name) and not any(kept_by_target(p) for p in name.split("/")):
                out.append((name, size))
        return out


class DavUrl(NamedTuple):
    user: str
    base: str  # the URL without the user name, ending in "/"
    root: str  # its path, decoded, ending in "/"
    host: str  # for messages


def parse_url(url: str) -> DavUrl:
    """A WebDAV target's address taken apart; ValueError with a message for people."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("A WebDAV target is an http:// or https:// address")
    if parts.password is not None:
        raise ValueError(
            "A WebDAV address must not hold the password; keep it in the keychain "
            "or in STRONGROOM_WEBDAV_PASSWORD"
        )
    netloc = parts.netloc.rpartition("@")[2]  # host and port as written, [v6] included
    path = parts.path.rstrip("/") + "/"
    return DavUrl(
        user=unquote(parts.username or ""),
        base=urlunsplit((parts.scheme, netloc, path, "", "")),
        root=unquote(path),
        host=parts.hostname,
    )


def _path(name: str) -> str:
    """The URL path of a target name below the base (names are already safe)."""
    return "/" + quote(name)


def _status_error(response: requests.Response, what: str) -> IntegrationError:
    code = response.status_code
    if code == 401:
        return TargetAuthError(
            f"refused the user name or password (HTTP 401) while {what}", status=code
        )
    if code == 403:
        return TargetAuthError(
            f"refused access (HTTP 403) while {what}",
            hint="Check that this user may read and write the sync folder",
            status=code,
        )
    if code == 507:
        return TargetError(
            f"is out of space (HTTP 507) while {what}",
            hint="Free space on the server; nothing was written",
            status=code,
        )
    if code in (408, 423, 425, 429) or code >= 500:
        return TargetBusy(f"was busy (HTTP {code}) while {what}", status=code, retryable=True)
    return TargetError(f"rejected the request (HTTP {code}) while {what}", status=code)


def _put_outcome(response: requests.Response) -> str:
    code = response.status_code
    if code in (200, 201, 204):
        return _CREATED
    if code == 412:
        return _EXISTS
    if code in (404, 409):  # the folder the file goes in does not exist yet
        return _NO_FOLDER
    raise _status_error(response, "writing a file")


def _mkcol_outcome(response: requests.Response) -> bool:
    """True when the folder exists now; False when its parent does not."""
    code = response.status_code
    if code in (200, 201, 405):  # 405: MKCOL on an existing folder
        return True
    if code in (404, 409):
        return False
    raise _status_error(response, "creating a folder")


def _read(response: requests.Response) -> bytes | None:
    code = response.status_code
    if code == 200:
        return response.content
    if code in (404, 410):
        return None
    raise _status_error(response, "reading a file")


def _multistatus(response: requests.Response) -> bytes | None:
    if response.status_code == 207:
        return response.content
    if response.status_code == 404:
        return None
    raise _status_error(response, "listing a folder")


def _members(body: bytes | None) -> list[tuple[str, int | None]]:
    """(href, size or None for a folder) from a 207 Multi-Status body."""
    if body is None:
        return []
    try:
        # defusedxml refuses entity declarations and external references outright.
        root = fromstring(body)
    except ParseError:
        raise TargetError("answered a listing with malformed XML") from None
    except DefusedXmlException:
        raise TargetError("answered a listing that declares XML entities: refused") from None
    out: list[tuple[str, int | None]] = []
    for response in root.iter(f"{_DAV}response"):
        href = response.findtext(f"{_DAV}href")
        if not href:
            continue
        size: int | None = 0
        for propstat in response.iter(f"{_DAV}propstat"):
            if " 200 " not in f" {propstat.findtext(f'{_DAV}status') or ''} ":
                continue
            kind = propstat.find(f"{_DAV}prop/{_DAV}resourcetype")
            if kind is not None and kind.find(f"{_DAV}collection") is not None:
                size = None
                break
            length = propstat.findtext(f"{_DAV}prop/{_DAV}getcontentlength")
            if length and length.strip().isdigit():
                size = int(length.strip())
        out.append((href.strip(), size))
    return out
