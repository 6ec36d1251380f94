"""Targets as the user writes them, and the transport each one opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.sync import Put
from integrations.sync.folder import FolderTransport
from integrations.sync.s3 import S3Transport
from integrations.sync.targets import Target, open_transport, parse_target
from integrations.sync.webdav import WebDavTransport, parse_url
from tests.integrations.sync_servers import DAV_PASSWORD, DAV_USER, dav_server


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("folder:/mnt/share/desk", Target("folder", "/mnt/share/desk")),
        (
            "webdav:https://desk@dav.example.org/s/",
            Target("webdav", "https://desk@dav.example.org/s/"),
        ),
        ("s3:desk-bucket", Target("s3", "desk-bucket")),
        ("s3:desk-bucket/team/sync/", Target("s3", "desk-bucket", "team/sync")),
    ],
)
def test_targets_as_written(text: str, expected: Target) -> None:
    assert parse_target(text) == expected
    assert parse_target(str(expected)) == expected


def test_an_s3_endpoint_goes_with_s3_only() -> None:
    assert (
        parse_target("s3:b", endpoint="http://127.0.0.1:9000").endpoint == "http://127.0.0.1:9000"
    )
    with pytest.raises(ValueError, match="S3-compatible targets only"):
        parse_target("folder:/x", endpoint="http://127.0.0.1:9000")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/mnt/share", "not a sync target"),
        ("ftp:host", "not a sync target"),
        ("folder:", "not a sync target"),
        ("webdav:dav.example.org/s", "http:// or https://"),
        ("webdav:https://desk:hunter2@dav.example.org/s/", "must not hold the password"),
        ("s3:bucket/../x", "not an S3 bucket"),
    ],
)
def test_targets_that_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        parse_target(text)
    assert "hunter2" not in str(caught.value)


def test_a_webdav_address_taken_apart() -> None:
    got = parse_url("https://desk%40team@[::1]:8443/remote.php/dav/files/desk/Strong%20room")
    assert got.user == "desk@team"
    assert got.base == "https://[::1]:8443/remote.php/dav/files/desk/Strong%20room/"
    assert got.root == "/remote.php/dav/files/desk/Strong room/"
    assert got.host == "::1"


def test_each_target_opens_its_transport(tmp_path: Path) -> None:
    (tmp_path / "share").mkdir()
    folder = open_transport(parse_target(f"folder:{tmp_path / 'share'}"), credentials={})
    assert isinstance(folder, FolderTransport)
    assert folder.put_if_absent("a/b.seg", b"x") is Put.WRITTEN
    s3 = open_transport(
        parse_target("s3:bucket/p", endpoint="http://127.0.0.1:1"),
        credentials={"access_key": "k", "secret_key": "s"},
    )
    assert isinstance(s3, S3Transport) and s3.label == "S3 target bucket/p/"
    (tmp_path / "dav" / "s").mkdir(parents=True)
    with dav_server(tmp_path / "dav") as served:
        url = served.url.replace("//", f"//{DAV_USER}@") + "/s/"
        dav = open_transport(parse_target(f"webdav:{url}"), credentials={"password": DAV_PASSWORD})
        assert isinstance(dav, WebDavTransport)
        assert dav.put_if_absent("a/b.seg", b"x") is Put.WRITTEN
        assert (tmp_path / "dav" / "s" / "a" / "b.seg").read_bytes() == b"x"
        dav.close()
