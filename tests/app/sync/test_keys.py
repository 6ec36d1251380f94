"""Device keys and ids, desk keys sealed to a device, and device announcements."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sync.announce import Announcement, open_announcement, seal_announcement
from app.sync.container import pack
from app.sync.keys import (
    DeviceKeys,
    device_id_of,
    new_desk_id,
    new_desk_key,
    new_device_keys,
    signature_valid,
    unwrap_desk_key,
    wrap_desk_key,
)
from app.sync.segments import Quarantine, Reason, announcement_name
from integrations.sync.base import check_name

DESK = new_desk_id()
KEY = new_desk_key()
ME = new_device_keys()
WHEN = "2026-12-07T10:00:00+00:00"


def test_device_keys_survive_the_vault_and_name_their_device() -> None:
    again = DeviceKeys.from_secret_bytes(ME.secret_bytes())
    assert again.public == ME.public
    assert ME.device == device_id_of(ME.public.signing)
    assert len(ME.device) == 16 and check_name(f"{DESK}/devices/{ME.device}") == (
        f"{DESK}/devices/{ME.device}"
    )
    assert new_device_keys().device != ME.device
    assert ME.secret_bytes().hex() not in repr(ME)


def test_signatures_verify_only_for_their_key_and_bytes() -> None:
    signature = ME.sign(b"segment")
    assert signature_valid(ME.public.signing, b"segment", signature)
    assert not signature_valid(ME.public.signing, b"segmenT", signature)
    assert not signature_valid(new_device_keys().public.signing, b"segment", signature)
    assert not signature_valid(b"short", b"segment", signature)


def test_a_desk_key_sealed_to_a_device_opens_only_there() -> None:
    fresh = new_desk_key()
    wrapped = wrap_desk_key(fresh, desk=DESK, to=ME.public)
    assert unwrap_desk_key(wrapped, desk=DESK, keys=ME) == fresh
    assert fresh.key.hex() not in repr(fresh)
    with pytest.raises(ValueError, match="not sealed to this device"):
        unwrap_desk_key(wrapped, desk=DESK, keys=new_device_keys())
    with pytest.raises(ValueError, match="not sealed to this device"):
        unwrap_desk_key(wrapped, desk=new_desk_id(), keys=ME)
    renamed = {**wrapped, "key": KEY.key_id}
    with pytest.raises(ValueError, match="not sealed to this device"):
        unwrap_desk_key(renamed, desk=DESK, keys=ME)


def announce(device: DeviceKeys = ME, desk: str = DESK) -> tuple[str, bytes]:
    sealed = seal_announcement(
        desk=desk,
        device=device,
        key=KEY,
        member="0x" + "cd" * 20,
        member_name="Grace Hopper",
        log_device="5b7e0c1a-0d7e-4d43-9a53-1b0f9f0c2e11",
        created_at=WHEN,
        proof={"grant": "0xsig"},
    )
    return sealed.name, sealed.data


def test_an_announcement_round_trips_and_hides_the_member() -> None:
    name, data = announce()
    assert name == announcement_name(DESK, ME.device)
    got = open_announcement(name, data, desk=DESK, keys={KEY.key_id: KEY})
    assert got == Announcement(
        ME.public,
        "0x" + "cd" * 20,
        "Grace Hopper",
        "5b7e0c1a-0d7e-4d43-9a53-1b0f9f0c2e11",
        WHEN,
        {"grant": "0xsig"},
    )
    assert b"Grace" not in data and b"0xcdcd" not in data


def test_nobody_can_announce_keys_for_a_device_id_that_is_not_theirs() -> None:
    """Mallory holds the desk key (an insider) and seals her own keys under ME's id."""
    mallory = new_device_keys()
    public = mallory.public
    body = {
        "signing": base64.b64encode(public.signing).decode(),
        "agreement": base64.b64encode(public.agreement).decode(),
        "member": "0x" + "ee" * 20,
        "name": "Mallory",
        "log_device": "x",
        "proof": {},
    }
    header = {"kind": "device", "desk": DESK, "device": ME.device, "created_at": WHEN}
    forged = pack(header, body, key=KEY, device=mallory)
    stolen_name = announcement_name(DESK, ME.device)
    got = open_announcement(stolen_name, forged, desk=DESK, keys={KEY.key_id: KEY})
    assert isinstance(got, Quarantine) and got.reason is Reason.BAD_SIGNATURE
    # With ME's public key in the body instead, she cannot sign as ME.
    body["signing"] = base64.b64encode(ME.public.signing).decode()
    forged = pack(header, body, key=KEY, device=mallory)
    got = open_announcement(stolen_name, forged, desk=DESK, keys={KEY.key_id: KEY})
    assert isinstance(got, Quarantine) and got.reason is Reason.BAD_SIGNATURE


def test_an_announcement_of_another_desk_or_key_is_refused() -> None:
    name, data = announce()
    wrong = open_announcement(name, data, desk=new_desk_id(), keys={KEY.key_id: KEY})
    assert isinstance(wrong, Quarantine) and wrong.reason is Reason.WRONG_DESK
    unknown = open_announcement(name, data, desk=DESK, keys={})
    assert isinstance(unknown, Quarantine) and unknown.reason is Reason.UNKNOWN_KEY


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_flipped_byte_in_an_announcement_is_caught(data: st.DataObject) -> None:
    name, raw = announce()
    at = data.draw(st.integers(0, len(raw) - 1))
    changed = bytearray(raw)
    changed[at] ^= 1 << data.draw(st.integers(0, 7))
    got = open_announcement(name, bytes(changed), desk=DESK, keys={KEY.key_id: KEY})
    assert isinstance(got, Quarantine)
