"""The three sync transports against real stores: a folder, wsgidav and moto's
S3 server on 127.0.0.1. One suite, parametrized over the three."""

from __future__ import annotations

import errno
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.sync.announce import seal_announcement
from app.sync.cursor import Seen, advance, remember, survey
from app.sync.keys import new_desk_id, new_desk_key, new_device_keys
from app.sync.segments import (
    KnownDevice,
    Position,
    Reason,
    Sealed,
    Verified,
    open_segment,
    seal_segment,
    segment_name,
)
from integrations.http import IntegrationError, RetryPolicy
from integrations.sync import Entry, Put, TargetAuthError, Transport
from integrations.sync.folder import FolderTransport
from integrations.sync.s3 import S3Transport
from integrations.sync.webdav import WebDavTransport
from tests.integrations.sync_servers import (
    DAV_PASSWORD,
    DAV_USER,
    S3_KEY,
    S3_SECRET,
    DavServer,
    moto_server,
    new_bucket,
    refused_port,
    s3_auth_checked,
)

KINDS = ("folder", "webdav", "s3")
QUICK = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)
SEG = "desk1/devices/dev1/00000001.seg"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


def webdav(url: str, *, password: str = DAV_PASSWORD) -> WebDavTransport:
    return WebDavTransport(url, password=password, retry=QUICK, read_timeout=5)


def s3(endpoint: str, bucket: str, **options: object) -> S3Transport:
    settings: dict[str, object] = {
        "endpoint_url": endpoint,
        "region": "us-east-1",
        "access_key": S3_KEY,
        "secret_key": S3_SECRET,
        "attempts": 1,
        "read_timeout": 5.0,
    }
    settings.update(options)
    return S3Transport(bucket, **settings)  # type: ignore[arg-type]


@pytest.fixture(params=KINDS)
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Transport]]:
    """Makes transports onto one fresh, empty target of the parametrized kind."""
    made: list[Transport] = []
    kind = request.param
    if kind == "folder":
        (tmp_path / "share").mkdir()

        def new() -> Transport:
            return FolderTransport(tmp_path / "share")

    elif kind == "webdav":
        served: DavServer = request.getfixturevalue("dav")
        url = served.url.replace("//", f"//{DAV_USER}@") + "/strongroom/"

        def new() -> Transport:
            return webdav(url)

    else:
        endpoint: str = request.getfixturevalue("s3_endpoint")
        bucket = new_bucket(endpoint)

        def new() -> Transport:
            return s3(endpoint, bucket, prefix="team/sync")

    def tracked() -> Transport:
        transport = new()
        made.append(transport)
        return transport

    yield tracked
    for transport in made:
        transport.close()


@pytest.fixture
def target(make: Callable[[], Transport]) -> Transport:
    return make()


# --- the same behaviour everywhere -------------------------------------------


def test_a_file_put_comes_back_and_is_listed_with_its_size(target: Transport) -> None:
    data = bytes(range(256)) * 5
    assert target.put_if_absent(SEG, data) is Put.WRITTEN
    assert target.get(SEG) == data
    assert target.list() == [Entry(SEG, len(data))]


def test_a_second_write_of_a_name_is_refused_and_the_first_file_stays(target: Transport) -> None:
    target.put_if_absent(SEG, b"first")
    assert target.put_if_absent(SEG, b"second, different") is Put.TAKEN
    assert target.get(SEG) == b"first"
    assert target.list() == [Entry(SEG, 5)]


def test_writing_the_same_bytes_again_counts_as_done(target: Transport) -> None:
    """A push retried after its answer was lost finds its own file there."""
    target.put_if_absent(SEG, b"same")
    assert target.put_if_absent(SEG, b"same") is Put.IDENTICAL


def test_missing_files_and_empty_targets(target: Transport) -> None:
    assert target.get(SEG) is None
    assert target.list() == []
    assert target.list("desk1/devices/") == []
    target.put_if_absent("desk1/desk.json", b"{}")
    assert target.get("desk1/devices/dev1/00000099.seg") is None
    assert target.get("desk1/nothing") is None


def test_listing_by_prefix_sees_only_what_is_under_it(target: Transport) -> None:
    names = [
        "desk1/desk.json",
        "desk1/devices/dev1/00000001.seg",
        "desk1/devices/dev1/00000002.seg",
        "desk1/devices/dev1/device.ann",
        "desk1/devices/dev2/00000001.seg",
        "desk2/devices/devX/00000001.seg",
    ]
    for i, name in enumerate(reversed(names)):
        assert target.put_if_absent(name, b"x" * (i + 1)) is Put.WRITTEN
    assert [e.name for e in target.list()] == names
    assert [e.name for e in target.list("desk1/devices/")] == names[1:5]
    assert [e.name for e in target.list("desk1/devices/dev1/")] == names[1:4]
    assert [e.name for e in target.list("desk1/devices/dev1/0000000")] == names[1:3]
    assert [e.name for e in target.list("desk1/devices/dev")] == names[1:5]
    assert target.list("desk3/") == []


def test_two_writers_racing_for_one_name_leave_exactly_one_file(
    make: Callable[[], Transport], request: pytest.FixtureRequest
) -> None:
    writers = [make() for _ in range(4)]
    results: list[Put] = []
    start = threading.Barrier(len(writers))

    def write(transport: Transport, n: int) -> None:
        start.wait()
        results.append(transport.put_if_absent(SEG, f"writer {n}".encode()))

    threads = [threading.Thread(target=write, args=(t, n)) for n, t in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    kept = writers[0].get(SEG)
    assert kept in {f"writer {n}".encode() for n in range(len(writers))}  # one whole file
    if "webdav" in request.node.name:
        # wsgidav (like many WebDAV servers) checks If-None-Match and then writes, not
        # atomically: racing PUTs may both be told 201. Harmless by design, as each
        # device writes only its own names; what must hold is one whole file.
        assert Put.WRITTEN in results and len(results) == len(writers)
    else:
        assert sorted(results) == sorted([Put.WRITTEN] + [Put.TAKEN] * 3)


@pytest.mark.parametrize("bad", ["../x", "/abs", "a//b", "a/./b", "a b", "", "a/", "ä"])
def test_a_name_that_could_leave_the_target_is_refused(target: Transport, bad: str) -> None:
    with pytest.raises(ValueError, match="not a valid name"):
        target.put_if_absent(bad, b"x")
    with pytest.raises(ValueError, match="not a valid name"):
        target.get(bad)


# --- failures, sorted --------------------------------------------------------


def test_a_webdav_password_the_server_refuses_is_an_auth_error(dav: DavServer) -> None:
    url = dav.url.replace("//", f"//{DAV_USER}@") + "/strongroom/"
    transport = WebDavTransport(url, password="wrong-Pa55word-123", retry=QUICK)
    for call in (lambda: transport.get(SEG), lambda: transport.put_if_absent(SEG, b"x")):
        with pytest.raises(TargetAuthError) as caught:
            call()
        assert caught.value.kind == "auth"
        assert "wrong-Pa55word-123" not in str(caught.value)
        assert "401" in str(caught.value)
    with pytest.raises(TargetAuthError):
        transport.list()
    transport.close()


def test_s3_keys_the_store_refuses_are_an_auth_error(s3_endpoint: str) -> None:
    bucket = new_bucket(s3_endpoint)
    transport = s3(s3_endpoint, bucket, secret_key="wrong-secret-77aa")
    with s3_auth_checked(s3_endpoint):
        for call in (lambda: transport.get(SEG), transport.list):
            with pytest.raises(TargetAuthError) as caught:
                call()
            assert caught.value.kind == "auth"
            assert "wrong-secret-77aa" not in str(caught.value)
        with pytest.raises(TargetAuthError):
            transport.put_if_absent(SEG, b"x")
    transport.close()


def test_a_folder_without_permission_is_an_auth_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads and writes any folder")
    share = tmp_path / "share"
    share.mkdir()
    (share / "desk1").mkdir(mode=0o500)
    try:
        with pytest.raises(TargetAuthError):
            FolderTransport(share).put_if_absent("desk1/x.seg", b"x")
    finally:
        (share / "desk1").chmod(0o700)


@pytest.mark.parametrize("kind", KINDS)
def test_a_target_that_is_not_there_is_transient(kind: str, tmp_path: Path) -> None:
    """Server down, or the drive not mounted: wait and try again, nothing is made."""
    port = refused_port()
    transport: Transport
    if kind == "folder":
        transport = FolderTransport(tmp_path / "unplugged-stick")
    elif kind == "webdav":
        transport = webdav(f"http://{DAV_USER}@127.0.0.1:{port}/strongroom/")
    else:
        transport = s3(f"http://127.0.0.1:{port}", "desk")
    for call in (
        lambda: transport.put_if_absent(SEG, b"x"),
        lambda: transport.get(SEG),
        transport.list,
    ):
        with pytest.raises(IntegrationError) as caught:
            call()
        assert caught.value.kind in ("offline", "transient"), caught.value
        assert caught.value.offline
        assert caught.value.retryable
    assert not (tmp_path / "unplugged-stick").exists()
    transport.close()


def test_a_webdav_base_folder_that_does_not_exist_is_not_created(dav: DavServer) -> None:
    url = dav.url.replace("//", f"//{DAV_USER}@") + "/no-such-folder/"
    transport = webdav(url)
    with pytest.raises(IntegrationError) as caught:
        transport.put_if_absent(SEG, b"x")
    assert caught.value.kind == "fatal"
    assert "does not exist" in str(caught.value)
    assert not (dav.root / "no-such-folder").exists()
    assert transport.list() == []


def test_an_s3_bucket_that_does_not_exist_is_fatal(s3_endpoint: str) -> None:
    transport = s3(s3_endpoint, "no-such-bucket")
    with pytest.raises(IntegrationError) as caught:
        transport.list()
    assert caught.value.kind == "fatal"
    assert "no such bucket" in str(caught.value)


def test_a_password_in_a_webdav_address_is_refused() -> None:
    with pytest.raises(ValueError, match="must not hold the password"):
        WebDavTransport("https://desk:hunter2@dav.example.org/s/", password="x")


# --- what only one kind does -------------------------------------------------


def test_webdav_uses_put_get_propfind_and_mkcol_and_never_locks(dav: DavServer) -> None:
    transport = webdav(dav.url.replace("//", f"//{DAV_USER}@") + "/strongroom/")
    transport.put_if_absent(SEG, b"one")
    transport.put_if_absent("desk1/devices/dev1/00000002.seg", b"two")
    transport.put_if_absent(SEG, b"one")
    transport.list("desk1/")
    transport.get(SEG)
    assert set(dav.methods) == {"PUT", "GET", "PROPFIND", "MKCOL"}
    # The folders were made once; the second file went straight in.
    assert dav.methods.count("MKCOL") == 3
    assert (dav.root / "strongroom" / SEG).read_bytes() == b"one"


def test_webdav_makes_folders_again_when_the_target_was_emptied(dav: DavServer) -> None:
    transport = webdav(dav.url.replace("//", f"//{DAV_USER}@") + "/strongroom/")
    transport.put_if_absent(SEG, b"one")
    shutil.rmtree(dav.root / "strongroom" / "desk1")
    assert transport.put_if_absent(SEG, b"one again") is Put.WRITTEN
    assert transport.get(SEG) == b"one again"


def test_the_folder_transport_skips_syncthing_and_partial_files(tmp_path: Path) -> None:
    share = tmp_path / "share"
    transport_folder = share / "desk1" / "devices" / "dev1"
    transport_folder.mkdir(parents=True)
    (share / ".stfolder").mkdir()
    (share / ".stversions" / "desk1").mkdir(parents=True)
    (share / ".stversions" / "desk1" / "old.seg").write_bytes(b"v")
    for junk in (
        ".syncthing.00000002.seg.tmp",
        "~syncthing~00000003.seg.tmp",
        "00000001.sync-conflict-20261207-101010-ABCDEFG.seg",
        ".strongroom-abc.tmp",
        "name with spaces.seg",
    ):
        (transport_folder / junk).write_bytes(b"junk")
    transport = FolderTransport(share)
    assert transport.put_if_absent(SEG, b"real") is Put.WRITTEN
    assert transport.list() == [Entry(SEG, 4)]


def test_the_folder_transport_leaves_no_temp_file_and_lets_other_users_read(
    tmp_path: Path,
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    transport = FolderTransport(share)
    transport.put_if_absent(SEG, b"a")
    transport.put_if_absent(SEG, b"b")
    folder = share / "desk1" / "devices" / "dev1"
    assert sorted(p.name for p in folder.iterdir()) == ["00000001.seg"]
    # Other members' devices (other users of a share, a Syncthing daemon) read it.
    assert (folder / "00000001.seg").stat().st_mode & 0o777 == 0o644


def test_without_hard_links_the_folder_transport_still_never_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAT and exFAT sticks have no hard links: os.link fails with EPERM there."""

    def no_links(src: str, dst: str) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    share = tmp_path / "share"
    share.mkdir()
    monkeypatch.setattr(os, "link", no_links)
    transport = FolderTransport(share)
    assert transport.put_if_absent(SEG, b"first") is Put.WRITTEN
    assert transport.put_if_absent(SEG, b"second") is Put.TAKEN
    assert transport.put_if_absent(SEG, b"first") is Put.IDENTICAL
    assert transport.get(SEG) == b"first"
    assert [p.name for p in (share / "desk1/devices/dev1").iterdir()] == ["00000001.seg"]


@pytest.mark.parametrize("conditional", [True, False])
def test_s3_refuses_a_second_write_with_and_without_conditional_puts(
    s3_endpoint: str, conditional: bool
) -> None:
    transport = s3(s3_endpoint, new_bucket(s3_endpoint), conditional=conditional)
    assert transport.put_if_absent(SEG, b"first") is Put.WRITTEN
    assert transport.put_if_absent(SEG, b"second") is Put.TAKEN
    assert transport.put_if_absent(SEG, b"first") is Put.IDENTICAL
    assert transport.get(SEG) == b"first"


def test_s3_lists_past_one_page(s3_endpoint: str) -> None:
    """list_objects_v2 answers a page of keys at a time (at most 1,000 on AWS)."""
    bucket = new_bucket(s3_endpoint)
    transport = s3(s3_endpoint, bucket, prefix="p", page_size=7)
    names = [f"desk1/devices/dev1/{n:08d}.seg" for n in range(1, 24)]
    for name in names:
        transport.put_if_absent(name, b"s")
    assert [e.name for e in transport.list("desk1/")] == names


def test_s3_takes_credentials_from_the_standard_aws_variables(
    s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = new_bucket(s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", S3_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", S3_SECRET)
    transport = S3Transport(bucket, endpoint_url=s3_endpoint, region="us-east-1", attempts=1)
    assert transport.put_if_absent(SEG, b"env") is Put.WRITTEN
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    keyless = S3Transport(bucket, endpoint_url=s3_endpoint, region="us-east-1", attempts=1)
    with pytest.raises(TargetAuthError, match="no access key"):
        keyless.get(SEG)


# --- the formats of app.sync carried by each target -------------------------


def test_segments_pushed_by_two_devices_are_pulled_verified_and_checked(
    make: Callable[[], Transport],
) -> None:
    """Two devices push through the target; a third surveys the listing, fetches
    in order and verifies; then the target is tampered with and rolled back."""
    desk, key = new_desk_id(), new_desk_key()
    alice, bob, reader = new_device_keys(), new_device_keys(), new_device_keys()
    when = "2026-12-07T10:00:00+00:00"
    pushed: dict[str, list[Sealed]] = {}
    for device, count in ((alice, 3), (bob, 2)):
        target = make()
        ann = seal_announcement(
            desk=desk,
            device=device,
            key=key,
            member="0x01",
            member_name="m",
            log_device="log",
            created_at=when,
        )
        assert target.put_if_absent(ann.name, ann.data) is Put.WRITTEN
        at, pushed[device.device] = Position(), []
        for seq in range(1, count + 1):
            sealed = seal_segment(
                [{"n": seq, "by": device.device}],
                desk=desk,
                seq=seq,
                after=at,
                key=key,
                device=device,
                created_at=when,
            )
            assert target.put_if_absent(sealed.name, sealed.data) is Put.WRITTEN
            pushed[device.device].append(sealed)
            at = Position(seq, sealed.digest)

    target = make()
    devices = {d.device: KnownDevice(d.public.signing) for d in (alice, bob)}

    def pull(cursor: dict[str, Seen]) -> tuple[dict[str, Seen], list[str], list[Reason]]:
        found = survey(target.list(f"{desk}/"), desk=desk, own=reader.device, cursor=cursor)
        cursor, taken, refused = remember(cursor, found), [], []
        stuck: set[str] = set()
        for device, seq in found.fetch:
            if device in stuck:
                continue
            name = segment_name(desk, device, seq)
            data = target.get(name)
            assert data is not None
            got = open_segment(
                name,
                data,
                desk=desk,
                devices=devices,
                keys={key.key_id: key},
                after=cursor.get(device, Seen()).taken,
            )
            if isinstance(got, Verified):
                cursor = advance(cursor, device=device, taken=got.position)
                taken.append(f"{device}:{seq}")
            else:
                refused.append(got.reason)
                stuck.add(device)
        return cursor, taken, refused

    cursor, taken, refused = pull({})
    assert sorted(taken) == sorted(
        [f"{alice.device}:{n}" for n in (1, 2, 3)] + [f"{bob.device}:{n}" for n in (1, 2)]
    )
    assert refused == []
    assert pull(cursor)[1:] == ([], [])  # nothing new: nothing fetched

    # Bob's third segment is corrupted on its way up: quarantined, nothing applied.
    third = seal_segment(
        [{"n": 3}],
        desk=desk,
        seq=3,
        after=Position(2, pushed[bob.device][1].digest),
        key=key,
        device=bob,
        created_at=when,
    )
    broken = bytearray(third.data)
    broken[len(broken) // 2] ^= 0x01
    target.put_if_absent(third.name, bytes(broken))
    after, taken, refused = pull(cursor)
    assert taken == [] and refused == [Reason.BAD_SIGNATURE]
    assert after[bob.device].taken == cursor[bob.device].taken

    # A second desk's device writes into the same target: not fetched, but named.
    other = new_desk_id()
    theirs = seal_segment(
        [{"x": 1}],
        desk=other,
        seq=1,
        after=Position(),
        key=key,
        device=alice,
        created_at=when,
    )
    target.put_if_absent(theirs.name, theirs.data)
    found = survey(target.list(), desk=desk, own=reader.device, cursor=after)
    assert found.other_desks == {other}
    assert not found.vanished and not found.gaps
