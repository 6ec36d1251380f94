"""WebDAV answers wsgidav does not give: a Nextcloud-style listing (absolute,
percent-encoded hrefs, a 404 propstat beside the 200 one), busy and full
servers. Served by pytest-httpserver on 127.0.0.1, with a manual clock."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from integrations.http import IntegrationError, ManualClock, RetryPolicy
from integrations.sync import Entry, Put
from integrations.sync.webdav import WebDavTransport

ROOT = "/remote.php/dav/files/desk/Strong room"  # as the server decodes the path
ENCODED = "/remote.php/dav/files/desk/Strong%20room"
PASSWORD = "nc-app-password-9f8e"


def transport(server: HTTPServer, clock: ManualClock) -> WebDavTransport:
    url = server.url_for(ENCODED + "/").replace("//", "//desk@", 1)
    return WebDavTransport(
        url,
        password=PASSWORD,
        clock=clock,
        retry=RetryPolicy(attempts=3, base_delay=0.5, max_delay=1.0),
    )


def response(href: str, *, size: int | None) -> str:
    if size is None:
        found = "<d:resourcetype><d:collection/></d:resourcetype>"
        missing = "<d:getcontentlength/>"
    else:
        found = f"<d:resourcetype/><d:getcontentlength>{size}</d:getcontentlength>"
        missing = ""
    missing_block = (
        f"<d:propstat><d:prop>{missing}</d:prop>"
        "<d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>"
        if missing
        else ""
    )
    return (
        f"<d:response><d:href>{href}</d:href>"
        f"<d:propstat><d:prop>{found}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>"
        f"{missing_block}</d:response>"
    )


def multistatus(*responses: str) -> str:
    return (
        '<?xml version="1.0"?>'
        '<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" '
        'xmlns:oc="http://owncloud.org/ns">' + "".join(responses) + "</d:multistatus>"
    )


def test_a_nextcloud_listing_is_read(server: HTTPServer, clock: ManualClock) -> None:
    host = server.url_for("/").rstrip("/")
    server.expect_request(ROOT + "/d1/devices/", method="PROPFIND").respond_with_data(
        multistatus(
            response(f"{ENCODED}/d1/devices/", size=None),
            response(f"{host}{ENCODED}/d1/devices/dev%31/", size=None),  # absolute href
            response(f"{ENCODED}/d1/devices/.hidden/", size=None),
        ),
        status=207,
        content_type="application/xml; charset=utf-8",
    )
    server.expect_request(ROOT + "/d1/devices/dev1/", method="PROPFIND").respond_with_data(
        multistatus(
            response(f"{ENCODED}/d1/devices/dev1/", size=None),
            response(f"{ENCODED}/d1/devices/dev1/00000001.seg", size=812),
            response(f"{ENCODED}/d1/devices/dev1/00000002.seg.part", size=20),
            response(f"{ENCODED}/d1/devices/dev1/device.ann", size=300),
        ),
        status=207,
        content_type="application/xml; charset=utf-8",
    )
    got = transport(server, clock).list("d1/devices/")
    assert got == [
        Entry("d1/devices/dev1/00000001.seg", 812),
        Entry("d1/devices/dev1/device.ann", 300),
    ]


def test_a_busy_server_is_retried_and_then_takes_the_file(
    server: HTTPServer, clock: ManualClock
) -> None:
    server.expect_ordered_request(ROOT + "/a.seg", method="PUT").respond_with_data("", status=503)
    server.expect_ordered_request(ROOT + "/a.seg", method="PUT").respond_with_data("", status=423)
    server.expect_ordered_request(ROOT + "/a.seg", method="PUT").respond_with_data("", status=201)
    assert transport(server, clock).put_if_absent("a.seg", b"x") is Put.WRITTEN
    assert len(clock.sleeps) == 2


def test_a_server_busy_past_the_retries_is_transient(
    server: HTTPServer, clock: ManualClock
) -> None:
    server.expect_request(ROOT + "/a.seg", method="GET").respond_with_data("", status=502)
    with pytest.raises(IntegrationError) as caught:
        transport(server, clock).get("a.seg")
    assert caught.value.kind == "transient" and caught.value.retryable
    assert "HTTP 502" in str(caught.value)


def test_a_full_server_is_fatal_and_says_so(server: HTTPServer, clock: ManualClock) -> None:
    server.expect_request(ROOT + "/a.seg", method="PUT").respond_with_data("", status=507)
    with pytest.raises(IntegrationError) as caught:
        transport(server, clock).put_if_absent("a.seg", b"x")
    assert caught.value.kind == "fatal"
    assert "out of space" in str(caught.value)
    assert clock.sleeps == []


def test_a_listing_that_is_not_xml_is_fatal(server: HTTPServer, clock: ManualClock) -> None:
    server.expect_request(ROOT + "/", method="PROPFIND").respond_with_data(
        "<html><body>Login</body>", status=207
    )
    with pytest.raises(IntegrationError, match="malformed XML"):
        transport(server, clock).list()


def test_a_listing_declaring_entities_is_refused(server: HTTPServer, clock: ManualClock) -> None:
    bomb = '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    server.expect_request(ROOT + "/", method="PROPFIND").respond_with_data(
        f'<?xml version="1.0"?><!DOCTYPE m [{bomb}]><multistatus xmlns="DAV:">'
        "<response><href>&b;</href></response></multistatus>",
        status=207,
    )
    with pytest.raises(IntegrationError, match="declares XML entities: refused"):
        transport(server, clock).list()


def test_the_password_goes_as_basic_auth_and_never_into_a_message(
    server: HTTPServer, clock: ManualClock
) -> None:
    server.expect_request(
        ROOT + "/a.seg",
        method="GET",
        headers={"Authorization": "Basic ZGVzazpuYy1hcHAtcGFzc3dvcmQtOWY4ZQ=="},
    ).respond_with_data(f"denied for {PASSWORD}", status=401)
    with pytest.raises(IntegrationError) as caught:
        transport(server, clock).get("a.seg")
    assert caught.value.kind == "auth"
    assert PASSWORD not in str(caught.value) and PASSWORD not in repr(caught.value)
