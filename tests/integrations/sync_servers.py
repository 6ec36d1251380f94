"""Real sync servers on 127.0.0.1 for tests: wsgidav (WebDAV) and moto (S3).

Recipes from /work/shared/reference/testing-real-parts.md. Both run in this
process on a free port; the WebDAV app is wrapped to record every method it
is sent, so a test can check that no LOCK ever reaches the server.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests
from cheroot import wsgi
from moto.server import ThreadedMotoServer
from wsgidav.wsgidav_app import WsgiDAVApp

DAV_USER = "desk"
DAV_PASSWORD = "dav-Pa55-7f3e91"
S3_KEY = "AKIASTRONGROOMTEST01"
S3_SECRET = "s3-secret-4c0ffee9e1b2"


@dataclass
class DavServer:
    url: str  # http://127.0.0.1:PORT
    root: Path  # the folder served at "/"
    methods: list[str] = field(default_factory=list)


@contextlib.contextmanager
def dav_server(root: Path) -> Iterator[DavServer]:
    app = WsgiDAVApp(
        {
            "provider_mapping": {"/": str(root)},
            "simple_dc": {"user_mapping": {"*": {DAV_USER: {"password": DAV_PASSWORD}}}},
            "http_authenticator": {"accept_basic": True, "accept_digest": True},
            "verbose": 0,
            "logging": {"enable": False},
            "lock_storage": True,
        }
    )
    served = DavServer(url="", root=root)

    def recording(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        served.methods.append(str(environ["REQUEST_METHOD"]))
        return app(environ, start_response)  # type: ignore[no-any-return]

    server = wsgi.Server(("127.0.0.1", 0), recording)
    server.prepare()
    served.url = f"http://127.0.0.1:{server.bind_addr[1]}"
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.stop()
        thread.join(5)


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """An S3 server; yields its endpoint URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@contextlib.contextmanager
def s3_auth_checked(endpoint: str) -> Iterator[None]:
    """moto checks access keys while inside (its /moto-api/reset-auth switch)."""
    requests.post(f"{endpoint}/moto-api/reset-auth", data=b"0", timeout=5).raise_for_status()
    try:
        yield
    finally:
        requests.post(f"{endpoint}/moto-api/reset-auth", data=b"inf", timeout=5)


_ADMINS: dict[str, Any] = {}


def new_bucket(endpoint: str) -> str:
    """A fresh bucket; one admin client per server (making clients is slow)."""
    if endpoint not in _ADMINS:
        _ADMINS[endpoint] = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
            region_name="us-east-1",
        )
    name = f"desk-{uuid.uuid4().hex[:12]}"
    _ADMINS[endpoint].create_bucket(Bucket=name)
    return name


def refused_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
