"""Invitations: round trip, and a wrong code, a typo, an expired, used, tampered
or foreign file each refused with a message that says what to do."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sync.invite import (
    VALID_FOR,
    Invitation,
    InvitationError,
    new_invitation,
    open_invitation,
    seal_invitation,
)
from app.sync.keys import new_desk_id, new_desk_key
from vault.crypto import KdfParams, parse_checked

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
FAST = KdfParams(time_cost=1, memory_kib=1024, parallelism=1)
KEYS = (new_desk_key(), new_desk_key())
SECRET = "dav-password-3e8a1f"


def invitation(**changes: object) -> Invitation:
    made = new_invitation(
        desk=new_desk_id(),
        desk_name="OTC desk Zurich",
        keys=KEYS,
        target="webdav:https://desk@dav.example.org/strongroom/",
        credentials={"password": SECRET},
        member="Grace Hopper",
        roles=("officer", "desk_head"),
        invited_by="0x" + "ab" * 20,
        now=NOW,
        grant={"signature": "0x1234", "role": "officer"},
    )
    return made if not changes else Invitation(**{**made.__dict__, **changes})  # type: ignore[arg-type]


SEALED = seal_invitation(invitation(), kdf=FAST)


def test_an_invitation_round_trips_with_its_code() -> None:
    made = invitation()
    data, code = seal_invitation(made, kdf=FAST)
    assert open_invitation(data, code, now=NOW) == made
    assert made.expires_at == NOW + VALID_FOR == NOW + timedelta(hours=72)
    # Read out over the phone: any case, spaces instead of dashes, O for 0.
    typed = code.lower().replace("-", " ").replace("0", "o")
    assert open_invitation(data, typed, now=NOW) == made


def test_the_file_holds_no_secret_in_clear() -> None:
    data, code = SEALED
    text = data.decode()
    for secret in (SECRET, "Grace", "officer", "dav.example.org", code, code.replace("-", "")):
        assert secret not in text
    assert set(json.loads(data)) == {"format", "v", "id", "expires_at", "kdf", "nonce", "sealed"}
    assert SECRET not in repr(invitation()) and KEYS[0].key.hex() not in repr(invitation())


def test_the_code_is_twenty_letters_and_digits_in_groups_of_four() -> None:
    _, code = SEALED
    groups = code.split("-")
    assert [len(g) for g in groups] == [4] * 5
    assert not set(code) & set("ILOU")


def test_a_wrong_code_is_refused() -> None:
    data, _ = SEALED
    _, other_code = seal_invitation(invitation(), kdf=FAST)
    with pytest.raises(InvitationError, match="does not open the invitation"):
        open_invitation(data, other_code, now=NOW)


def test_a_typing_mistake_is_told_apart_from_a_wrong_code() -> None:
    data, code = SEALED
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    for at in range(len(code)):
        if code[at] == "-":
            continue
        typo = code[:at] + alphabet[(alphabet.index(code[at]) + 1) % 32] + code[at + 1 :]
        if parse_checked(typo, size=10) is None:  # the checksum catches 65,535 in 65,536
            break
    with pytest.raises(InvitationError, match="typing mistake"):
        open_invitation(data, typo, now=NOW)
    with pytest.raises(InvitationError, match="has 20 letters and digits"):
        open_invitation(data, code[:-2], now=NOW)


def test_an_expired_invitation_is_refused() -> None:
    data, code = SEALED
    expires = NOW + VALID_FOR
    assert open_invitation(data, code, now=expires - timedelta(seconds=1))
    with pytest.raises(InvitationError, match="expired on 2026-12-10 09:00 UTC; ask an admin"):
        open_invitation(data, code, now=expires)


def test_a_used_invitation_is_refused() -> None:
    made = invitation()
    data, code = seal_invitation(made, kdf=FAST)
    with pytest.raises(InvitationError, match="used already"):
        open_invitation(data, code, now=NOW, used={made.id})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("expires_at", "2030-01-01T00:00:00+00:00"),  # stretched
        ("id", "0" * 32),  # made to look unused
        ("kdf", {**json.loads(SEALED[0])["kdf"], "time_cost": 2}),
    ],
)
def test_a_changed_clear_field_makes_the_code_fail(field: str, value: object) -> None:
    data, code = SEALED
    doc = json.loads(data)
    doc[field] = value
    with pytest.raises(InvitationError, match="file was changed on the way"):
        open_invitation(json.dumps(doc).encode(), code, now=NOW)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_flipped_byte_is_refused_or_changes_nothing(data: st.DataObject) -> None:
    """Base64's unused low bits can flip without changing a decoded byte; any other
    flip is refused with a message, never an unexpected exception."""
    raw, code = SEALED
    at = data.draw(st.integers(0, len(raw) - 1))
    changed = bytearray(raw)
    changed[at] ^= 1 << data.draw(st.integers(0, 7))
    try:
        opened = open_invitation(bytes(changed), code, now=NOW)
    except InvitationError as refused:
        assert str(refused).endswith(".")
    else:
        assert opened == open_invitation(raw, code, now=NOW)


@pytest.mark.parametrize(
    "data",
    # "[" * 100_000: json.loads raised RecursionError (found by fuzzing)
    [b"", b"not json", b"[]", b'{"format": "something else"}', b"\xff\xfe", b"[" * 100_000],
)
def test_a_file_that_is_not_an_invitation(data: bytes) -> None:
    with pytest.raises(InvitationError, match="not a Strongroom invitation"):
        open_invitation(data, SEALED[1], now=NOW)


def test_kdf_settings_out_of_bounds_are_refused_before_any_work() -> None:
    data, code = SEALED
    doc = json.loads(data)
    doc["kdf"]["memory_kib"] = 64 * 1024 * 1024  # 64 GiB
    started = time.perf_counter()
    with pytest.raises(InvitationError, match="out of bounds"):
        open_invitation(json.dumps(doc).encode(), code, now=NOW)
    assert time.perf_counter() - started < 0.5


def test_an_invitation_from_a_newer_strongroom_asks_for_an_update() -> None:
    doc = json.loads(SEALED[0])
    doc["v"] = 2
    with pytest.raises(InvitationError, match="newer Strongroom; update"):
        open_invitation(json.dumps(doc).encode(), SEALED[1], now=NOW)


def test_the_default_kdf_settings_are_argon2id_64_mib() -> None:
    made = invitation()
    started = time.perf_counter()
    data, code = seal_invitation(made)
    kdf = json.loads(data)["kdf"]
    assert kdf["name"] == "argon2id"
    assert (kdf["time_cost"], kdf["memory_kib"], kdf["parallelism"]) == (3, 65536, 4)
    assert open_invitation(data, code, now=NOW) == made
    print(f"seal and open with the default Argon2id: {time.perf_counter() - started:.2f} s")
