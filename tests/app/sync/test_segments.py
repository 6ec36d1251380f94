"""Segments: round trip, and every way a pulled segment can be wrong is caught
whole (hypothesis over byte flips, cuts, reorderings and replays)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sync.container import MAGIC, MIN_FILE, Broken, Unpacked, unpack
from app.sync.keys import DeskKey, DeviceKeys, new_desk_id, new_desk_key, new_device_keys
from app.sync.segments import (
    SCHEMA,
    KnownDevice,
    Position,
    Quarantine,
    Reason,
    Sealed,
    Verified,
    open_segment,
    parse_name,
    seal_segment,
    segment_name,
)

DESK = new_desk_id()
KEY = new_desk_key()
ALICE = new_device_keys()
BOB = new_device_keys()
KEYS = {KEY.key_id: KEY}
DEVICES = {
    ALICE.device: KnownDevice(ALICE.public.signing),
    BOB.device: KnownDevice(BOB.public.signing),
}
WHEN = "2026-12-07T10:00:00+00:00"
START = Position()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
events_st = st.lists(st.dictionaries(st.text(max_size=10), json_values, max_size=5), max_size=6)


def chain(
    batches: list[list[dict[str, Any]]],
    *,
    device: DeviceKeys = ALICE,
    key: DeskKey = KEY,
    desk: str = DESK,
) -> list[Sealed]:
    out: list[Sealed] = []
    at = Position()
    for seq, events in enumerate(batches, start=1):
        sealed = seal_segment(
            events, desk=desk, seq=seq, after=at, key=key, device=device, created_at=WHEN
        )
        out.append(sealed)
        at = Position(seq, sealed.digest)
    return out


def check(
    sealed: Sealed,
    *,
    after: Position = START,
    name: str | None = None,
    data: bytes | None = None,
    devices: dict[str, KnownDevice] = DEVICES,
    keys: dict[str, DeskKey] = KEYS,
    desk: str = DESK,
    schema: int = SCHEMA,
) -> Verified | Quarantine:
    return open_segment(
        sealed.name if name is None else name,
        sealed.data if data is None else data,
        desk=desk,
        devices=devices,
        keys=keys,
        after=after,
        schema=schema,
    )


def reason(result: Verified | Quarantine) -> Reason:
    assert isinstance(result, Quarantine), result
    return result.reason


@settings(max_examples=30, deadline=None)
@given(batches=st.lists(events_st, min_size=1, max_size=4))
def test_a_chain_of_segments_round_trips(batches: list[list[dict[str, Any]]]) -> None:
    at = Position()
    for seq, (sealed, events) in enumerate(zip(chain(batches), batches, strict=True), start=1):
        got = check(sealed, after=at)
        assert isinstance(got, Verified)
        assert (got.device, got.seq, list(got.events), got.created_at) == (
            ALICE.device,
            seq,
            events,
            WHEN,
        )
        assert sealed.name == segment_name(DESK, ALICE.device, seq)
        at = got.position


def test_the_target_sees_no_event_content() -> None:
    (sealed,) = chain([[{"type": "customer.created", "name": "Ada Lovelace-Zeta"}]])
    assert b"Ada" not in sealed.data and b"customer" not in sealed.data
    unpacked = unpack(sealed.data)
    assert isinstance(unpacked, Unpacked)
    assert set(unpacked.header) == {
        "v",
        "kind",
        "desk",
        "device",
        "seq",
        "prev",
        "schema",
        "created_at",
        "key",
        "nonce",
    }


def test_two_seals_of_the_same_events_use_fresh_nonces() -> None:
    first, second = chain([[{"a": 1}]]), chain([[{"a": 1}]])
    assert first[0].data != second[0].data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_flipped_byte_is_caught(data: st.DataObject) -> None:
    (sealed,) = chain([[{"type": "decision", "verdict": "approve", "n": 1}]])
    at = data.draw(st.integers(0, len(sealed.data) - 1), label="byte")
    bit = data.draw(st.integers(0, 7), label="bit")
    changed = bytearray(sealed.data)
    changed[at] ^= 1 << bit
    got = check(sealed, data=bytes(changed))
    assert isinstance(got, Quarantine)
    # Tampering never makes a file look merely early (held and retried forever).
    assert not got.reason.hold, got


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(0, 10_000), extra=st.binary(min_size=1, max_size=8))
def test_a_cut_or_padded_file_is_caught(cut: int, extra: bytes) -> None:
    (sealed,) = chain([[{"type": "note", "text": "x" * 300}]])
    short = sealed.data[: cut % len(sealed.data)]
    assert reason(check(sealed, data=short)) is Reason.TRUNCATED
    assert reason(check(sealed, data=sealed.data + extra)) is Reason.MALFORMED


def test_a_cut_short_file_is_truncated_at_every_length() -> None:
    (sealed,) = chain([[{"a": 1}]])
    for n in range(len(sealed.data)):
        assert reason(check(sealed, data=sealed.data[:n])) is Reason.TRUNCATED, n
    assert len(sealed.data) > MIN_FILE


@settings(max_examples=40, deadline=None)
@given(order=st.permutations(range(5)))
def test_segments_taken_out_of_order_are_refused_and_in_order_accepted(
    order: list[int],
) -> None:
    segments = chain([[{"i": i}] for i in range(5)])
    at = Position()
    taken: list[int] = []
    pending = list(order)
    # Offer the segments in the drawn order, again and again, as a puller would.
    while pending:
        for i in list(pending):
            got = check(segments[i], after=at)
            if isinstance(got, Verified):
                taken.append(i)
                pending.remove(i)
                at = got.position
            else:
                assert got.reason in (Reason.GAP, Reason.REPLAY)
                assert got.reason is Reason.GAP or i in taken
    assert taken == [0, 1, 2, 3, 4]


def test_a_replayed_segment_is_refused() -> None:
    one, two = chain([[{"i": 1}], [{"i": 2}]])
    assert reason(check(one, after=Position(2, two.digest))) is Reason.REPLAY


def test_a_segment_copied_under_a_later_number_is_misnamed() -> None:
    one, _two = chain([[{"i": 1}], [{"i": 2}]])
    moved = segment_name(DESK, ALICE.device, 2)
    assert reason(check(one, name=moved, after=Position(1, one.digest))) is Reason.MISNAMED


def test_a_segment_under_another_devices_name_is_misnamed() -> None:
    (one,) = chain([[{"i": 1}]])
    assert reason(check(one, name=segment_name(DESK, BOB.device, 1))) is Reason.MISNAMED


def test_a_fork_breaks_the_chain() -> None:
    """Two different segment 2s (a device restored from an old backup): the one
    that does not follow the segment taken is refused."""
    one, _ = chain([[{"i": 1}], [{"i": 2}]])
    other_one, other_two = chain([[{"i": "x"}], [{"i": "y"}]])
    assert reason(check(other_two, after=Position(1, one.digest))) is Reason.BROKEN_CHAIN
    assert isinstance(check(other_two, after=Position(1, other_one.digest)), Verified)


def test_a_segment_of_another_desk_is_refused() -> None:
    other = new_desk_id()
    (theirs,) = chain([[{"i": 1}]], desk=other)
    assert reason(check(theirs)) is Reason.WRONG_DESK
    # Renamed into this desk's folder: the signed header still names the other desk.
    here = segment_name(DESK, ALICE.device, 1)
    assert reason(check(theirs, name=here)) is Reason.WRONG_DESK


def test_an_unknown_device_waits_and_a_stranger_with_the_desk_key_cannot_forge() -> None:
    (one,) = chain([[{"i": 1}]])
    assert reason(check(one, devices={})) is Reason.UNKNOWN_DEVICE
    assert Reason.UNKNOWN_DEVICE.hold
    mallory = new_device_keys()
    (forged,) = chain([[{"i": "forged"}]], device=mallory)
    as_alice = forged.data.replace(mallory.device.encode(), ALICE.device.encode())
    got = check(forged, name=segment_name(DESK, ALICE.device, 1), data=as_alice)
    assert reason(got) is Reason.BAD_SIGNATURE


def test_a_removed_device_counts_up_to_its_removal_only() -> None:
    one, two = chain([[{"i": 1}], [{"i": 2}]])
    removed = {ALICE.device: KnownDevice(ALICE.public.signing, removed_after=1)}
    assert isinstance(check(one, devices=removed), Verified)
    got = check(two, devices=removed, after=Position(1, one.digest))
    assert reason(got) is Reason.REMOVED_DEVICE
    assert not Reason.REMOVED_DEVICE.hold


def test_a_key_not_held_waits_and_a_wrong_key_is_undecryptable() -> None:
    new_key = new_desk_key()
    (one,) = chain([[{"i": 1}]], key=new_key)
    assert reason(check(one)) is Reason.UNKNOWN_KEY
    impostor = {new_key.key_id: KEY}  # a key under the wrong id cannot open it
    assert reason(check(one, keys=impostor)) is Reason.UNDECRYPTABLE
    assert isinstance(check(one, keys={new_key.key_id: new_key}), Verified)


def test_a_newer_schema_waits_for_an_update() -> None:
    (one,) = chain([[{"i": 1}]])
    got = check(one, schema=SCHEMA - 1)
    assert reason(got) is Reason.NEWER_SCHEMA
    assert Reason.NEWER_SCHEMA.hold
    assert isinstance(got, Quarantine) and "update" in got.detail


def test_not_a_sync_file_at_all() -> None:
    (one,) = chain([[{"i": 1}]])
    assert reason(check(one, data=b"<html>Login required</html>")) is Reason.MALFORMED
    assert reason(check(one, data=b"")) is Reason.TRUNCATED


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("abc/devices/dev1/00000001.seg", ("abc", "dev1", 1)),
        ("abc/devices/dev1/123456789.seg", ("abc", "dev1", 123456789)),
        ("abc/devices/dev1/device.ann", ("abc", "dev1", None)),
        ("abc/devices/dev1/00000000.seg", None),
        ("abc/devices/dev1/0000001.seg", None),
        ("abc/devices/dev1/000000001.seg", None),
        ("abc/devices/dev1/00000001.seg.tmp", None),
        ("abc/desk.json", None),
    ],
)
def test_names_on_the_target(name: str, expected: tuple[str, str, int | None] | None) -> None:
    assert parse_name(name) == expected


def test_a_header_nested_too_deep_is_broken_not_a_crash() -> None:
    """json.loads raised RecursionError on a header of 4,000 '[' (found by fuzzing)."""
    header = b"[" * 4000
    data = MAGIC + len(header).to_bytes(4, "big") + header + (16).to_bytes(4, "big")
    data += bytes(16 + 64)
    found = unpack(data)
    assert isinstance(found, Broken) and not found.truncated
    assert found.detail == "its header is not readable"
